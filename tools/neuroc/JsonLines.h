//===- JsonLines.h - Plain diagnostics as JSON lines ------------*- C++ -*-===//
//
// --diagnostics-format=json: what a run writes to stderr in text ("FILE:
// error: MESSAGE", "note: MESSAGE") becomes one JSON object per line, as
// the compiler's own diagnostics are.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TOOLS_JSONLINES_H
#define NEURO_TOOLS_JSONLINES_H

#include <streambuf>
#include <string>

namespace neuro {

/// A stream buffer that writes each line it is given to llvm::errs() as a
/// JSON diagnostic: "WHERE: SEVERITY: MESSAGE" or "SEVERITY: MESSAGE"
/// (WHERE a file, FILE:LINE:COLUMN or the program's name, which stands for
/// `file`); any other line is a note; a line that is JSON already passes.
class JsonLines : public std::streambuf {
public:
  explicit JsonLines(std::string file) : file(std::move(file)) {}
  ~JsonLines() override { emit(); }

protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char *s, std::streamsize n) override;

private:
  void emit();
  std::string file, line;
};

} // namespace neuro

#endif // NEURO_TOOLS_JSONLINES_H

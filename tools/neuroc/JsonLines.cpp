//===- JsonLines.cpp - Plain diagnostics as JSON lines --------------------===//

#include "JsonLines.h"

#include "neuro/Frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

using namespace neuro;

JsonLines::int_type JsonLines::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof()))
    return traits_type::not_eof(c);
  if (c == '\n')
    emit();
  else
    line += char(c);
  return c;
}

std::streamsize JsonLines::xsputn(const char *s, std::streamsize n) {
  for (std::streamsize i = 0; i < n; ++i)
    overflow(traits_type::to_int_type(s[i]));
  return n;
}

void JsonLines::emit() {
  llvm::StringRef text(line);
  text = text.rtrim();
  if (text.empty())
    return;
  llvm::raw_ostream &os = llvm::errs();
  if (text.starts_with("{")) {
    os << text << "\n";
  } else {
    llvm::StringRef where, severity = "note", message = text;
    for (llvm::StringRef s : {"error", "warning", "note"}) {
      std::string tag = ": " + s.str() + ": ";
      if (text.starts_with(s.str() + ": ")) {
        severity = s, message = text.drop_front(s.size() + 2);
        break;
      }
      if (size_t at = text.find(tag); at != llvm::StringRef::npos) {
        where = text.take_front(at), severity = s;
        message = text.drop_front(at + tag.size());
        break;
      }
    }
    // FILE:LINE:COLUMN, a file, or the program speaking for the model.
    unsigned lineNo = 0, column = 0;
    llvm::StringRef path = where;
    auto [rest, col] = where.rsplit(':');
    auto [fileName, row] = rest.rsplit(':');
    if (!col.getAsInteger(10, column) && !row.getAsInteger(10, lineNo))
      path = fileName;
    else
      lineNo = column = 0;
    if (path.empty() || !path.contains('.'))
      path = file;
    printJsonDiagnostic(os, path, lineNo, column, lineNo, column, severity,
                        message);
  }
  os.flush();
  line.clear();
}

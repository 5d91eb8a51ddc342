//===- Diagnostics.h - Errors with file:line:col and a caret ----*- C++ -*-===//
//
// Frontend diagnostics are collected here and printed through llvm::SourceMgr
// in the usual compiler format:
//
//   model.neuro:3:12: error: expected a unit, got 'foo'
//     param x: foo = 1
//              ^~~
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_DIAGNOSTICS_H
#define NEURO_FRONTEND_DIAGNOSTICS_H

#include "neuro/Frontend/AST.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <set>
#include <string>
#include <tuple>

namespace neuro {

class DiagEngine {
public:
  DiagEngine(llvm::SourceMgr &sourceMgr, unsigned bufferId,
             llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), bufferId(bufferId), os(os) {}

  void error(SourceRange range, const llvm::Twine &message);
  void warning(SourceRange range, const llvm::Twine &message);
  void note(SourceRange range, const llvm::Twine &message);

  unsigned numErrors() const { return errors; }
  unsigned numWarnings() const { return warnings; }
  /// -Werror: warnings are reported, and counted, as errors.
  void setWarningsAsErrors(bool value) { warningsAsErrors = value; }
  /// --diagnostics-format=json: one JSON object per line instead of the
  /// clang-style text (see printJsonDiagnostic).
  void setJson(bool value) { json = value; }
  bool isJson() const { return json; }
  bool hadError() const { return errors != 0; }
  llvm::StringRef filename() const;
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }
  llvm::raw_ostream &stream() { return os; }
  unsigned getBufferId() const { return bufferId; }
  /// The buffer that locations without one (and parseModule) refer to; one
  /// engine can so parse and count the errors of several buffers.
  void setBufferId(unsigned id) { bufferId = id; }

  /// After this many errors, the rest are counted but not printed.
  static constexpr unsigned maxPrinted = 20;

private:
  void report(SourceRange range, llvm::SourceMgr::DiagKind kind,
              const llvm::Twine &message);
  llvm::SMLoc toSMLoc(SourceLoc loc) const;

  llvm::SourceMgr &sourceMgr;
  unsigned bufferId;
  llvm::raw_ostream &os;
  unsigned errors = 0;
  unsigned warnings = 0;
  unsigned printed = 0;
  bool warningsAsErrors = false;
  bool json = false;
  /// Errors and warnings reported so far, to report each once.
  std::set<std::tuple<unsigned, unsigned, unsigned, int, std::string>> reported;
  bool skippingNotes = false;
};

/// Prints `d` as SMDiagnostic::print does, with the control characters of
/// its line shown as '?' and of its file's name as \xHH (a source line
/// never sends the terminal an escape sequence), bytes that are not UTF-8
/// as '?', and a long line cut around the caret.
void printDiagnostic(llvm::raw_ostream &os, llvm::SourceMgr &sourceMgr,
                     llvm::SMDiagnostic d);

/// Prints one diagnostic as a JSON object on one line:
/// {"file": ..., "line": L, "column": C, "endLine": L2, "endColumn": C2,
///  "severity": "error"|"warning"|"note", "message": ...}; positions are
/// 1-based, the end exclusive, 0 when unknown; "file" is null when
/// `file` is empty.
void printJsonDiagnostic(llvm::raw_ostream &os, llvm::StringRef file,
                         unsigned line, unsigned column, unsigned endLine,
                         unsigned endColumn, llvm::StringRef severity,
                         llvm::StringRef message);

} // namespace neuro

#endif // NEURO_FRONTEND_DIAGNOSTICS_H

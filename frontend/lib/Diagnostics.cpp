//===- Diagnostics.cpp - Errors with file:line:col and a caret ------------===//

#include "neuro/Frontend/Diagnostics.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace neuro;

llvm::StringRef DiagEngine::filename() const {
  return sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier();
}

llvm::SMLoc DiagEngine::toSMLoc(SourceLoc loc) const {
  if (loc.line == 0)
    return {};
  unsigned buffer = loc.buffer ? loc.buffer : bufferId;
  llvm::SMLoc result =
      sourceMgr.FindLocForLineAndColumn(buffer, loc.line, loc.col);
  if (!result.isValid()) // past the end of a line: point at its end
    result = sourceMgr.FindLocForLineAndColumn(buffer, loc.line, 1);
  return result;
}

void DiagEngine::report(SourceRange range, llvm::SourceMgr::DiagKind kind,
                        const llvm::Twine &message) {
  // The same diagnostic at the same place once (a `connect` to several
  // targets checks its arguments per target), with its notes.
  if (kind == llvm::SourceMgr::DK_Note) {
    if (skippingNotes)
      return;
  } else {
    skippingNotes = !reported
                         .insert({range.begin.buffer, range.begin.line,
                                  range.begin.col, int(kind), message.str()})
                         .second;
    if (skippingNotes)
      return;
  }
  if (kind == llvm::SourceMgr::DK_Error)
    ++errors;
  if (kind != llvm::SourceMgr::DK_Note && printed++ >= maxPrinted)
    return;
  if (json) {
    unsigned buffer = range.begin.buffer ? range.begin.buffer : bufferId;
    printJsonDiagnostic(
        os, sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier(),
        range.begin.line, range.begin.col, range.end.line, range.end.col,
        kind == llvm::SourceMgr::DK_Error     ? "error"
        : kind == llvm::SourceMgr::DK_Warning ? "warning"
                                              : "note",
        message.str());
    return;
  }
  llvm::SMLoc begin = toSMLoc(range.begin);
  llvm::SmallVector<llvm::SMRange, 1> ranges;
  // Underline the range only when it stays on the first line.
  if (range.end.line == range.begin.line && range.end.col > range.begin.col + 1)
    ranges.push_back({begin, toSMLoc(range.end)});
  if (!begin.isValid()) {
    sourceMgr.PrintMessage(os,
                           llvm::SMDiagnostic(filename(), kind, message.str()));
    return;
  }
  llvm::SMDiagnostic d = sourceMgr.GetMessage(begin, kind, message, ranges);
  std::string line = d.getLineContents().str();
  const llvm::UTF8 *at = reinterpret_cast<const llvm::UTF8 *>(line.data());
  const llvm::UTF8 *end = at + line.size();
  if (!llvm::isLegalUTF8String(&at, end)) {
    // A line that is not UTF-8 would be shown without its caret: show it
    // with '?' for the bytes that are not, which keeps the columns.
    for (size_t i =
             size_t(at - reinterpret_cast<const llvm::UTF8 *>(line.data()));
         i < line.size();) {
      const llvm::UTF8 *p = reinterpret_cast<const llvm::UTF8 *>(&line[i]);
      unsigned n = llvm::getNumBytesForUTF8(*p);
      if (i + n <= line.size() && llvm::isLegalUTF8Sequence(p, p + n)) {
        i += n;
        continue;
      }
      line[i++] = '?';
    }
    d = llvm::SMDiagnostic(sourceMgr, d.getLoc(), d.getFilename(),
                           d.getLineNo(), d.getColumnNo(), d.getKind(),
                           d.getMessage(), line, d.getRanges());
  }
  d.print(nullptr, os);
}

void DiagEngine::error(SourceRange range, const llvm::Twine &message) {
  report(range, llvm::SourceMgr::DK_Error, message);
}

void DiagEngine::warning(SourceRange range, const llvm::Twine &message) {
  ++warnings;
  if (warningsAsErrors)
    report(range, llvm::SourceMgr::DK_Error, message + " [-Werror]");
  else
    report(range, llvm::SourceMgr::DK_Warning, message);
}

void DiagEngine::note(SourceRange range, const llvm::Twine &message) {
  report(range, llvm::SourceMgr::DK_Note, message);
}

void neuro::printJsonDiagnostic(llvm::raw_ostream &os, llvm::StringRef file,
                                unsigned line, unsigned column,
                                unsigned endLine, unsigned endColumn,
                                llvm::StringRef severity,
                                llvm::StringRef message) {
  llvm::json::Object o{{"file", file},           {"line", line},
                       {"column", column},       {"endLine", endLine},
                       {"endColumn", endColumn}, {"severity", severity},
                       {"message", message}};
  os << llvm::json::Value(std::move(o)) << "\n";
}

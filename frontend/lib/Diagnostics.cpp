//===- Diagnostics.cpp - Errors with file:line:col and a caret ------------===//

#include "neuro/Frontend/Diagnostics.h"
#include "neuro/Runtime/Quote.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Locale.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <cstdio>

using namespace neuro;

namespace {

/// Bytes of a source line shown around the caret.
constexpr size_t kWindow = 120;

/// `line` is cut at `at`, moved back to the start of a UTF-8 character.
size_t characterStart(llvm::StringRef line, size_t at) {
  while (at > 0 && at < line.size() &&
         (static_cast<unsigned char>(line[at]) & 0xc0) == 0x80)
    --at;
  return at;
}

/// `d` with a source line longer than kWindow cut to kWindow bytes around
/// the caret, "..." where it was cut, the caret and ranges moved with it;
/// false when the line is short enough as it is.
bool windowed(const llvm::SMDiagnostic &d, llvm::SMDiagnostic &out) {
  llvm::StringRef line = d.getLineContents();
  if (line.size() <= kWindow || d.getColumnNo() < 0)
    return false;
  size_t col = std::min(size_t(d.getColumnNo()), line.size());
  size_t begin = col > kWindow / 2 ? col - kWindow / 2 : 0;
  size_t end = std::min(line.size(), begin + kWindow);
  begin = characterStart(line, end - begin < kWindow ? end - kWindow : begin);
  end = characterStart(line, end);
  std::string before = begin > 0 ? "..." : "";
  std::string text = before + line.substr(begin, end - begin).str() +
                     (end < line.size() ? "..." : "");
  auto moved = [&](size_t c) { return unsigned(c - begin + before.size()); };
  std::vector<std::pair<unsigned, unsigned>> ranges;
  for (auto [b, e] : d.getRanges()) {
    size_t from = std::max<size_t>(b, begin), to = std::min<size_t>(e, end);
    if (from < to)
      ranges.push_back({moved(from), moved(to)});
  }
  out = llvm::SMDiagnostic(*d.getSourceMgr(), d.getLoc(), d.getFilename(),
                           d.getLineNo(), int(moved(col)), d.getKind(),
                           d.getMessage(), text, ranges);
  return true;
}

/// `d` with each character of its line that is not ASCII shown as '?' (as
/// many as the columns it takes) and the caret and ranges moved to the
/// columns they are shown at: LLVM prints no caret under a line that is not
/// ASCII. False when the line is ASCII.
bool asAscii(const llvm::SMDiagnostic &d, llvm::SMDiagnostic &out) {
  llvm::StringRef line = d.getLineContents();
  auto ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80; };
  if (llvm::all_of(line, ascii) || d.getColumnNo() < 0)
    return false;
  std::string text;
  std::vector<unsigned> column(line.size() + 1);
  for (size_t i = 0; i < line.size();) {
    size_t n =
        ascii(line[i])
            ? 1
            : std::min<size_t>(llvm::getNumBytesForUTF8(uint8_t(line[i])),
                               line.size() - i);
    n = std::max<size_t>(n, 1);
    for (size_t k = 0; k < n; ++k)
      column[i + k] = unsigned(text.size());
    if (ascii(line[i]))
      text += line[i];
    else
      text.append(size_t(std::max(
                      1, llvm::sys::locale::columnWidth(line.substr(i, n)))),
                  '?');
    i += n;
  }
  column[line.size()] = unsigned(text.size());
  auto at = [&](size_t c) { return column[std::min(c, line.size())]; };
  std::vector<std::pair<unsigned, unsigned>> ranges;
  for (auto [b, e] : d.getRanges())
    ranges.push_back({at(b), at(e)});
  out = llvm::SMDiagnostic(*d.getSourceMgr(), d.getLoc(), d.getFilename(),
                           d.getLineNo(), int(at(size_t(d.getColumnNo()))),
                           d.getKind(), d.getMessage(), text, ranges);
  return true;
}

/// A message quoting megabytes of source (a name, a token, a string) is cut
/// where it quotes: each quoted stretch longer than rt::kMostQuoted bytes
/// is shortened. Messages that short never quote that much.
std::string shortenQuotes(const std::string &message) {
  if (message.size() <= 4 * rt::kMostQuoted)
    return message;
  std::string out;
  size_t at = 0;
  while (at < message.size()) {
    size_t open = message.find('\'', at);
    size_t close =
        open == std::string::npos ? open : message.find('\'', open + 1);
    if (close == std::string::npos) {
      out += message.substr(at);
      break;
    }
    out += message.substr(at, open - at);
    out += rt::quoted(
        std::string_view(message).substr(open + 1, close - open - 1));
    at = close + 1;
  }
  return out;
}

} // namespace

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

/// Whether `c` is a control character a terminal would act on.
static bool isControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

void DiagEngine::report(SourceRange range, llvm::SourceMgr::DiagKind kind,
                        const llvm::Twine &fullMessage) {
  std::string message = shortenQuotes(fullMessage.str());
  // The same diagnostic at the same place once (a `connect` to several
  // targets checks its arguments per target), with its notes.
  if (kind == llvm::SourceMgr::DK_Note) {
    if (skippingNotes)
      return;
  } else {
    skippingNotes = !reported
                         .insert({range.begin.buffer, range.begin.line,
                                  range.begin.col, int(kind), message})
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
        message);
    return;
  }
  message = rt::visible(message);
  llvm::SMLoc begin = toSMLoc(range.begin);
  llvm::SmallVector<llvm::SMRange, 1> ranges;
  // Underline the range only when it stays on the first line.
  if (range.end.line == range.begin.line && range.end.col > range.begin.col + 1)
    ranges.push_back({begin, toSMLoc(range.end)});
  if (!begin.isValid()) {
    sourceMgr.PrintMessage(os, llvm::SMDiagnostic(filename(), kind, message));
    return;
  }
  printDiagnostic(os, sourceMgr,
                  sourceMgr.GetMessage(begin, kind, message, ranges));
}

void neuro::printDiagnostic(llvm::raw_ostream &os, llvm::SourceMgr &sourceMgr,
                            llvm::SMDiagnostic d) {
  std::string line = d.getLineContents().str();
  // Control characters of the line shown as '?', which keeps the columns,
  // and of the file's name as \xHH.
  if (llvm::any_of(line, isControl) ||
      llvm::any_of(d.getFilename(), isControl)) {
    std::replace_if(line.begin(), line.end(), isControl, '?');
    d = llvm::SMDiagnostic(sourceMgr, d.getLoc(),
                           rt::visible(d.getFilename().str()), d.getLineNo(),
                           d.getColumnNo(), d.getKind(), d.getMessage(), line,
                           d.getRanges());
  }
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
  // Not ASCII: the line as written over the caret where it fits whole,
  // with '?' for the other characters where it is cut.
  std::string original = d.getLineContents().str();
  llvm::SMDiagnostic shown, cut;
  bool notAscii = asAscii(d, shown);
  bool isCut = windowed(notAscii ? shown : d, cut);
  if (!notAscii && !isCut) {
    d.print(nullptr, os);
    return;
  }
  // The location as SMDiagnostic::print writes it, with the column (in
  // bytes) in the whole line; the rest from the line as shown.
  {
    llvm::WithColor loc(os, llvm::raw_ostream::SAVEDCOLOR, true, false,
                        llvm::ColorMode::Auto);
    loc << d.getFilename() << ':' << d.getLineNo() << ':' << d.getColumnNo() + 1
        << ": ";
  }
  if (isCut) {
    cut.print(nullptr, os, true, true, /*ShowLocation=*/false);
    return;
  }
  std::string text;
  llvm::raw_string_ostream buffer(text);
  shown.print(nullptr, buffer, false, true, /*ShowLocation=*/false);
  std::string asShown = "\n" + shown.getLineContents().str() + "\n";
  size_t where = text.find(asShown);
  if (where != std::string::npos)
    text.replace(where, asShown.size(), "\n" + original + "\n");
  os << text;
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
  // No file (an option's error): null, not a name that is no file.
  llvm::json::Object o{{"file", file.empty() ? llvm::json::Value(nullptr)
                                             : llvm::json::Value(file)},
                       {"line", line},
                       {"column", column},
                       {"endLine", endLine},
                       {"endColumn", endColumn},
                       {"severity", severity},
                       {"message", message}};
  os << llvm::json::Value(std::move(o)) << "\n";
}

//===- Quote.h - Quoting text in error messages -----------------*- C++ -*-===//
//
// Errors quote what they reject: a cell of a table, a header word, a value
// given on the command line. Those come from files and users and may be
// megabytes long; quoted() keeps the message one short line.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_QUOTE_H
#define NEURO_RUNTIME_QUOTE_H

#include <cstddef>
#include <string>
#include <string_view>

namespace neuro::rt {

/// Text longer than this many bytes is cut when quoted.
constexpr size_t kMostQuoted = 80;

/// `text` in single quotes; when longer than kMostQuoted bytes, its first
/// 60 (whole UTF-8 characters) and "...", followed by the length:
/// 'abcabc...' (5000000 bytes).
std::string quoted(std::string_view text);
/// `text` whole, with its control characters written as \\xHH (quoted()
/// and shortened() do the same): a name such as a file's never sends the
/// terminal an escape sequence.
std::string visible(std::string_view text);

/// `text` cut like quoted() does, without the quotes: "abcabc..." (5000000
/// bytes), or `text` itself when short.
std::string shortened(std::string_view text);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_QUOTE_H

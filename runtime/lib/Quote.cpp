//===- Quote.cpp - Quoting text in error messages -------------------------===//

#include "neuro/Runtime/Quote.h"

using namespace neuro::rt;

namespace {

constexpr size_t kKept = 60;

/// The first `n` bytes of `text`, not ending inside a UTF-8 character.
std::string_view head(std::string_view text, size_t n) {
  if (n >= text.size())
    return text;
  // Back off continuation bytes (10xxxxxx) to the start of the character.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80)
    --n;
  return text.substr(0, n);
}

/// `text` with control characters as \xHH: a quoted name (a file's)
/// never sends the terminal an escape sequence.
std::string escapeControls(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 0x20 && u != 0x7f) || c == '\t') {
      out += c;
      continue;
    }
    const char *hex = "0123456789abcdef";
    out += "\\x";
    out += hex[u >> 4];
    out += hex[u & 15];
  }
  return out;
}

} // namespace

std::string neuro::rt::visible(std::string_view text) {
  return escapeControls(text);
}

std::string neuro::rt::quoted(std::string_view text) {
  if (text.size() <= kMostQuoted)
    return "'" + escapeControls(text) + "'";
  return "'" + escapeControls(head(text, kKept)) + "...' (" +
         std::to_string(text.size()) + " bytes)";
}

std::string neuro::rt::shortened(std::string_view text) {
  if (text.size() <= kMostQuoted)
    return escapeControls(text);
  return escapeControls(head(text, kKept)) + "... (" +
         std::to_string(text.size()) + " bytes)";
}

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
/// never sends the terminal an escape sequence. The C1 controls in UTF-8
/// (U+0080 to U+009F, bytes C2 80 to C2 9F: U+009B is a CSI to some
/// terminals) are written so too, both bytes.
std::string escapeControls(std::string_view text) {
  std::string out;
  auto escape = [&](unsigned char u) {
    const char *hex = "0123456789abcdef";
    out += "\\x";
    out += hex[u >> 4];
    out += hex[u & 15];
  };
  for (size_t i = 0; i < text.size(); ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u == 0xc2 && i + 1 < text.size() &&
        (static_cast<unsigned char>(text[i + 1]) & 0xe0) == 0x80) {
      escape(u);
      escape(static_cast<unsigned char>(text[++i]));
      continue;
    }
    if ((u >= 0x20 && u != 0x7f) || u == '\t') {
      out += text[i];
      continue;
    }
    escape(u);
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

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

} // namespace

std::string neuro::rt::quoted(std::string_view text) {
  if (text.size() <= kMostQuoted)
    return "'" + std::string(text) + "'";
  return "'" + std::string(head(text, kKept)) + "...' (" +
         std::to_string(text.size()) + " bytes)";
}

std::string neuro::rt::shortened(std::string_view text) {
  if (text.size() <= kMostQuoted)
    return std::string(text);
  return std::string(head(text, kKept)) + "... (" +
         std::to_string(text.size()) + " bytes)";
}

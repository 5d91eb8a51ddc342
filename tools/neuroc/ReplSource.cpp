//===- ReplSource.cpp - Declarations of source text typed into the REPL ---===//

#include "ReplSource.h"

#include "llvm/Support/ConvertUTF.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

using namespace neuro;

std::string neuro::trim(const std::string &s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  size_t b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string SourceScanner::feed(const std::string &line) {
  std::string code = line;
  bool str = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    bool pair = i + 1 < line.size();
    if (inComment) {
      code[i] = ' ';
      if (c == '*' && pair && line[i + 1] == '/') {
        code[++i] = ' ';
        inComment = false;
      }
    } else if (str) {
      str = c != '"'; // strings end on the line (no escapes)
    } else if (c == '"') {
      str = true;
    } else if (c == '/' && pair && line[i + 1] == '/') {
      code.replace(i, std::string::npos, line.size() - i, ' ');
      break;
    } else if (c == '/' && pair && line[i + 1] == '*') {
      code[i] = code[i + 1] = ' ';
      ++i;
      inComment = true;
    } else if (c == '{') {
      ++depth;
      opened = true;
    } else if (c == '}') {
      --depth;
    }
  }
  return code;
}

std::string neuro::invalidUtf8(const std::string &text) {
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.data());
  const llvm::UTF8 *at = begin;
  if (llvm::isLegalUTF8String(&at, begin + text.size()))
    return "";
  size_t offset = size_t(at - begin);
  size_t lineStart = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  lineStart = lineStart == std::string::npos || offset == 0 ? 0 : lineStart + 1;
  size_t line = 1 + size_t(std::count(text.begin(),
                                      text.begin() + long(lineStart), '\n'));
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", unsigned(*at));
  return std::to_string(line) + ":" + std::to_string(offset - lineStart + 1) +
         ": invalid UTF-8 (byte " + byte + ")";
}

//===- ReplSource.h - Declarations of source text typed into the REPL -----===//
//
// Text typed into the REPL line by line: where a declaration ends, read as
// the lexer does (braces inside strings, line comments and block comments,
// which may span lines, do not count). The session then splits it with the
// parser (neuro::Session, splitTopLevel).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TOOLS_REPLSOURCE_H
#define NEURO_TOOLS_REPLSOURCE_H

#include <string>

namespace neuro {

/// Source text read line by line: the brace depth outside strings and
/// comments.
class SourceScanner {
public:
  /// Scans one line (without its newline) and returns it with its comments
  /// blanked out.
  std::string feed(const std::string &line);
  /// Forgets the depth and the braces seen, for the next declaration.
  void next() {
    depth = 0;
    opened = false;
  }

  int depth = 0;
  /// Whether a '{' was seen outside strings and comments since next().
  bool opened = false;
  /// Whether the last line ended inside a block comment.
  bool inComment = false;
};

/// `s` without leading and trailing white space.
std::string trim(const std::string &s);

/// "LINE:COL: invalid UTF-8 (byte 0xNN)" for the first byte of `text` that
/// is not UTF-8, or "" when all are: the parser refuses such text, so the
/// REPL keeps it out of the session.
std::string invalidUtf8(const std::string &text);

} // namespace neuro

#endif // NEURO_TOOLS_REPLSOURCE_H

//===- Parse.cpp - Running ANTLR's lexer and parser on a buffer -----------===//
//
// parseModule: checks that the buffer is UTF-8, runs the generated lexer and
// parser with error listeners that report through DiagEngine (the first
// syntax error of each declaration, in words, with byte columns), guards
// the parser's recursion and bracket nesting, and hands the tree to the AST
// builder (ASTBuilder.cpp). With ASTBuilder.cpp, the only files that see
// ANTLR.
//
//===----------------------------------------------------------------------===//

#include "ASTBuilderInternal.h"
#include "neuro/Frontend/Parser.h"

#include "NeuroLexer.h"
#include "antlr4-runtime.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace neuro;
using namespace neuro::detail;
using neuro_antlr::NeuroLexer;
using neuro_antlr::NeuroParser;

namespace {

/// Deepest bracket nesting accepted; deeper input is rejected before parsing
/// so that neither ANTLR nor the tree walkers can exhaust the stack.
constexpr unsigned maxNesting = 256;

/// The SourceMgr buffer being parsed, stamped on every location.
unsigned currentBuffer = 0;
/// Its text and the byte offset of each line's start (line 1 first).
llvm::StringRef currentText;
std::vector<size_t> lineStarts;
/// Lines holding a byte above 0x7f, each with the byte offset of its code
/// points (filled when a column of the line is first asked for).
llvm::DenseMap<size_t, std::vector<uint32_t>> wideLines;

/// Records the start of each line and which lines are not plain ASCII.
void indexLines(llvm::StringRef text) {
  currentText = text;
  lineStarts.assign(1, 0);
  wideLines.clear();
  bool wide = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      if (wide)
        wideLines[lineStarts.size()];
      lineStarts.push_back(i + 1);
      wide = false;
    } else if (static_cast<unsigned char>(text[i]) >= 0x80) {
      wide = true;
    }
  }
  if (wide)
    wideLines[lineStarts.size()];
}

/// ANTLR counts columns in code points; diagnostics and MLIR locations use
/// bytes (as clang does). Converts a 0-based code-point column of `line` in
/// constant time (once a line's offsets are known), so that long lines
/// cost no more than short ones.
unsigned byteColumn(size_t line, size_t codePoints) {
  if (line == 0 || line > lineStarts.size())
    return static_cast<unsigned>(codePoints) + 1;
  auto it = wideLines.find(line);
  if (it == wideLines.end())
    return static_cast<unsigned>(codePoints) + 1;
  std::vector<uint32_t> &offsets = it->second;
  size_t begin = lineStarts[line - 1];
  if (offsets.empty()) {
    size_t end =
        line < lineStarts.size() ? lineStarts[line] : currentText.size();
    for (size_t pos = begin; pos < end;) {
      offsets.push_back(uint32_t(pos - begin));
      unsigned char c = static_cast<unsigned char>(currentText[pos]);
      pos += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    }
    offsets.push_back(uint32_t(end - begin));
  }
  return (codePoints < offsets.size() ? offsets[codePoints] : offsets.back()) +
         1;
}

} // namespace

SourceLoc neuro::detail::startOf(antlr4::Token *tok) {
  return {static_cast<unsigned>(tok->getLine()),
          byteColumn(tok->getLine(), tok->getCharPositionInLine()),
          currentBuffer};
}

SourceLoc neuro::detail::endOf(antlr4::Token *tok) {
  std::string text = tok->getText();
  if (tok->getType() == antlr4::Token::EOF)
    text.clear();
  // The token's text is UTF-8: its byte length is its size.
  return {static_cast<unsigned>(tok->getLine()),
          byteColumn(tok->getLine(), tok->getCharPositionInLine()) +
              static_cast<unsigned>(text.size()),
          currentBuffer};
}

SourceRange neuro::detail::rangeOf(antlr4::Token *tok) {
  return {startOf(tok), endOf(tok)};
}

SourceRange neuro::detail::rangeOf(antlr4::ParserRuleContext *ctx) {
  antlr4::Token *stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
  return {startOf(ctx->getStart()), endOf(stop)};
}

namespace {

std::string describe(antlr4::Token *tok) {
  if (!tok || tok->getType() == antlr4::Token::EOF)
    return "end of file";
  return "'" + tok->getText() + "'";
}

/// Turns ANTLR's messages into ours. Only the first syntax error is reported:
/// after it the parser's recovery produces guesses rather than facts.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  explicit ErrorListener(DiagEngine &diag) : diag(diag) {}

  void syntaxError(antlr4::Recognizer *recognizer,
                   antlr4::Token *offendingSymbol, size_t line,
                   size_t charPositionInLine, const std::string &msg,
                   std::exception_ptr) override {
    if (reported)
      return;
    reported = true;
    errorLine = unsigned(line);
    SourceRange range;
    range.begin = {static_cast<unsigned>(line),
                   byteColumn(line, charPositionInLine), currentBuffer};
    range.end = range.begin;
    std::string message = msg;
    if (offendingSymbol) {
      range = rangeOf(offendingSymbol);
      if (offendingSymbol->getType() == NeuroLexer::ERROR_CHAR) {
        message = "unexpected character " + describe(offendingSymbol);
        // The micro sign, or the Greek mu: unit prefixes are ASCII.
        std::string c = offendingSymbol->getText();
        if (c == "\u00b5" || c == "\u03bc")
          message += " (micro is written 'u': uA, uS, us)";
      } else {
        message = rewrite(msg, offendingSymbol);
        // ANTLR's "no viable alternative" names nothing expected. Where
        // the decision began at an expression, say so (elsewhere the set
        // there names what could start the statement, not what was
        // missing).
        auto *parser = dynamic_cast<antlr4::Parser *>(recognizer);
        if (parser && msg.rfind("no viable alternative", 0) == 0 &&
            readableSet(parser->getExpectedTokens().toString(
                parser->getVocabulary())) == "an expression")
          message += "; expected an expression";
      }
      message += hint(recognizer, offendingSymbol);
    }
    diag.error(range, "syntax error: " + message);
  }

  bool hadError() const { return reported; }

  /// `i // 2` cut short by the comment that `//` starts: when the line of
  /// `before` (the token before the error at `tok`) ends in a comment that
  /// reads as the rest of an expression (`2)`, `N + 1`), not as words
  /// (`initial value`, `TODO: ...`).
  static std::string floorDivision(antlr4::Token *before, antlr4::Token *tok) {
    if (!before || before->getLine() >= tok->getLine() ||
        !before->getInputStream() ||
        before->getStopIndex() + 1 >= tok->getStartIndex())
      return "";
    std::string rest = before->getInputStream()->getText(antlr4::misc::Interval(
        before->getStopIndex() + 1, tok->getStartIndex() - 1));
    rest = rest.substr(0, rest.find('\n'));
    size_t first = rest.find_first_not_of(" \t");
    bool operandBefore = before->getType() == NeuroLexer::ID ||
                         before->getType() == NeuroLexer::NUMBER ||
                         before->getText() == ")";
    if (!operandBefore || first == std::string::npos ||
        rest.compare(first, 2, "//") != 0)
      return "";
    size_t next = rest.find_first_not_of(" \t", first + 2);
    auto word = [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
             c == '.';
    };
    bool operandAfter =
        next != std::string::npos && (rest[next] == '(' || word(rest[next]));
    if (operandAfter && rest[next] != '(') {
      size_t end = next;
      while (end < rest.size() && word(rest[end]))
        ++end;
      size_t after = rest.find_first_not_of(" \t\r", end);
      operandAfter = after == std::string::npos ||
                     std::strchr(")+-*/,^<>=", rest[after]) != nullptr;
    }
    if (!operandAfter)
      return "";
    return " (the '//' on line " + std::to_string(before->getLine()) +
           " starts a comment; integer division is floor(a / b))";
  }

  /// What a Brian2 or Python user most likely meant by the operator that
  /// does not parse: `x ** 2` (power), or `i // 2` (floor division, here
  /// a comment that cut the line short).
  static std::string hint(antlr4::Recognizer *recognizer, antlr4::Token *tok) {
    std::string text = tok->getText();
    auto *tokens =
        dynamic_cast<antlr4::TokenStream *>(recognizer->getInputStream());
    if (!tokens || tok->getTokenIndex() == 0)
      return "";
    antlr4::Token *before = tokens->get(tok->getTokenIndex() - 1);
    if (std::string cut = floorDivision(before, tok); !cut.empty())
      return cut;
    if (text == "of" && before && before->getText() == "=")
      return " (a population is NAME = N of MODEL)";
    if ((text == "network" || text == "function") && before &&
        before->getText() == ")") {
      // `@method(rk4)` before a network or a function.
      size_t i = before->getTokenIndex(), first = i > 5 ? i - 5 : 0;
      while (i > first && tokens->get(i)->getText() != "@")
        --i;
      if (tokens->get(i)->getText() == "@")
        return " (an annotation goes before a neuron or a synapse)";
    }
    if (text != "*")
      return "";
    if (before && before->getText() == "*" &&
        before->getStopIndex() + 1 == tok->getStartIndex())
      return " (powers are written x^n, or pow(x, y))";
    return "";
  }
  /// Line of the reported error (1-based).
  unsigned errorLine = 0;

private:
  /// Turns a token set such as {'(', '-', NUMBER, ID} into words.
  static std::string readableSet(std::string set) {
    if (!set.empty() && set.front() == '{' && set.back() == '}')
      set = set.substr(1, set.size() - 2);
    std::vector<std::string> items;
    size_t pos = 0;
    while (pos <= set.size()) {
      size_t comma = set.find(", ", pos);
      if (comma == std::string::npos)
        comma = set.size();
      std::string item = set.substr(pos, comma - pos);
      if (item == "NUMBER")
        item = "a number";
      else if (item == "ID")
        item = "a name";
      else if (item == "'<EOF>'" || item == "<EOF>")
        item = "end of file";
      else if (item == "'@'")
        item = "an annotation";
      if (!item.empty())
        items.push_back(item);
      pos = comma + 2;
    }
    auto has = [&](const std::string &x) {
      return std::find(items.begin(), items.end(), x) != items.end();
    };
    if (has("a number") && has("a name") && has("'('"))
      return "an expression";
    // At the top level a name can only start `plasticity NAME { ... }`.
    if (has("'neuron'") && has("a name"))
      std::replace(items.begin(), items.end(), std::string("a name"),
                   std::string("'plasticity'"));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        out += i + 1 == items.size() ? " or " : ", ";
      out += items[i];
    }
    return out;
  }

  /// ANTLR says "mismatched input 'x' expecting {...}"; say what was found
  /// and what was expected in words.
  static std::string rewrite(const std::string &msg, antlr4::Token *tok) {
    std::string got = describe(tok);
    size_t expecting = msg.find(" expecting ");
    if ((msg.rfind("mismatched input", 0) == 0 ||
         msg.rfind("extraneous input", 0) == 0) &&
        expecting != std::string::npos) {
      std::string expected = readableSet(msg.substr(expecting + 11));
      // `param weight = 2`: a keyword where a name goes.
      std::string text = tok ? tok->getText() : "";
      bool word = !text.empty() &&
                  (std::isalpha((unsigned char)text[0]) || text[0] == '_');
      for (char c : text)
        word &= std::isalnum((unsigned char)c) || c == '_';
      if (expected == "a name" && word)
        return "unexpected " + got + "; expected a name ('" + text +
               "' is a keyword of the language and cannot name a variable)";
      return "unexpected " + got + "; expected " + expected;
    }
    if (msg.rfind("missing ", 0) == 0) {
      size_t at = msg.find(" at ");
      std::string what =
          msg.substr(8, at == std::string::npos ? std::string::npos : at - 8);
      return "expected " + readableSet(what) + " before " + got;
    }
    return "unexpected " + got;
  }

  DiagEngine &diag;
  bool reported = false;
};

/// Deepest chain of parse-tree contexts accepted. Prefix operators, `^`
/// and `if` recurse in the generated parser without brackets; past this
/// depth the parse stops with an error instead of exhausting the stack.
constexpr unsigned maxParseDepth = 2500;

struct ParseTooDeep {
  antlr4::Token *at;
};

/// The generated parser with a guard on its recursion depth.
class GuardedParser : public NeuroParser {
public:
  using NeuroParser::NeuroParser;

  void enterRule(antlr4::ParserRuleContext *ctx, size_t state,
                 size_t rule) override {
    guard(ctx);
    NeuroParser::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext *ctx, size_t state,
                          size_t rule, int precedence) override {
    guard(ctx);
    NeuroParser::enterRecursionRule(ctx, state, rule, precedence);
  }

private:
  void guard(antlr4::ParserRuleContext *ctx) {
    unsigned depth = 0;
    for (antlr4::tree::ParseTree *c = ctx; c; c = c->parent)
      if (++depth > maxParseDepth)
        throw ParseTooDeep{getCurrentToken()};
  }
};

/// Rejects bracket nesting deeper than maxNesting, and longer runs of prefix
/// operators, before the parser sees them.
bool checkNesting(antlr4::CommonTokenStream &tokens, DiagEngine &diag) {
  unsigned level = 0;
  // Prefix operators in a row nest too (`- - - x`), and the parser's
  // lookahead recurses over them before its own depth guard runs.
  unsigned prefixes = 0;
  for (antlr4::Token *tok : tokens.getTokens()) {
    std::string text = tok->getText();
    if (text == "-" || text == "+" || text == "!" || text == "not") {
      if (++prefixes > maxNesting) {
        diag.error(rangeOf(tok), "more than " + std::to_string(maxNesting) +
                                     " operators in a row");
        return false;
      }
      continue;
    }
    prefixes = 0;
    if (text == "(" || text == "{") {
      if (++level > maxNesting) {
        diag.error(rangeOf(tok), "brackets nested more than " +
                                     std::to_string(maxNesting) +
                                     " levels deep");
        return false;
      }
    } else if ((text == ")" || text == "}") && level > 0) {
      --level;
    }
  }
  return true;
}

/// The lexer, token stream and parser over one text, both reporting to
/// `listener`.
struct ParserStack {
  antlr4::ANTLRInputStream input;
  NeuroLexer lexer{&input};
  antlr4::CommonTokenStream tokens{&lexer};
  GuardedParser parser{&tokens};

  ParserStack(llvm::StringRef text, ErrorListener &listener)
      : input(text.data(), text.size()) {
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
  }
};

} // namespace

/// After a syntax error at line `line`, parses again from the next line that
/// starts a top-level declaration (`neuron`, `synapse`, `network`, `import`
/// or an annotation, in column 1) and reports the first error there, and so
/// on: one error per declaration, not the parser's guesses within one. The
/// text before the restart is replaced by newlines so that positions stay
/// those of the file.
static void reportLaterSyntaxErrors(llvm::StringRef text, unsigned line,
                                    DiagEngine &diag) {
  constexpr int kMaxErrors = 20;
  auto startsDecl = [](llvm::StringRef l) {
    for (const char *kw :
         {"neuron", "synapse", "network", "import", "function"})
      if (l.starts_with(kw) && l.size() > strlen(kw) &&
          (l[strlen(kw)] == ' ' || l[strlen(kw)] == '\t'))
        return true;
    return l.starts_with("@");
  };
  for (int errors = 1; errors < kMaxErrors; ++errors) {
    size_t restart = 0;
    for (size_t l = line; l < lineStarts.size(); ++l) {
      size_t begin = lineStarts[l];
      size_t end = text.find('\n', begin);
      if (startsDecl(text.slice(begin, end))) {
        restart = l;
        break;
      }
    }
    if (!restart)
      return;
    std::string padded(restart, '\n');
    padded += text.substr(lineStarts[restart]).str();
    ErrorListener listener(diag);
    ParserStack stack(padded, listener);
    stack.tokens.fill();
    if (!checkNesting(stack.tokens, diag))
      return;
    try {
      stack.parser.file();
    } catch (const ParseTooDeep &) {
      return;
    }
    if (!listener.hadError())
      return;
    line = listener.errorLine;
  }
}

/// The range of `width` bytes from byte `offset` of the buffer being parsed.
static SourceRange rangeAt(size_t offset, size_t width) {
  unsigned row =
      unsigned(std::upper_bound(lineStarts.begin(), lineStarts.end(), offset) -
               lineStarts.begin());
  unsigned col = unsigned(offset - lineStarts[row - 1]) + 1;
  return {{row, col, currentBuffer},
          {row, unsigned(col + width), currentBuffer}};
}

/// A `/*` without its `*/`, or a `"` without its closing quote on the line:
/// said as such, where the lexer would leave a stray `/` or `"` for the
/// parser to report as unexpected. False after reporting. `lineComments`
/// gets the offset of every `//` that starts a comment.
static bool checkTerminated(llvm::StringRef text, DiagEngine &diag,
                            std::vector<size_t> &lineComments) {
  for (size_t i = 0; i < text.size(); ++i) {
    llvm::StringRef rest = text.drop_front(i);
    if (rest.starts_with("//")) {
      lineComments.push_back(i);
      i = text.find('\n', i);
      if (i == llvm::StringRef::npos)
        return true;
    } else if (rest.starts_with("/*")) {
      size_t end = text.find("*/", i + 2);
      if (end == llvm::StringRef::npos) {
        diag.error(rangeAt(i, 2), "unterminated comment: this '/*' has no "
                                  "matching '*/'");
        return false;
      }
      i = end + 1;
    } else if (text[i] == '"') {
      size_t end = text.find_first_of("\"\n", i + 1);
      if (end == llvm::StringRef::npos || text[end] != '"') {
        diag.error(rangeAt(i, 1), "unterminated string: this '\"' has no "
                                  "closing quote on its line");
        return false;
      }
      i = end;
    }
  }
  return true;
}

/// Whether a comment's text reads as what follows Brian2's `//`: a number
/// (`2`, `1e3`) or a bracketed expression of names, numbers and operators
/// with no two names in a row (`(n + 1)`), not words (`(exact)`, `3rd`).
static bool readsAsOperand(llvm::StringRef body) {
  auto number = [](llvm::StringRef s) {
    double v;
    return !s.empty() && llvm::isDigit(s.front()) && !s.getAsDouble(v);
  };
  if (number(body))
    return true;
  if (!body.starts_with("(") || !body.ends_with(")"))
    return false;
  bool op = false, lastWord = false;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (llvm::isAlnum(c) || c == '_' || c == '.') {
      size_t end = i;
      while (end < body.size() &&
             (llvm::isAlnum(body[end]) || body[end] == '_' || body[end] == '.'))
        ++end;
      llvm::StringRef word = body.slice(i, end);
      if (lastWord && !number(word))
        return false; // two words in a row: prose
      if (llvm::isDigit(word.front()) && !number(word))
        return false; // `3rd`
      lastWord = true;
      i = end;
    } else {
      if (llvm::StringRef("+-*/%^<>=").contains(c))
        op = true;
      else if (c != ' ' && c != '(' && c != ')')
        return false;
      if (c != ' ')
        lastWord = false;
      ++i;
    }
  }
  return op;
}

/// Brian2's floor division `k = n // 2` reads here as `k = n` and a comment.
/// Warns where a `//` (at the offsets `lineComments`) follows an operand on
/// its line and the comment is only a number or a bracketed expression:
/// what a port of `//` leaves behind, not the words of a comment.
static void warnFloorDivisionComments(llvm::StringRef text,
                                      llvm::ArrayRef<size_t> lineComments,
                                      DiagEngine &diag) {
  for (size_t at : lineComments) {
    size_t begin = text.rfind('\n', at) + 1; // npos + 1 = 0: the first line
    size_t end = std::min(text.find('\n', at), text.size());
    llvm::StringRef before = text.slice(begin, at).rtrim();
    llvm::StringRef body = text.slice(at + 2, end).trim();
    bool operand =
        !before.empty() && (llvm::isAlnum(before.back()) ||
                            before.back() == '_' || before.back() == ')');
    if (operand && readsAsOperand(body))
      diag.warning(rangeAt(at, end - at),
                   "'//' starts a comment here, so '" + body.str() +
                       "' is not read; for Brian2's floor division write "
                       "floor(a / b)");
  }
}

namespace {

/// Runs the lexer and parser on the buffer `diag` points at and hands the
/// tree to `use`; false after reporting (invalid UTF-8, syntax errors,
/// nesting too deep).
bool withParseTree(DiagEngine &diag,
                   llvm::function_ref<void(NeuroParser::FileContext *)> use) {
  const llvm::MemoryBuffer *buffer =
      diag.getSourceMgr().getMemoryBuffer(diag.getBufferId());
  llvm::StringRef text = buffer->getBuffer();
  currentBuffer = diag.getBufferId();
  indexLines(text);
  // ANTLR decodes UTF-8 and throws at a byte that is not; say where it is.
  const llvm::UTF8 *bad = text.bytes_begin();
  if (!llvm::isLegalUTF8String(&bad, text.bytes_end())) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", unsigned(*bad));
    diag.error(rangeAt(size_t(bad - text.bytes_begin()), 1),
               std::string("invalid UTF-8 (byte ") + byte +
                   "): .neuro files are UTF-8 text; save this one as UTF-8");
    return false;
  }
  std::vector<size_t> lineComments;
  if (!checkTerminated(text, diag, lineComments))
    return false;
  try {
    ErrorListener listener(diag);
    ParserStack stack(text, listener);
    stack.tokens.fill();
    if (!checkNesting(stack.tokens, diag))
      return false;
    NeuroParser::FileContext *tree = nullptr;
    try {
      tree = stack.parser.file();
    } catch (const ParseTooDeep &tooDeep) {
      diag.error(tooDeep.at ? rangeOf(tooDeep.at) : SourceRange{},
                 "expression nested too deeply (more than " +
                     std::to_string(maxParseDepth) + " levels)");
      return false;
    }
    if (listener.hadError())
      reportLaterSyntaxErrors(text, listener.errorLine, diag);
    if (listener.hadError() || diag.hadError())
      return false;
    warnFloorDivisionComments(text, lineComments, diag);
    use(tree);
    return true;
  } catch (const std::exception &e) {
    diag.error({}, std::string("internal parser error: ") + e.what());
    return false;
  }
}

/// The byte offset of a position of the buffer being parsed.
size_t offsetOf(SourceLoc loc) {
  if (loc.line == 0 || loc.line > lineStarts.size())
    return currentText.size();
  return std::min(lineStarts[loc.line - 1] + loc.col - 1, currentText.size());
}

} // namespace

std::unique_ptr<llvm::MemoryBuffer>
neuro::withLineFeeds(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  llvm::StringRef text = buffer->getBuffer();
  bool lone = false;
  for (size_t i = text.find('\r'); i != llvm::StringRef::npos && !lone;
       i = text.find('\r', i + 1))
    lone = i + 1 == text.size() || text[i + 1] != '\n';
  if (!lone)
    return buffer;
  std::string copy = text.str();
  for (size_t i = 0; i < copy.size(); ++i)
    if (copy[i] == '\r' && (i + 1 == copy.size() || copy[i + 1] != '\n'))
      copy[i] = '\n';
  return llvm::MemoryBuffer::getMemBufferCopy(copy,
                                              buffer->getBufferIdentifier());
}

std::unique_ptr<Module> neuro::parseModule(DiagEngine &diag) {
  std::unique_ptr<Module> module;
  withParseTree(diag, [&](NeuroParser::FileContext *tree) {
    module = buildModule(tree, diag);
  });
  return module;
}

bool neuro::splitTopLevel(DiagEngine &diag, std::vector<TopLevelDecl> &out) {
  out.clear();
  return withParseTree(diag, [&](NeuroParser::FileContext *tree) {
    auto add = [&](std::string kind, std::string name,
                   antlr4::ParserRuleContext *ctx) {
      SourceRange r = rangeOf(ctx);
      size_t begin = offsetOf(r.begin), end = offsetOf(r.end);
      out.push_back({std::move(kind), std::move(name),
                     currentText.slice(begin, end).str(), begin});
    };
    for (NeuroParser::ImportDeclContext *i : tree->importDecl())
      add("import", i->qualifiedName()->getText(), i);
    for (NeuroParser::DeclContext *d : tree->decl()) {
      if (auto *n = d->neuronDecl())
        add("neuron", n->name->getText(), n);
      else if (auto *s = d->synapseDecl())
        add("synapse", s->name->getText(), s);
      else if (auto *w = d->networkDecl())
        add("network", w->name->getText(), w);
      else if (auto *f = d->functionDecl())
        add("function", f->name->getText(), f);
      else if (auto *r = d->ruleDecl())
        add(r->kw->getText(), r->name->getText(), r);
    }
  });
}

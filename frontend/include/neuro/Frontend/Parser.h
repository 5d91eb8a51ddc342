//===- Parser.h - From .neuro text to the AST -------------------*- C++ -*-===//

#ifndef NEURO_FRONTEND_PARSER_H
#define NEURO_FRONTEND_PARSER_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"

#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace neuro {

/// `buffer` with every carriage return that is not followed by a line feed
/// (old Mac line ends) made a line feed, so that the lines the parser
/// counts and those the source manager prints agree; the buffer itself
/// when it has none. Every .neuro text goes through it on its way in.
std::unique_ptr<llvm::MemoryBuffer>
withLineFeeds(std::unique_ptr<llvm::MemoryBuffer> buffer);

/// Parses the buffer `diag` points at. Syntax errors are reported through
/// `diag` and give a null result; the parser never throws.
std::unique_ptr<Module> parseModule(DiagEngine &diag);

/// A top-level declaration as written: its kind (`import`, `neuron`,
/// `synapse`, `network`, `function`, or a rule's keyword such as
/// `plasticity`), its name (an import's qualified name) and its text, from
/// its first token (annotations included) to its last.
struct TopLevelDecl {
  std::string kind;
  std::string name;
  std::string text;
  /// The byte offset of `text` in the buffer it was split from.
  size_t offset = 0;
};

/// Parses the buffer `diag` points at, as parseModule does, and lists its
/// top-level declarations in source order (imports first, as the grammar
/// has them); false after reporting a syntax error. The REPL keeps a
/// model as such declarations.
bool splitTopLevel(DiagEngine &diag, std::vector<TopLevelDecl> &out);

} // namespace neuro

#endif // NEURO_FRONTEND_PARSER_H

//===- Parser.h - From .neuro text to the AST -------------------*- C++ -*-===//

#ifndef NEURO_FRONTEND_PARSER_H
#define NEURO_FRONTEND_PARSER_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"

#include <string>
#include <vector>

namespace neuro {

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
};

/// Parses the buffer `diag` points at, as parseModule does, and lists its
/// top-level declarations in source order (imports first, as the grammar
/// has them); false after reporting a syntax error. The REPL keeps a
/// model as such declarations.
bool splitTopLevel(DiagEngine &diag, std::vector<TopLevelDecl> &out);

} // namespace neuro

#endif // NEURO_FRONTEND_PARSER_H

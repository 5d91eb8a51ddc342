//===- Parser.h - From .neuro text to the AST -------------------*- C++ -*-===//

#ifndef NEURO_FRONTEND_PARSER_H
#define NEURO_FRONTEND_PARSER_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"

namespace neuro {

/// Parses the buffer `diag` points at. Syntax errors are reported through
/// `diag` and give a null result; the parser never throws.
std::unique_ptr<Module> parseModule(DiagEngine &diag);

} // namespace neuro

#endif // NEURO_FRONTEND_PARSER_H

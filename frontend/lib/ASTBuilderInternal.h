//===- ASTBuilderInternal.h - Parser and AST builder -----------*- C++ -*-===//
//
// Source positions of ANTLR tokens and contexts (byte columns of the buffer
// being parsed, set up by parseModule in Parse.cpp) and the conversion of a
// parse tree into the AST (ASTBuilder.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_LIB_ASTBUILDERINTERNAL_H
#define NEURO_FRONTEND_LIB_ASTBUILDERINTERNAL_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"

#include "NeuroParser.h"

#include <memory>

namespace neuro::detail {

/// Deepest expression tree accepted (long operator chains nest too).
constexpr unsigned maxExprDepth = 2000;

/// Where a token starts and ends (byte columns), and the range of a token
/// or of a context from its first to its last token.
SourceLoc startOf(antlr4::Token *tok);
SourceLoc endOf(antlr4::Token *tok);
SourceRange rangeOf(antlr4::Token *tok);
SourceRange rangeOf(antlr4::ParserRuleContext *ctx);

/// The AST of a parse tree without syntax errors; errors in what the
/// grammar accepts (duplicate settings, bad literals) go to `diag`.
std::unique_ptr<Module> buildModule(neuro_antlr::NeuroParser::FileContext *file,
                                    DiagEngine &diag);

} // namespace neuro::detail

#endif // NEURO_FRONTEND_LIB_ASTBUILDERINTERNAL_H

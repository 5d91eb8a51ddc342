//===- AST.h - Neuro's abstract syntax tree ---------------------*- C++ -*-===//
//
// The frontend's own tree, built from ANTLR's parse tree by ASTBuilder and
// independent of it. Every node carries the source range it came from.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_AST_H
#define NEURO_FRONTEND_AST_H

#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neuro {

/// 1-based line and column of a character in a source buffer (the
/// llvm::SourceMgr buffer id; 0 for the main file).
struct SourceLoc {
  unsigned line = 0;
  unsigned col = 0;
  unsigned buffer = 0;
};

/// Half-open range [begin, end) of source characters on possibly many lines.
struct SourceRange {
  SourceLoc begin;
  SourceLoc end;
};

/// An expression. One node type with a kind tag keeps the tree small; the
/// fields that matter depend on the kind.
struct Expr {
  enum class Kind {
    Number,
    Ref,
    Member,
    Unary,
    Binary,
    Call,
    Conditional,
    List,
    String,
    Index ///< `m[1]`: name, args[0] the index (expanded before Sema)
  };

  Kind kind;
  SourceRange range;
  /// Number: the literal as written (in `unit`, not yet converted to SI).
  double value = 0.0;
  /// Number: the digits as written, for exact decimal scaling; String: the
  /// contents without the quotes.
  std::string text;
  /// Number: the unit suffix, empty when dimensionless.
  std::string unit;
  SourceRange unitRange;
  /// Ref: the name; Call: the callee; Member (`DA.d`): the population.
  std::string name;
  /// Member: the population's state.
  std::string member;
  /// Unary and Binary: the operator spelling (`+`, `<=`, `and`, ...).
  std::string op;
  /// Unary: operand in args[0]; Binary: lhs, rhs; Call: the arguments;
  /// Conditional: condition, then, else.
  std::vector<std::unique_ptr<Expr>> args;

  Expr(Kind kind, SourceRange range) : kind(kind), range(range) {}
};
using ExprPtr = std::unique_ptr<Expr>;

/// One factor of a unit expression: `mV`, `s^-1`, `1`.
struct UnitFactor {
  std::string name; ///< "1" for the dimensionless unit
  int exponent = 1;
  SourceRange range;
};

/// A unit as written after `:`, e.g. `mV/ms` = {mV^1, ms^-1}.
struct UnitSpec {
  std::vector<UnitFactor> factors;
  SourceRange range;
  std::string text; ///< as written, for messages
};

/// `param`, `state`, `input`, `weight`, `post state`, `post` (a target
/// neuron's state), `pre` (a source neuron's state), `modulator` and `let`
/// declarations.
struct VarDecl {
  enum class Kind {
    Param,
    State,
    Input,
    Weight,
    PostState,
    PostVar,
    PreVar,
    Modulator,
    Let
  };
  Kind kind;
  std::string name;
  SourceRange range;     ///< the whole declaration
  SourceRange nameRange; ///< the declared name
  std::optional<UnitSpec> unit;
  /// Default or initial value; the definition of a `let`; may be null
  /// (input, weight).
  ExprPtr init;
  /// `pre v` and `post v`: the neuron's state `v` (a `pre` declaration is
  /// named `v_pre`).
  std::string neuronVar;
  /// `state m[3]`: the number of elements (0: a scalar).
  int64_t size = 0;
  SourceRange sizeRange;
};

/// `dx/dt = rhs [unless refractory]`.
struct OdeDecl {
  std::string var;
  SourceRange range;
  SourceRange varRange;
  ExprPtr rhs;
  bool unlessRefractory = false;
};

/// `x = e`, `x += e`, ... inside a reset or event block.
struct Stmt {
  std::string target;
  std::string op; ///< "=", "+=", "-=", "*=", "/="
  ExprPtr value;
  SourceRange range;
  SourceRange targetRange;
};

/// `spike when cond { reset } refractory t`.
struct SpikeDecl {
  ExprPtr condition;
  std::vector<Stmt> reset;
  ExprPtr refractory; ///< may be null
  SourceRange range;
};

/// `@name(value)` before a model.
struct Annotation {
  std::string name;
  std::string value;
  SourceRange range;
};

struct NeuronDecl {
  std::string name;
  SourceRange range;
  std::vector<Annotation> annotations;
  std::vector<VarDecl> vars; ///< params, states and inputs in source order
  std::vector<OdeDecl> odes;
  std::optional<SpikeDecl> spike;
};

/// `on pre { ... }`.
struct EventDecl {
  std::string event;
  std::vector<Stmt> body;
  SourceRange range;
};

/// `drives I = expr`.
struct DrivesDecl {
  std::string target;
  ExprPtr value;
  SourceRange range;
  SourceRange targetRange;
};

struct SynapseDecl {
  std::string name;
  SourceRange range;
  /// `@method(euler)`: the method of the clock-driven equations.
  std::vector<Annotation> annotations;
  /// `plasticity NAME { ... }`: a learning rule to attach to synapses.
  bool isRule = false;
  std::vector<VarDecl> vars; ///< params, the weight and post states
  std::vector<OdeDecl> odes;
  std::vector<EventDecl> events;
  std::vector<DrivesDecl> drives;
};

/// `name = expr` in an argument list, connect option or network setting.
struct NamedExpr {
  std::string name;
  ExprPtr value;
  SourceRange range;
  SourceRange nameRange;
};

/// A name used as a reference, with its position.
struct NameRef {
  std::string name;
  SourceRange range;
};

struct PopulationDecl {
  std::string name;
  ExprPtr size;
  NameRef model;
  std::vector<NamedExpr> args;
  SourceRange range;
  /// `excitatory` (+1) or `inhibitory` (-1): Dale's law for the weights of
  /// every projection from it; 0 when not given.
  int sign = 0;
  SourceRange signRange;
  /// `named "cells.csv"`: the names of the neurons, one per row.
  std::optional<NameRef> cells;
};

struct ConnectDecl {
  NameRef source;
  /// `E[0:3200]`: neurons [begin, end) of the source.
  std::optional<std::pair<double, double>> sourceSlice;
  std::vector<NameRef> targets;
  std::vector<std::optional<std::pair<double, double>>> targetSlices;
  /// `Worm[ALML]`: one neuron by name, for the source and each target.
  std::optional<NameRef> sourceCell;
  std::vector<std::optional<NameRef>> targetCells;
  NameRef synapse;
  /// `with ExpConductance + PairRule`: plasticity rules attached.
  std::vector<NameRef> rules;
  std::vector<NamedExpr> args;    ///< synapse parameters and weight
  std::vector<NamedExpr> options; ///< p, delay
  /// `as NAME`: the projection's name instead of `<src>_to_<dst>`.
  std::optional<NameRef> alias;
  /// `from "edges.csv"`: the synapses listed in a file (`name` is the path
  /// as written).
  std::optional<NameRef> file;
  /// `where abs(i - j) < 5`: only pairs for which this holds.
  ExprPtr where;
  SourceRange range;
};

/// `E` or `E[begin:end]` in a record statement.
struct RecordTarget {
  NameRef population;
  std::optional<std::pair<double, double>> slice; ///< [begin, end)
  std::optional<NameRef> cell;                    ///< `Worm[AVAL]`
  SourceRange range;
};

/// `record spikes of E, I` or `record v, w of E[0:10] every 1 ms`.
struct RecordDecl {
  std::vector<NameRef> what; ///< `spikes`, or state names
  std::vector<RecordTarget> targets;
  ExprPtr every; ///< may be null: every step
  SourceRange range;
};

/// `run 1 s`; a network may run several times in a row.
struct RunDecl {
  ExprPtr duration;
  SourceRange range;
};

/// `plasticity off S, T` between runs.
struct PlasticityDecl {
  bool on = false;
  std::vector<NameRef> projections;
  /// How many `run` statements come before it.
  size_t afterRuns = 0;
  SourceRange range;
};

struct NetworkDecl {
  std::string name;
  SourceRange range;
  std::vector<NamedExpr> settings; ///< dt, seed
  /// `param g = 5`: constants of the network, in order.
  std::vector<VarDecl> params;
  std::vector<PopulationDecl> populations;
  std::vector<ConnectDecl> connects;
  std::vector<RecordDecl> records;
  /// `ablate Worm[AVM], ...`: neurons that lose all their synapses.
  std::vector<RecordTarget> ablated;
  /// The runs, in order; the network runs for their total duration.
  std::vector<RunDecl> runs;
  std::vector<PlasticityDecl> plasticity;
};

struct ImportDecl {
  std::string path; ///< dotted name
  SourceRange range;
};

/// `function f(a: mV, b: 1): mV = expr`.
struct FunctionDecl {
  std::string name;
  SourceRange range;
  SourceRange nameRange;
  struct Param {
    std::string name;
    UnitSpec unit;
    SourceRange range;
  };
  std::vector<Param> params;
  std::optional<UnitSpec> result;
  ExprPtr body;
  /// A function of an imported file that the file did not import itself
  /// (it came along with a model of that file): the file's buffer, whose
  /// calls alone see it; 0 for the functions every file sees.
  unsigned privateTo = 0;
};

/// A parsed file.
struct Module {
  std::string filename;
  std::vector<ImportDecl> imports;
  std::vector<NeuronDecl> neurons;
  std::vector<SynapseDecl> synapses;
  std::vector<NetworkDecl> networks;
  std::vector<FunctionDecl> functions;
  /// The buffers of the files models were imported from: their calls see
  /// only their own file's functions.
  std::vector<unsigned> libraryBuffers;
};

class DiagEngine;
/// Replaces the vector parameters and states of every model (`state m[3]`)
/// by one scalar per element (`m_0`, `m_1`, `m_2`): equations, statements,
/// initial values, lets, population arguments and recordings that use a
/// vector are repeated per element; `m[k]` is element k and `sum(m)` the
/// sum. Reports misuse (lengths that differ, an index out of range) through
/// `diag`; false on error. Defined in Vectors.cpp.
bool expandVectors(Module &module, DiagEngine &diag);

/// Deep copies (expressions are owned by unique pointers).
ExprPtr cloneExpr(const Expr &e);
/// `e` without its arguments.
ExprPtr copyNode(const Expr &e);
VarDecl cloneVar(const VarDecl &v);
OdeDecl cloneOde(const OdeDecl &o);
EventDecl cloneEvent(const EventDecl &e);
DrivesDecl cloneDrives(const DrivesDecl &d);

/// Moves the declarations of `part` to the end of `into`'s.
void appendModule(Module &into, Module &&part);

/// Prints the tree with every node's source range (`neuroc emit --stage=ast`).
void dumpAST(const Module &module, llvm::raw_ostream &os);

} // namespace neuro

#endif // NEURO_FRONTEND_AST_H

//===- MLIRGenInternal.h - Pieces of MLIRGen in their own files -*- C++ -*-===//
//
// The generator MLIRGen.cpp (models, expressions) and MLIRGenNetwork.cpp
// (networks) define, and what they use from MLIRGenMath.cpp. Internal to
// NeuroMLIRGen.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_LIB_MLIRGENINTERNAL_H
#define NEURO_FRONTEND_LIB_MLIRGENINTERNAL_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Sema.h"
#include "neuro/IR/NeuroOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace neuro::mlirgen {

/// `n` when `e` is a small integer literal (or its negation).
std::optional<int> integerExponent(const Expr &e);

/// x^n by multiplication (x^-n = 1 / x^n): exact for the integer powers
/// of gating variables, and cheaper than pow.
mlir::Value genIntegerPower(mlir::OpBuilder &builder, mlir::Location l,
                            mlir::Value x, int n);

/// A call of built-in function `f` (one Sema admits) with arguments `a`,
/// as arith and math ops.
mlir::Value genBuiltinCall(mlir::OpBuilder &builder, mlir::Location l,
                           const std::string &f,
                           const std::vector<mlir::Value> &a);

/// Emits the neuro dialect for a module that passed Sema: the models, then
/// the networks, then the model defaults of their populations.
class Generator {
public:
  Generator(mlir::MLIRContext &context, const Module &module,
            const SemaResult &sema, const llvm::SourceMgr *sourceMgr)
      : context(context), builder(&context), module(module), sema(sema),
        sourceMgr(sourceMgr) {}

  /// The module, or null if it fails to verify.
  mlir::OwningOpRef<mlir::ModuleOp> generate();

private:
  /// Names resolved in a network expression, to the value they stand for.
  using Resolver = std::function<mlir::Value(const Expr &)>;

  mlir::Location loc(SourceLoc l);
  mlir::Location loc(SourceRange r) { return loc(r.begin); }
  mlir::FlatSymbolRefAttr sym(llvm::StringRef name);

  //===--------------------------------------------------------------------===//
  // Models (MLIRGen.cpp)
  //===--------------------------------------------------------------------===//

  void genVars(const ModelInfo &model, const std::vector<VarDecl> &vars);
  /// Starts the single block of `region` and positions the builder in it.
  void enter(mlir::Region &region);
  /// Values of `let`s and of function calls are emitted once per region
  /// and shared by every use after them (a chain of lets that each use the
  /// previous one twice stays linear, not exponential). Forgotten when a
  /// region starts and after each statement, whose assignment may change
  /// what they read.
  void forgetShared();
  /// `method`, when not empty, is requested on every equation (synapses:
  /// neuro-integrate applies it to the clock-driven ones).
  void genOdes(const ModelInfo &model, const std::vector<OdeDecl> &odes,
               const std::string &method = "");
  void genStmts(const ModelInfo &model, const std::vector<Stmt> &stmts);
  /// The lets `stmts` read whose value lasts from their first reading
  /// statement to the end of the block (Brian2's subexpressions in
  /// statements): in a reset, those none of whose names is assigned by a
  /// statement after that one (the others are computed again for each
  /// statement that reads them); in a synapse's events, all.
  void lastingLets(const ModelInfo &model, const std::vector<Stmt> &stmts,
                   llvm::DenseSet<const VarDecl *> &lasting);
  void genNeuron(const ModelInfo &model);
  /// neuro.let for each let of `model` a network records, in declaration
  /// order.
  void genRecordedLets(const ModelInfo &model);
  void genSynapse(const ModelInfo &model);
  /// The declaration `name` refers to: `v_post` is `post v`.
  std::string declName(const ModelInfo &model, const std::string &name);
  bool isPost(const ModelInfo &model, const std::string &name);

  //===--------------------------------------------------------------------===//
  // Expressions (MLIRGen.cpp)
  //===--------------------------------------------------------------------===//

  mlir::Value constant(mlir::Location l, double v);
  mlir::Value genExpr(const Expr &e, const ModelInfo &model);
  mlir::Value genInlinedCall(const FunctionDecl &f, const Expr &e,
                             const ModelInfo &model);
  const FunctionDecl *findFunction(const Expr &call) const;
  /// A random draw of a network expression (see Sema's drawType).
  mlir::Value genDraw(const Expr &e, const ModelInfo &model);
  /// Generates a network expression (initial value, connection rule): its
  /// names resolve through `resolve`.
  mlir::Value genNetExpr(const Expr &e, Resolver resolve);

  //===--------------------------------------------------------------------===//
  // Networks (MLIRGenNetwork.cpp)
  //===--------------------------------------------------------------------===//

  /// The network op with its populations, projections, recordings and
  /// plasticity switches, in that order.
  void genNetwork(const NetworkInfo &net);
  void genPopulation(const PopulationInfo &p);
  /// A population of spike times or a Poisson source: no model.
  void genSourcePopulation(const PopulationInfo &p);
  void genProjection(const ProjectionInfo &pr, const NetworkInfo &net);
  /// The attributes of projection `proj` that its builder leaves at their
  /// defaults (sign, modulators, rule, degree, autapses, slices).
  void setProjectionAttrs(ProjectionOp proj, const ProjectionInfo &pr,
                          const NetworkInfo &net);
  /// The `neuro.connect_rule` of a projection made by `p = EXPR` or
  /// `where`.
  void genConnectRule(const ProjectionInfo &pr, const NetworkInfo &net,
                      mlir::Location l);
  /// Recorded states and synapses, plasticity switches, recorded spikes.
  void genRecords(const NetworkInfo &net);

  /// Resolves the names of a population's initial-value expressions.
  Resolver populationNames(const PopulationInfo &p);
  /// Resolves the names of a projection's expressions: i, j, N_pre,
  /// N_post, NAME_pre / NAME_post (a state or parameter of the neuron's
  /// population: neuro-select-rows folds the parameters that stay
  /// constants) and the synapse's parameters.
  Resolver projectionNames(const ProjectionInfo &pr, const NetworkInfo &net);
  void genInits(const std::vector<std::pair<std::string, InitValue>> &inits,
                mlir::Location l, Resolver names = nullptr);
  /// The parameters the refractory period of neuron `model` reads, in
  /// declaration order (null when none).
  mlir::ArrayAttr refractoryParams(const ModelInfo &model);
  /// `neuro.default` for each parameter and state of population `p` whose
  /// model default reads parameters and that Sema folded to a value: the
  /// expression, should neuro-select-rows make a parameter it reads a row.
  /// Not for what the population gives (its arguments).
  void genDefaults(PopulationOp pop, const PopulationInfo &p);
  mlir::DenseI64ArrayAttr ablatedAttr(const PopulationInfo &p);
  mlir::DictionaryAttr paramDict(const std::map<std::string, double> &params);

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  /// Call sites of rand() in the module, each with its own random stream.
  int32_t randSites = 0;
  /// While a network expression is generated: resolves its names.
  Resolver refHook;
  /// The network being generated.
  const NetworkInfo *currentNet = nullptr;
  /// Populations of a model, for genDefaults once the networks are done.
  std::vector<std::pair<PopulationOp, const PopulationInfo *>> defaults;
  /// Shared values of the region being generated (forgetShared).
  llvm::DenseMap<const VarDecl *, mlir::Value> letValues;
  /// In a synapse's events (ownNestedLets), the lets read by the let being
  /// computed at depth 1 (letDepth: lets being computed).
  llvm::DenseMap<const VarDecl *, mlir::Value> nestedLetValues;
  bool ownNestedLets = false;
  unsigned letDepth = 0;
  std::map<std::vector<void *>, mlir::Value> callValues;
  /// The lets some network records, by model.
  std::map<const ModelInfo *, std::set<std::string>> recordedLets;
  const Module &module;
  const SemaResult &sema;
  const llvm::SourceMgr *sourceMgr;
};

} // namespace neuro::mlirgen

#endif // NEURO_FRONTEND_LIB_MLIRGENINTERNAL_H

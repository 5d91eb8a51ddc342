//===- SemaInternal.h - The checker shared by the Sema sources --*- C++ -*-===//
//
// The Checker behind runSema (Sema.h): one object per module checked, its
// members defined by concern in the files of this folder. Internal to
// NeuroFrontend.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_LIB_SEMA_SEMAINTERNAL_H
#define NEURO_FRONTEND_LIB_SEMA_SEMAINTERNAL_H

#include "neuro/Frontend/Sema.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace neuro {
namespace rt {
struct ConnectionSummary;
} // namespace rt

namespace sema {

/// The type of an expression: a dimension, or a truth value.
struct Type {
  Dim dim;
  bool isBool = false;
};

/// A compile-time constant: its value in SI and its dimension.
using Value = std::pair<double, Dim>;

/// A user function: its parameters' dimensions and its result's.
struct FunctionInfo {
  const FunctionDecl *decl = nullptr;
  std::vector<std::pair<std::string, Dim>> params;
  Dim result;
  bool ok = false; ///< declared and checked without errors
  /// Operations of the body once the functions it calls are inlined.
  uint64_t inlinedSize = 1;
};

/// Initial values by variable name, in declaration order.
using Inits = std::vector<std::pair<std::string, InitValue>>;

/// A connect statement being checked (CheckNetworkConnects.cpp).
struct Connection;

} // namespace sema
} // namespace neuro

#include "ExprQueries.h"
#include "SemaMessages.h"

namespace neuro {
namespace sema {

/// Checks a module: one per runSema call.
class Checker {
public:
  Checker(const Module &module, DiagEngine &diag, SemaResult &result,
          const std::set<std::string> &tunable,
          const std::map<std::string, std::string> &overrides,
          const OptionNames &names)
      : module(module), diag(diag), result(result), tunable(tunable),
        overrides(overrides), names(names) {}

  /// Checks the module; false when there were errors.
  bool run();
  /// Names given to --tunable that no population or projection has, or
  /// that a run cannot set: errors.
  void checkTunableNames();

private:
  //===--------------------------------------------------------------------===//
  // Units and the types of expressions (TypeCheck.cpp)
  //===--------------------------------------------------------------------===//

  /// A unit by name, or an error listing the known ones.
  std::optional<Unit> findUnit(const std::string &name, SourceRange range);

  /// Whether `e` calls a function usable in expressions (not uniform).
  bool checkCallee(const Expr &e);

  /// The dimension of a unit expression (`mV / ms`), or nullopt after
  /// reporting an unknown unit.
  std::optional<Dim> resolveUnit(const UnitSpec &spec);

  /// The first rand() or randn() in the events of `syn`, or null.
  static const Expr *eventDraw(const SynapseDecl &syn);
  /// Whether `e` reads `t` (first) and `lastspike` (second), itself or
  /// through the lets of `info` it reads.
  std::pair<bool, bool> timesRead(const Expr &e, const ModelInfo &info);

  /// A random draw in a network expression: uniform(low, high),
  /// normal(mean, sd), lognormal(median, sigma) = median e^(sigma N(0, 1)),
  /// exponential(mean), rand() in [0, 1), randn() standard normal.
  std::optional<Type> drawType(const Expr &e, const ModelInfo &info);

  /// Types `e` against the names of `env` (see netNames); returns its
  /// type or nullopt after reporting.
  std::optional<Type> typeNetExpr(const Expr &e,
                                  const std::map<std::string, Dim> &env,
                                  const std::string &what);

  /// Reports operands of `e` with different dimensions.
  void mismatch(const Expr &e, const Dim &l, const Dim &r);

  /// The type of a call of a built-in function with arguments of types
  /// `args`, or nullopt after reporting.
  std::optional<Type> callType(const Expr &e, const std::vector<Type> &args);

  /// Types an expression inside a model (ODE, threshold, statements).
  std::optional<Type> typeOf(const Expr &e, const ModelInfo &info);

  /// A name inside a model or network expression (netNames): a variable,
  /// a network constant, or a built-in (xi, t, dt, not_refractory).
  std::optional<Type> typeOfRef(const Expr &e, const ModelInfo &info);

  /// An operator of two operands: arithmetic, comparison or logic.
  std::optional<Type> typeOfBinary(const Expr &e, const ModelInfo &info);

  /// A call: of a user function, a random draw (in network expressions),
  /// rand() or a built-in function.
  std::optional<Type> typeOfCall(const Expr &e, const ModelInfo &info);

  /// Checks an expression has a number type of dimension `want`.
  void expectDim(const Expr &e, const ModelInfo &info, const Dim &want,
                 const std::string &what);

  /// The message for a unit name used as a value: the number it lacks, or
  /// the declaration of a value with that name.
  std::string unitNotValue(const std::string &name);

  /// Before the right operand of `binary` is typed or evaluated: a unit
  /// name there that `declared` says names nothing else, after a number and
  /// `*` or `/` (or raised to a power there: `2 mV/ms`, `1 / ms`,
  /// `0.1 mS/cm^2`), becomes the quantity 1 of that unit in the AST, which
  /// everything after Sema reads.
  static void
  bindUnitOperand(const Expr &binary,
                  const std::function<bool(const std::string &)> &declared);
  /// Whether `name` is declared where a model or network expression is
  /// typed (a variable, a built-in, a network name): it is then no unit.
  bool declaresName(const std::string &name, const ModelInfo &info) const;

  /// `not_refractory` (a neuron's own) or `not_refractory_post` /
  /// `not_refractory_pre` (a synapse's target's / source's): truth values.
  /// Whether built-in `e` (`own`, or `own`_post / `own`_pre in a synapse)
  /// may be read in `info`; else reports why (`what` the target's,
  /// `ownWhat` a neuron's own, `noSpike` why a neuron without `spike when`
  /// has none).
  bool checkNeuronBuiltin(const Expr &e, const ModelInfo &info,
                          const std::string &own, const std::string &what,
                          const std::string &ownWhat,
                          const std::string &noSpike);
  std::optional<Type> typeOfNotRefractory(const Expr &e, const ModelInfo &info);
  std::optional<Type> typeOfLastSpike(const Expr &e, const ModelInfo &info);

  //===--------------------------------------------------------------------===//
  // User functions (Functions.cpp)
  //===--------------------------------------------------------------------===//

  /// Declares user function `f`: its parameters' and result's dimensions.
  void declareFunction(const FunctionDecl &f);

  /// Types a function's body with its parameters; a function may call the
  /// functions declared before it (so no recursion).
  void checkFunction(const FunctionDecl &f);

  /// The user function `call` names as the call's file sees it: a
  /// function private to that file first (an imported model's file sees
  /// only its own file's functions), then one every file sees; null when
  /// none.
  FunctionInfo *findFunction(const Expr &call);
  /// `f`'s key in `functions`: its name, with its buffer when private.
  static std::string functionKey(const std::string &name, unsigned privateTo);

  /// A call of user function `f`: the arguments must have the parameters'
  /// dimensions.
  std::optional<Type> callFunction(const Expr &e, const FunctionInfo &f,
                                   const ModelInfo &info);

  //===--------------------------------------------------------------------===//
  // Constant evaluation (ConstEval.cpp)
  //===--------------------------------------------------------------------===//

  /// Evaluates a compile-time constant; `what` names the context for errors.
  std::optional<Value> evalConst(const Expr &e,
                                 const std::map<std::string, double> &env,
                                 const std::map<std::string, Dim> &dims,
                                 const std::string &what);

  /// A constant condition (comparisons of constants, `and`, `or`,
  /// `not`); reports and gives nothing otherwise.
  std::optional<bool> evalTruth(const Expr &e,
                                const std::map<std::string, double> &env,
                                const std::map<std::string, Dim> &dims,
                                const std::string &what);
  /// An operator of two constants; `+` and `-` need equal dimensions, `^`
  /// a dimensionless exponent (a small integer for a quantity).
  std::optional<Value> evalBinary(const Expr &e,
                                  const std::map<std::string, double> &env,
                                  const std::map<std::string, Dim> &dims,
                                  const std::string &what);

  /// A call in a constant: of a user function (foldFunction) or a built-in
  /// function.
  std::optional<Value> evalCall(const Expr &e,
                                const std::map<std::string, double> &env,
                                const std::map<std::string, Dim> &dims,
                                const std::string &what);

  /// A call of user function `f` with constant arguments: its body,
  /// evaluated with the arguments' values.
  std::optional<Value> foldFunction(const Expr &e, const FunctionInfo &f,
                                    const std::map<std::string, double> &env,
                                    const std::map<std::string, Dim> &dims,
                                    const std::string &what);

  /// `timed(VALUES, EVERY[, UNIT])` for a parameter of dimension `want`
  /// of a population of timedSize neurons: VALUES is a list of quantities
  /// or a table file of numbers in UNIT (one column shared by all neurons,
  /// or one per neuron); value n holds from n EVERY on, the last one after
  /// the end.
  std::optional<InitValue> evalTimed(const Expr &e, const Dim &want);

  /// An initial value: a constant, or `uniform(a, b)` at the top level;
  /// `what` names the variable in errors ("'w'").
  std::optional<std::pair<InitValue, Dim>>
  evalInit(const Expr &e, const std::map<std::string, double> &env,
           const std::map<std::string, Dim> &dims, std::optional<Dim> want,
           const std::string &what = "the variable");

  /// The parameters of `info` with their default values.
  std::map<std::string, double> paramEnv(const ModelInfo &info);

  /// The dimensions of the parameters of `info` that have defaults.
  std::map<std::string, Dim> paramDims(const ModelInfo &info);

  /// A neuron's refractory period with parameters `env` in a network of
  /// step `dt`: a constant of the parameters and `dt` (unless the model
  /// declares a `dt` of its own), so that `refractory t_ref + dt` counts
  /// the period from the end of the spike's step, as NEST and NEURON do.
  std::optional<Value> evalRefractory(const Expr &e,
                                      std::map<std::string, double> env,
                                      std::map<std::string, Dim> dims,
                                      double dt);

  /// Evaluates a constant of a network (numbers and network parameters).
  std::optional<Value> netConst(const Expr &e, const std::string &what);

  /// A network constant of dimension `want`, finite; nullopt after
  /// reporting.
  std::optional<double> netQuantity(const Expr &e, const Dim &want,
                                    const std::string &what);

  /// A frequency written per millisecond (`5 / 1 ms`, `5 / ms`-style) is
  /// kilohertz: Brian2 and NESTML models often mean hertz there. Warns when
  /// such a rate is above 100 Hz.
  void warnSuspiciousRate(const Expr &e, const Dim &dim, double value);

  //===--------------------------------------------------------------------===//
  // Files named in a model (DataFiles.cpp)
  //===--------------------------------------------------------------------===//

  /// `values("FILE", UNIT)`: one number per neuron, in UNIT, from a table
  /// file: its column named like the variable, or its only column, with
  /// one row per neuron. Held as a timed table that never changes.
  std::optional<InitValue> evalValues(const Expr &e, const std::string &name,
                                      const Dim &want);

  /// `timed("FILE", EVERY, UNIT)` (`e`) for a parameter of dimension `want`:
  /// appends the file's numbers in SI to `values`, row by row, and sets
  /// `columns` (one, or one per neuron). False after an error.
  bool readTimedFile(const Expr &e, const Dim &want, int64_t &columns,
                     std::vector<double> &values);

  /// The spikes of `SpikeTimes(file = "FILE")` (`file` the string),
  /// checked as checkSpikeTimes does (several of one neuron in one step
  /// only where `sameStep`).
  std::optional<Spikes> readSpikeTimesFile(const PopulationDecl &p,
                                           const Expr &file, int64_t size,
                                           double dt, bool sameStep);
  /// What to take from the times of spike file `path` to get the start of
  /// the step each spike happened in: the step of the recording where
  /// `recordings.json` beside it lists it as spikes Neuro recorded (stamped
  /// at the end of their step), else 0 (with a warning at `where` when a
  /// recordings.json is there but cannot say).
  double recordedStampShift(const std::string &path,
                            const std::vector<double> &times,
                            SourceRange where);

  /// A path as written in the model, relative to the folder of the file
  /// that holds the network.
  std::string resolvePath(const std::string &written, SourceRange where);

  /// The listed synapses must join neurons of the two populations.
  bool checkListed(const rt::ConnectionSummary &list, const PopulationInfo &src,
                   const PopulationInfo &dst, const NameRef &file);

  /// `named "cells.csv"`: one name per neuron, from the file's column
  /// `name` (or its only column).
  void readCells(const PopulationDecl &p, PopulationInfo &pop);

  //===--------------------------------------------------------------------===//
  // Neurons and synapses (CheckModels.cpp)
  //===--------------------------------------------------------------------===//

  /// Declares the variables of a model; evaluates parameter defaults.
  void declareVars(ModelInfo &info, const std::vector<VarDecl> &vars);

  /// The dimension of an initial value (`uniform(a, b)` allowed), given
  /// the parameters declared before it with their values and dimensions.
  std::optional<Dim> typeOfInit(const Expr &e,
                                const std::map<std::string, double> &env,
                                const std::map<std::string, Dim> &dims);
  /// A neuron state's initial value that reads states: it may read the
  /// parameters and the states declared before it. Its dimension, or
  /// nullopt after reporting what is wrong.
  std::optional<Dim> typeOfStateInit(const VarDecl &v, const ModelInfo &info,
                                     const std::vector<VarDecl> &vars);

  /// Checks the equations of a model: each names a state once and has its
  /// dimension per second.
  void checkOdes(ModelInfo &info, const std::vector<OdeDecl> &odes,
                 bool neuron);

  /// What a post-state equation may read: it is one value per target
  /// neuron, so not the weight, per-synapse states or source variables.
  /// Lets are looked through.
  void checkSynapseReads(const Expr &e, const ModelInfo &info,
                         const std::string &what, unsigned depth = 0);

  /// The kinds of declaration `e` reads, through lets.
  void collectKinds(const Expr &e, const ModelInfo &info,
                    std::set<VarDecl::Kind> &kinds, unsigned depth = 0);

  /// Checks assignments (`v = v_reset`, `g += w`) to the kinds of
  /// variables in `assignable`; `where` names the block for messages.
  void checkStmts(const ModelInfo &info, const std::vector<Stmt> &stmts,
                  const std::set<VarDecl::Kind> &assignable,
                  const std::string &where);

  /// Checks neuron `n` and adds it to the result's models.
  void checkNeuron(const NeuronDecl &n);

  /// Whether every name `e` reads is declared in `info` or built in
  /// (reports the others as undeclared where `report`).
  bool readsOnlyKnownNames(const Expr &e, const ModelInfo &info,
                           bool report = true);

  /// Whether `init` is an initial value of the dimension of `var` (reports
  /// otherwise; true for a variable whose unit is unknown).
  bool checkInitDim(const Expr &init, const ModelInfo &info,
                    const VarInfo &var);

  /// The `@method(...)` among `annotations` (empty: none), one of
  /// `allowed`; another method is reported as unknown, followed by
  /// `expected`.
  std::string readMethod(const std::vector<Annotation> &annotations,
                         const std::vector<std::string> &allowed,
                         const std::string &expected);

  /// Checks synapse (or rule) `s` and adds it to the result's models;
  /// `composite`: a synapse with rules merged in (no unused warnings).
  void checkSynapse(const SynapseDecl &s, bool composite = false);

  /// Warnings on a checked model: parameters never used, declarations
  /// that shadow a built-in name.
  void warnAboutModel(const ModelInfo &info, const std::vector<VarDecl> &vars);

  //===--------------------------------------------------------------------===//
  // Plasticity rules attached at connect (AttachRules.cpp)
  //===--------------------------------------------------------------------===//

  /// `with S + R1 + R2`: the synapse S with the rules merged in (their
  /// declarations, equations and statements after S's), checked as one
  /// synapse `S+R1+R2`; null after reporting a clash.
  const ModelInfo *attachRules(const ModelInfo &syn, const ConnectDecl &c);

  /// Merges rule `r` into `merged` (synapse `syn` with the rules before
  /// `r`): its variables but the weight, which must be the synapse's, its
  /// equations, and its events' statements after those of the same event.
  /// False after reporting an unknown rule or a clash.
  bool mergeRule(const ModelInfo &syn, const NameRef &r, SynapseDecl &merged);

  //===--------------------------------------------------------------------===//
  // Networks (CheckNetwork.cpp)
  //===--------------------------------------------------------------------===//

  /// Checks network `decl` and adds it, instantiated, to the result.
  void checkNetwork(const NetworkDecl &decl);

  /// `param g = 5` of a network: evaluated in order (each may use those
  /// before it), then visible to every expression of the network; `--set
  /// g=VALUE` (overrides) replaces the value.
  void checkNetworkParams(const NetworkDecl &decl, NetworkInfo &net);

  /// The settings of a network: `dt = 0.1 ms`, `seed = 42`.
  void checkNetworkSettings(const NetworkDecl &decl, NetworkInfo &net);
  /// Populations, connections, records and ablations written after the
  /// first run: errors (they would hold from t = 0).
  void checkAfterRuns(const NetworkDecl &decl);

  /// `run 100 ms`: each run a whole number of steps; sets the network's
  /// duration and `runStart`, the step where each run starts (and where
  /// the last one ends). False when a duration is wrong.
  bool checkRuns(const NetworkDecl &decl, NetworkInfo &net,
                 std::vector<int64_t> &runStart);

  /// `plasticity off E_to_E` between runs: switches that take effect where
  /// the next run starts (none when `runsOk` is false).
  void checkPlasticitySwitches(const NetworkDecl &decl, NetworkInfo &net,
                               const std::vector<int64_t> &runStart,
                               bool runsOk);

  /// The slice a `[begin:end]` or a `[Name]` selects; nullopt for the whole
  /// population, or after reporting an unknown name.
  std::optional<std::pair<double, double>>
  cellSlice(const std::optional<std::pair<double, double>> &slice,
            const std::optional<NameRef> &cell, const NetworkInfo &net,
            int pop);

  //===--------------------------------------------------------------------===//
  // Populations (CheckNetworkPopulations.cpp)
  //===--------------------------------------------------------------------===//

  /// `NAME = N of Model(...)`: adds the population to `net` and `popIndex`
  /// (its index by name).
  void checkPopulation(const PopulationDecl &p, NetworkInfo &net,
                       std::map<std::string, int> &popIndex);

  /// The size of population `p`, a whole number from 1 to 2e9; false after
  /// reporting another.
  bool checkPopulationSize(const PopulationDecl &p, PopulationInfo &pop);
  /// Reports that no population is called `name`, unless one was declared
  /// with errors.
  void unknownPopulation(SourceRange where, const std::string &name);

  /// A population of a neuron model, in a network of step `dt`: its
  /// parameters and initial values with the arguments applied, and its
  /// refractory period. False when the model is unknown.
  bool checkModelPopulation(const PopulationDecl &p, double dt,
                            PopulationInfo &pop);

  /// Where `tunable` names a parameter of `pop` that the refractory period
  /// reads (itself or by `*`), the period is computed per neuron
  /// (ModelInfo::refractoryPerNeuron).
  void checkTunableRefractory(const std::string &popName,
                              const PopulationInfo &pop);

  /// What the compiler derives from a population's parameters follows the
  /// population's values. A parameter whose default is an expression of
  /// others (AdEx's `V_peak = V_T + 5 * Delta_T`) is evaluated with the
  /// overrides; when it uses a parameter set per neuron it becomes one
  /// too, computed from the rows (a `derived` initial expression, computed
  /// again when the host changes the rows it reads). Initial values of
  /// states that use parameters set per neuron are computed per neuron.
  /// Per-neuron values are computed in declaration order: an expression
  /// may read the per-neuron parameters declared before it.
  void deriveFromParameters(const PopulationDecl &p, PopulationInfo &pop);

  /// The parameters of deriveFromParameters whose defaults read other
  /// parameters (those not `given` at the population): constants
  /// evaluated with the population's values, or derived per neuron.
  void deriveParams(const PopulationDecl &p, const std::set<std::string> &given,
                    PopulationInfo &pop);

  /// Puts the parameters set per neuron in declaration order; reports an
  /// expression of one that reads one declared after it.
  void sortPerNeuron(PopulationInfo &pop);

  /// `--set POP.VAR=VALUE` for a variable whose value is an expression
  /// computed per neuron by the init kernel (of the neuron's index, or of
  /// parameters set per neuron): compiled in as a constant, which the
  /// expressions after it read, as the runtime cannot replace what the
  /// kernel computes.
  void overridePerNeuron(const PopulationDecl &p, PopulationInfo &pop);

  //===--------------------------------------------------------------------===//
  // Spike sources (CheckNetworkInputs.cpp)
  //===--------------------------------------------------------------------===//

  /// A population of SpikeTimes, PoissonInput or PoissonDrive in a network
  /// of step `dt`; false when its spikes or rate are wrong.
  bool checkSpikeSource(const PopulationDecl &p, double dt,
                        PopulationInfo &pop);

  /// `PoissonInput(rate = R)` (and `PoissonDrive`): the rate in Hz, at most
  /// one spike per step.
  std::optional<double> checkPoissonInput(const PopulationDecl &p, double dt);

  /// `SpikeTimes(indices = [...], times = [...])` or `SpikeTimes(file =
  /// "FILE")` of `size` neurons: its spikes, at most one per neuron and
  /// step of `dt` unless `same_step = "all"` is given; with `period = P`
  /// (a whole number of steps above every time, Brian2's
  /// SpikeGeneratorGroup period) `period` is P in seconds.
  std::optional<Spikes> checkSpikeTimes(const PopulationDecl &p, int64_t size,
                                        double dt, double &period);
  /// The period of `SpikeTimes(..., period = P)`, checked against the
  /// spikes: P in seconds, or nothing after an error.
  std::optional<double> checkSpikePeriod(const Expr &e, const Spikes &spikes,
                                         double dt);

  /// A projection from a Poisson drive: one-to-one from a block of new
  /// neurons of the drive onto the targets, each standing for the K inputs
  /// of its target. The synapse acts on its target only: `on pre` may
  /// write the target's variables (and read the weight, drawn per target
  /// if given so), nothing per synapse evolves.
  bool connectDrive(const ConnectDecl &c, const ModelInfo &syn, bool rule,
                    PopulationInfo &drive, ProjectionInfo &proj);

  //===--------------------------------------------------------------------===//
  // Arguments of populations and connects (CheckNetworkArgs.cpp)
  //===--------------------------------------------------------------------===//

  /// Names of a population's initial-value expressions: i, N and the
  /// model's parameters.
  std::map<std::string, Dim> populationEnv(const ModelInfo &model);

  /// Names of a connection's expressions: i (source), j (target), N_pre,
  /// N_post, the source's and target's states and parameters as NAME_pre
  /// and NAME_post, and the synapse's parameters.
  std::map<std::string, Dim> connectEnv(const ModelInfo &syn,
                                        const PopulationInfo &src,
                                        const PopulationInfo &dst);

  /// Applies `Model(name = value, ...)` arguments to parameter values and
  /// initial values; `initKinds` says which variable kinds take initial
  /// values; `perNeuron` (a population's) receives the parameters set per
  /// neuron.
  void applyArgs(const ModelInfo &model, SourceRange modelRef,
                 const std::vector<NamedExpr> &args,
                 std::map<std::string, double> &params, Inits &inits,
                 const std::vector<VarDecl::Kind> &initKinds,
                 Inits *perNeuron = nullptr);

  /// One argument `a` of applyArgs, for variable `var` of `model`.
  void applyArg(const ModelInfo &model, const NamedExpr &a, const VarInfo &var,
                std::map<std::string, double> &params, Inits &inits,
                const std::vector<VarDecl::Kind> &initKinds, Inits *perNeuron);

  /// Adds the states of `model` declared before state argument `a` to
  /// `env`; false after reporting a state it reads declared after it (or
  /// itself).
  bool earlierStates(const ModelInfo &model, const NamedExpr &a,
                     std::map<std::string, Dim> &env);
  /// An argument of applyArgs evaluated per neuron (synapse) when the
  /// network is built: typed against argEnv.
  void applyKernelArg(const NamedExpr &a, const VarInfo &var,
                      std::map<std::string, double> &params, Inits &inits,
                      Inits *perNeuron);

  /// The initial values of applyArgs not `given`: their declarations'
  /// values with the parameters `params` (computed per neuron when they
  /// read a parameter set per neuron).
  void applyDefaultInits(const ModelInfo &model, SourceRange modelRef,
                         const std::map<std::string, SourceRange> &given,
                         const std::map<std::string, double> &params,
                         Inits &inits, const Inits *perNeuron);

  //===--------------------------------------------------------------------===//
  // Connects (CheckNetworkConnects.cpp)
  //===--------------------------------------------------------------------===//

  /// `connect A -> B, C with S ...`: one projection per target, added to
  /// `net`; `projNames` counts the projections by name.
  void checkConnect(const ConnectDecl &c, NetworkInfo &net,
                    const std::map<std::string, int> &popIndex,
                    std::map<std::string, int> &projNames);

  /// The options of a connect: its rule (p, in_degree, out_degree,
  /// one_to_one), autapses, delays and `procedural`.
  void readConnectOptions(Connection &conn);

  /// `procedural` (CheckProcedural.cpp): an error at the keyword for each
  /// projection of `net` that asks for it and cannot be kept as its rule.
  void checkProcedural(const NetworkInfo &net);
  /// Why projection `j` of `net` cannot be kept as its rule; "" if it can.
  std::string proceduralBlocker(const NetworkInfo &net, size_t j);

  /// `connect ... from "FILE"`: reads the synapses the file lists; false
  /// after an error.
  bool readListed(Connection &conn);
  /// An error where `conn` makes two synapses of one pair (n = K), whose
  /// events would draw alike (`draw`).
  void checkEventKeys(const Connection &conn, const Expr &draw);
  /// An error where the file of `conn` lists a pair twice, whose events
  /// would draw alike (`draw`).
  void checkDistinctPairs(const Connection &conn, const std::string &weightName,
                          const Expr &draw);

  /// Neurons [begin, end) of population `pop`, from an optional slice;
  /// false after reporting a slice outside the population.
  bool sliceNeurons(const std::optional<std::pair<double, double>> &slice,
                    const NetworkInfo &net, int pop, SourceRange where,
                    int64_t &begin, int64_t &end);

  /// Whether the synapse of `conn` has something to act on in target `t`
  /// (population `dst`) and a delay something to postpone; warns of a
  /// source that never spikes.
  bool checkActs(const Connection &conn, const NameRef &t, int dst,
                 const NetworkInfo &net);
  /// The projection of `conn` onto its target `ti`, added to `net` unless
  /// there is an error; false when the connect's other targets are not to
  /// be checked.
  bool checkTarget(const Connection &conn, size_t ti, NetworkInfo &net,
                   const std::map<std::string, int> &popIndex,
                   std::map<std::string, int> &projNames);

  /// The name of a projection: `as NAME`, or `<src>_to_<dst>` made unique
  /// (`_1`, `_2`, ... past the names of populations and of projections
  /// named so far); false when the name is taken.
  bool nameProjection(const ConnectDecl &c, const NameRef &target,
                      const std::map<std::string, int> &popIndex,
                      std::map<std::string, int> &projNames,
                      ProjectionInfo &proj);

  /// Types a connect's expressions of the pair, against `env`: p, `where`
  /// and the delay. False after an error.
  bool checkConnectExprs(const Connection &conn,
                         const std::map<std::string, Dim> &env,
                         ProjectionInfo &proj);

  //===--------------------------------------------------------------------===//
  // Projections and their neurons (CheckNetworkProjections.cpp)
  //===--------------------------------------------------------------------===//

  /// `--set PROJ.VAR=VALUE` for a projection: its parameters and the
  /// initial values of its weight and states, compiled in with the value.
  void overrideProjection(const ModelInfo &syn, const ConnectDecl &c,
                          ProjectionInfo &proj);

  /// Dale's law: the weights of a projection from an `excitatory`
  /// (`inhibitory`) population must be >= 0 (<= 0). Constants, draws and
  /// listed weights are checked here; weights that change in a run are
  /// checked by the runtime.
  void checkDale(const ProjectionInfo &proj, const ModelInfo &syn,
                 const ConnectDecl &c, const rt::ConnectionSummary *listed,
                 const PopulationDecl &src);

  /// `d = DA.d` at connect binds modulator `d` of the synapse to state `d`
  /// of population DA; every modulator must be bound.
  void bindModulators(const ModelInfo &syn, const ConnectDecl &c,
                      const NetworkInfo &net,
                      const std::map<std::string, int> &popIndex,
                      ProjectionInfo &proj);

  /// `post v` (`pre v`) of synapse `syn`: the target (source) neuron must
  /// have a state v of that dimension.
  void checkNeuronVars(const ModelInfo &syn, const PopulationInfo &pop,
                       VarDecl::Kind kind, SourceRange where);

  /// `drives I = g`: the target neuron must have input I of g's dimension.
  void checkDrives(const ModelInfo &syn, const PopulationInfo &target,
                   SourceRange where);

  //===--------------------------------------------------------------------===//
  // Records and ablations (CheckNetworkRecords.cpp)
  //===--------------------------------------------------------------------===//

  /// `record ...`: spikes of populations, states of neurons or
  /// per-synapse variables of a projection.
  void checkRecord(const RecordDecl &r, NetworkInfo &net,
                   const std::map<std::string, int> &popIndex);

  /// The neurons [begin, end) target `t` of a record names in
  /// `population` (all without a slice or a named neuron); false after
  /// reporting a bad slice or name.
  bool recordedNeurons(const RecordTarget &t, int population,
                       const NetworkInfo &net, int64_t &begin, int64_t &end);
  /// `record spikes of E[0:10]`: the spikes of neurons of `population`
  /// (one range per population).
  void checkSpikeRecord(const RecordTarget &t, int population,
                        NetworkInfo &net);

  /// `record v, w of E[0:10]`: states of neurons of population
  /// `population`, or what incoming projections add to them.
  void checkStateRecord(const RecordDecl &r, const RecordTarget &t,
                        int population, int64_t everySteps, NetworkInfo &net);

  /// Whether parameter `w` of population `popName` is a row a record can
  /// sample (set per neuron, timed or tunable); else reports why not.
  bool recordableParam(const PopulationInfo &pop, const std::string &popName,
                       const NameRef &w);
  /// Whether parameter `name` of population `popName` is a row: set per
  /// neuron, timed, tunable, or computed by its model's default from such
  /// a row (AdEx's V_peak from a tunable V_T) where the population does
  /// not give it.
  bool paramIsRow(const PopulationInfo &pop, const std::string &popName,
                  const std::string &name, int depth = 0);
  /// A row that incoming projections add to population `dst`: a post state
  /// (`g_E_to_E`, or `g` when one projection has it) or the sum of a
  /// per-synapse drive (`I_nmda_In_to_N`, or `I_nmda` when one projection
  /// sums into that input and nothing else drives it). False after an
  /// error that names what there is.
  bool incomingRow(const NameRef &w, const NetworkInfo &net, int dst,
                   const std::string &popName, std::string &row);
  /// Whether drive `d` of synapse `syn` is summed over the synapses onto
  /// each target every step (it reads per-synapse variables), into a row
  /// `<input>_<projection>` of the target.
  bool isSummedDrive(const DrivesDecl &d, const ModelInfo &syn);
  /// The rows the projections add to their targets (post states, summed
  /// drives) must not take the names of the targets' own variables, nor
  /// each other's.
  void checkTargetRows(const NetworkInfo &net);

  /// `record w of E_to_I[0:100]`: per-synapse variables of synapses
  /// [begin, end) of a projection (their number is known only when the
  /// network is built: the range is clipped then).
  void checkSynapseRecord(const RecordDecl &r, const RecordTarget &t,
                          NetworkInfo &net, int proj, int64_t everySteps);

  /// `ablate E[0:10]`: neurons of a population left without synapses.
  void checkAblated(const RecordTarget &t, NetworkInfo &net,
                    const std::map<std::string, int> &popIndex);

  //===--------------------------------------------------------------------===//
  // State
  //===--------------------------------------------------------------------===//

  /// The module checked, where its diagnostics go and what is found.
  const Module &module;
  DiagEngine &diag;
  SemaResult &result;
  /// Names a run may set (runSema's `tunable`), checked here.
  const std::set<std::string> &tunable;
  /// Where the expression being typed is: `t` is available in equations and
  /// spike conditions, rand() in spike conditions.
  bool allowTime = false;
  bool allowRand = false;
  /// `lastspike` (`_post`, `_pre`): in spike conditions, resets and events.
  bool allowLastSpike = false;
  bool allowNoise = false;
  /// The lets that read `t` (first) or `lastspike` (second), themselves or
  /// through other lets: typed where they are used, as those names are.
  std::map<const VarDecl *, std::pair<bool, bool>> letTimes;
  /// Names referenced while checking the current model.
  std::set<std::string> used;
  /// Neuron variables read by connections (x for x_pre, x_post).
  std::set<std::string> usedByNetworks;
  /// The network's dt and the population's size, for timed().
  double timedDt = 1e-4;
  int64_t timedSize = 1;
  /// While a network expression is typed: the names it may use and their
  /// dimensions, and what it is (for messages).
  const std::map<std::string, Dim> *netNames = nullptr;
  std::string netWhat;
  /// The names of the arguments being applied (populationEnv or
  /// connectEnv), for arguments evaluated per neuron or synapse.
  const std::map<std::string, Dim> *argEnv = nullptr;
  /// Parameters drawn per neuron in the population being checked: they
  /// cannot give compile-time constants.
  std::set<std::string> perNeuronNames;
  /// Populations declared with errors (reported): later statements that
  /// name them are skipped without an "unknown population" error.
  std::set<std::string> failedPopulations;
  /// User functions folded with constant arguments, by name and
  /// arguments: a chain of functions that each call the one before twice
  /// folds in linear time, not exponential.
  std::map<std::pair<std::string, std::vector<double>>, Value> folded;
  /// The constants (`param`) of the network being checked.
  std::map<std::string, Value> netConstants;
  /// While a network is checked (unitNotValue suggests a network `param`).
  bool inNetwork = false;
  /// Values given at run time for compile-time constants (`--set g=5`,
  /// `--set E_to_I.w=0.2mV`); those used go to SemaResult::usedOverrides.
  const std::map<std::string, std::string> &overrides;
  std::set<std::string> &consumedOverrides = result.usedOverrides;
  /// What messages call the options that gave `tunable` and `overrides`.
  const OptionNames &names;
  /// The user functions declared, by functionKey().
  std::map<std::string, FunctionInfo> functions;
  /// While a function body is typed: draws and rand() are not allowed, and
  /// the functions declared from it on are hidden.
  bool inFunction = false;
  std::set<std::string> hiddenFunctions;
  /// While a connection rule is typed: no draws.
  bool noDraws = false;
};

} // namespace sema
} // namespace neuro

#endif // NEURO_FRONTEND_LIB_SEMA_SEMAINTERNAL_H

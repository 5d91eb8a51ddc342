//===- Sema.h - Name, dimension and network checks --------------*- C++ -*-===//
//
// Semantic analysis of a parsed module: resolves every name, gives every
// expression a physical dimension and rejects mismatches, evaluates the
// compile-time constants (parameters, initial values, sizes, dt, p, delay)
// in SI units, and instantiates networks: populations with their parameter
// values and one projection per (connect, target) pair.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_SEMA_H
#define NEURO_FRONTEND_SEMA_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"
#include "neuro/Frontend/Units.h"
#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/OptionNames.h"

#include <functional>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace neuro {

/// `pi` in expressions where nothing declares that name (Brian2's).
inline constexpr double kPi = 3.14159265358979323846;

/// The value of a built-in constant, `pi`, `inf`, `True` or `False`
/// (Brian2's; the two last are 1 and 0, as a Brian2 boolean is stored),
/// where nothing declares that name; nullopt for other names.
inline std::optional<double> builtinConstant(const std::string &name) {
  if (name == "pi")
    return kPi;
  if (name == "inf")
    return std::numeric_limits<double>::infinity();
  if (name == "True")
    return 1.0;
  if (name == "False")
    return 0.0;
  return std::nullopt;
}

/// How a state variable starts, in SI: the runtime's description (a
/// constant, a uniform or normal draw, a table in time, with `every` in
/// steps) or, with `expr` set, an expression (`kind` then unused).
struct InitValue : rt::InitSpec {
  /// An expression of the neuron (or synapse) index, random draws and the
  /// network's values, evaluated per neuron (synapse) when the network is
  /// built; null for the kinds of rt::InitSpec.
  const neuro::Expr *expr = nullptr;
  /// An expression of a parameter: the model's default expression of other
  /// parameters, computed again whenever the host changes the rows it
  /// reads (see the derive kernel in docs/architecture.md).
  bool derived = false;
};

/// A declared variable of a neuron or synapse with its checked dimension.
struct VarInfo {
  const VarDecl *decl = nullptr;
  Dim dim;
  double defaultValue = 0.0; ///< params: the evaluated default
  bool hasDefault = false;
  /// False when the declared unit is unknown (reported): checks against
  /// the variable's dimension are skipped.
  bool unitKnown = true;
};

/// A checked neuron or synapse type.
struct ModelInfo {
  std::string name;
  bool isSynapse = false;
  /// A `plasticity` rule: only attached to synapses, never a model itself.
  bool isRule = false;
  const NeuronDecl *neuron = nullptr;
  const SynapseDecl *synapse = nullptr;
  std::map<std::string, VarInfo> vars;
  double refractory = 0.0; ///< neurons: seconds
  /// Neurons: a population sets a parameter of the refractory period per
  /// neuron (or per run), so the IR carries the period as an expression.
  bool refractoryPerNeuron = false;
  /// Neurons: refractoriness given by a condition of the state (refractory
  /// from a spike until the condition is false at the start of a step).
  bool refractoryCondition = false;
  /// Integration method chosen with `@method(...)`; empty: automatic.
  std::string method;
};

struct PopulationInfo {
  const PopulationDecl *decl = nullptr;
  const ModelInfo *model = nullptr;
  int64_t size = 0;
  std::map<std::string, double> params; ///< every parameter, overrides applied
  /// The refractory period with this population's parameters, seconds
  /// (unused where it differs between neurons: the kernels compute it).
  double refractory = 0.0;
  /// Every state in declaration order with its initial value.
  std::vector<std::pair<std::string, InitValue>> inits;
  /// `SpikeTimes(indices = [...], times = [...])`: (time, neuron) of every
  /// spike, instead of a model.
  std::optional<std::vector<std::pair<double, int64_t>>> generator;
  /// `SpikeTimes(..., period = P)`: the spikes again every P seconds (0:
  /// once).
  double spikePeriod = 0.0;
  /// `PoissonInput(rate = R)`: each neuron spikes in each step with
  /// probability R dt, instead of a model (Hz).
  std::optional<double> poissonRate;
  /// `K of PoissonDrive(rate = R)`: every target of the population's
  /// projections receives K independent inputs of rate R; `size` is then
  /// the number of those targets (one neuron of the drive per target).
  std::optional<int64_t> driveInputs;
  int64_t connected = 0; ///< a drive's targets so far
  /// `named "cells.csv"`: neuron i is cells[i].
  std::vector<std::string> cells;
  /// `ablate`: neurons without synapses, ascending.
  std::vector<int64_t> ablated;
  /// Parameters drawn per neuron (`LIF(tau_m = uniform(10 ms, 30 ms))`);
  /// they are not in `params`.
  std::vector<std::pair<std::string, InitValue>> paramInits;
};

struct ProjectionInfo {
  const ConnectDecl *decl = nullptr;
  SourceRange targetRange;
  std::string name; ///< "<src>_to_<dst>", made unique
  int src = 0, dst = 0;
  const ModelInfo *model = nullptr;
  std::map<std::string, double> params;
  /// The weight and every post state, in declaration order.
  std::vector<std::pair<std::string, InitValue>> inits;
  double p = 1.0;
  double delay = 0.0; ///< seconds
  /// Per-synapse delays (`delay = uniform(1 ms, 3 ms)`), when drawn.
  std::optional<InitValue> delayInit;
  /// "probability", "in_degree", "out_degree", "one_to_one", "file" or
  /// "expression".
  std::string rule = "probability";
  int64_t degree = 0;
  bool autapses = true;
  /// `n = K`: K synapses for each pair the rule selects (Brian2's n).
  int64_t multiplicity = 1;
  /// Neurons [srcBegin, srcEnd) connect to [dstBegin, dstEnd).
  int64_t srcBegin = 0, srcEnd = 0, dstBegin = 0, dstEnd = 0;
  /// `d = DA.d`: modulator `name` of the synapse reads state `var` of
  /// population `population` (the mean over its neurons).
  struct Modulator {
    std::string name;
    int population = 0;
    std::string var;
  };
  std::vector<Modulator> modulators;
  /// rule "expression": each pair (i, j) connects with probability
  /// `probExpr` (may be null: p) where `whereExpr` holds (may be null).
  const Expr *probExpr = nullptr;
  const Expr *whereExpr = nullptr;
  /// Dale's law: +1 (-1) when every weight must be >= 0 (<= 0), from the
  /// source population's `excitatory` (`inhibitory`); else 0.
  int sign = 0;
  /// `from "FILE"` (rule "file"): the synapses listed in FILE (resolved
  /// path), with their weights and delays when the file has those columns.
  std::string file;
  bool fileWeights = false, fileDelays = false;
  /// `procedural` (at `proceduralRange`): kept as its rule, its synapses
  /// drawn again for each spike (docs/procedural.md).
  bool procedural = false;
  SourceRange proceduralRange;
};

/// `record v, w of E[0:10] every 1 ms`: states of neurons [begin, end).
/// With `projection` >= 0 (`record w of E_to_I[0:100]`): per-synapse
/// variables of synapses [begin, end) of that projection (end -1: all).
/// The variables are named (`vars`); rt::StateRecordSpec::rows, their
/// indices, is left empty until the network is lowered (extractModelSpec).
struct StateRecordInfo : rt::StateRecordSpec {
  std::vector<std::string> vars;
  SourceRange range;
};

struct SpikeRecordInfo : rt::RecordSpec {
  SourceRange range;
};

struct NetworkInfo {
  const NetworkDecl *decl = nullptr;
  /// `param g = 5`: the network's constants (SI), by name.
  std::map<std::string, double> constants;
  double dt = 1e-4;
  double duration = 0.0; ///< all runs, as asked (steps: runSteps)
  uint64_t seed = 0;
  std::vector<PopulationInfo> populations;
  std::vector<ProjectionInfo> projections;
  std::vector<SpikeRecordInfo> recordSpikes; ///< one per population
  std::vector<StateRecordInfo> recordStates;
  /// `plasticity on|off`: from step `step` on, projection `projection`'s
  /// weights change (or not).
  struct PlasticSwitch : rt::ModelSpec::PlasticSwitch {
    SourceRange range;
  };
  std::vector<PlasticSwitch> plasticSwitches;
};

struct SemaResult {
  std::map<std::string, ModelInfo> models;
  std::vector<NetworkInfo> networks;
  /// Every checked model, in source order (neurons first, then synapses,
  /// then the synapses with rules attached at connect).
  std::vector<const ModelInfo *> modelOrder;
  /// `with S + R`: the synapse S with rule R merged in, named `S+R`.
  std::list<SynapseDecl> composites;
  /// The overrides given to runSema that named a network's parameter or a
  /// projection's variable (compiled in with their values).
  std::set<std::string> usedOverrides;
  /// The data files the model reads (tables, spike times, synapse lists,
  /// names), absolute: a run must not write its recordings over them.
  std::set<std::string> dataFiles;
};

/// The built-in truth values of refractoriness: `not_refractory` in a
/// neuron, `not_refractory_post` / `not_refractory_pre` (the target's,
/// the source's) in a synapse.
inline bool isNotRefractoryName(const std::string &name) {
  return name == "not_refractory" || name == "not_refractory_post" ||
         name == "not_refractory_pre";
}

/// The built-in times of the last spike (Brian2's `lastspike`):
/// `lastspike` in a neuron, `lastspike_post` / `lastspike_pre` in a synapse.
inline bool isLastSpikeName(const std::string &name) {
  return name == "lastspike" || name == "lastspike_post" ||
         name == "lastspike_pre";
}

/// Checks `module`; reports through `diag`. False when there were errors.
/// `tunable` names what a run will set ("POP.NAME", "POP.*", "*",
/// "PROJ.w"): the names are checked here (a model has them; one the
/// refractory period reads makes the period per neuron: ModelInfo::
/// refractoryPerNeuron); which parameters become rows is decided in
/// the IR (neuro-select-rows). `overrides` ("g", "PROJ.VAR" -> "5 mV") give
/// a network's parameters and a projection's parameters and initial values
/// the values written (checked against their dimensions), compiled in.
bool runSema(const Module &module, DiagEngine &diag, SemaResult &result,
             const std::set<std::string> &tunable = {},
             const std::map<std::string, std::string> &overrides = {},
             const OptionNames &names = {});

/// The SI value of a numeric literal with its unit suffix, correctly
/// rounded: `1.62 mV` is read as the decimal 1.62e-3, the double nearest
/// 0.00162 (1.62 * 1e-3 in floating point is one ulp off).
double literalValue(const Expr &number);

/// `value` given in a unit of scale `scale`, in SI, rounded as above.
double scaleToSI(double value, double scale);

/// Prints what Sema found: dimensions, evaluated parameters, instantiated
/// networks (`neuroc check --verbose`).
void printSemaSummary(const SemaResult &result, llvm::raw_ostream &os);

/// A projection's rule and delays as `check --verbose` prints them:
/// "in_degree 10, no_autapses, delay uniform(0.001 s, 0.003 s)", "p 0.02,
/// delay 0.0001 s", "p per pair (expression) where (condition), delay per
/// synapse (expression)", "from \"edges.csv\", ...", "one_to_one, ...".
std::string describeConnectivity(const ProjectionInfo &projection);

/// A drawn or constant value as `check --verbose` prints it, each number
/// followed by `unit` when given: "uniform(0.001 s, 0.003 s)",
/// "normal(0, 0.001)", "0.02".
std::string describeDraw(const InitValue &value, const std::string &unit);

/// The name of an unnamed projection from `src` to `dst`: `<src>_to_<dst>`,
/// or the first of `<src>_to_<dst>_1`, `_2`, ... that `taken` (the names of
/// the network's populations and of the projections before it) does not
/// hold. Sema, the vector expansion and the Python builder name alike.
std::string
defaultProjectionName(const std::string &src, const std::string &dst,
                      const std::function<bool(const std::string &)> &taken);

} // namespace neuro

#endif // NEURO_FRONTEND_SEMA_H

//===- NeuroOps.cpp - Operations of the neuro dialect ---------------------===//

#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/Streams.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace neuro;

#define GET_OP_CLASSES
#include "neuro/IR/NeuroOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The neuron, synapse, population or projection whose names `op` uses.
static Operation *getModelScope(Operation *op) {
  Operation *scope = op->getParentWithTrait<OpTrait::SymbolTable>();
  if (!scope || isa<ModuleOp, NetworkOp>(scope))
    return nullptr;
  return scope;
}

/// The terminator of a single-block region, if it is a neuro.yield.
static YieldOp getYield(Region &region) {
  if (region.empty())
    return {};
  return dyn_cast<YieldOp>(region.front().getTerminator());
}

static LogicalResult verifyYieldTypes(Operation *op, Region &region,
                                      ArrayRef<Type> expected, StringRef what) {
  YieldOp yield = getYield(region);
  if (!yield)
    return op->emitOpError("region must end with neuro.yield");
  if (yield.getValues().size() != expected.size())
    return op->emitOpError() << "must yield " << what << ", yields "
                             << yield.getValues().size() << " value(s)";
  for (auto [value, type] : llvm::zip(yield.getValues(), expected))
    if (value.getType() != type)
      return op->emitOpError()
             << "must yield " << what << ", yields " << value.getType();
  return success();
}

// Names are resolved through the verifier's SymbolTableCollection
// (verifySymbolUses), which builds each model's table once: a lookup of its
// own per reference would scan the model, and a model with thousands of
// variables (a vector state) would take seconds to verify.

/// Resolves the declaration a neuro.ref or neuro.assign names. `post`
/// names are resolved here only inside a synapse; inside a projection the
/// projection checks them against its target population.
static LogicalResult verifyNameUse(Operation *op, FlatSymbolRefAttr name,
                                   bool post, bool pre, bool isWrite,
                                   SymbolTableCollection &symbols) {
  Operation *scope = getModelScope(op);
  if (!scope)
    return op->emitOpError(
        "must be inside a neuron, synapse, population or projection");
  if (pre) {
    if (isWrite || post || !isa<ProjectionOp>(scope))
      return op->emitOpError("'pre' reads a source neuron's state from an "
                             "elaborated projection");
    return success();
  }
  if (post) {
    if (isa<ProjectionOp>(scope))
      return success();
    if (!isa<SynapseOp>(scope))
      return op->emitOpError(
          "'post' names a target neuron's variable, which only synapses and "
          "projections have");
    if (!isa_and_nonnull<PostStateOp, PostVarOp>(
            symbols.lookupSymbolIn(scope, name.getAttr())))
      return op->emitOpError()
             << name << " is not a post state or post variable of the synapse";
    return success();
  }
  // A population not elaborated yet (an initial value's expression reading
  // a parameter set per neuron or a state): the names are its model's.
  if (auto pop = dyn_cast<PopulationOp>(scope); pop && pop.getModelAttr())
    if (auto module = pop->getParentOfType<ModuleOp>())
      if (Operation *model =
              symbols.lookupSymbolIn(module, pop.getModelAttr().getAttr()))
        scope = model;
  // Likewise a projection's (a state's initial value reading the weight).
  if (auto proj = dyn_cast<ProjectionOp>(scope); proj && proj.getSynapseAttr())
    if (auto module = proj->getParentOfType<ModuleOp>())
      if (Operation *model =
              symbols.lookupSymbolIn(module, proj.getSynapseAttr().getAttr()))
        scope = model;
  Operation *decl = symbols.lookupSymbolIn(scope, name.getAttr());
  if (!decl)
    return op->emitOpError()
           << name << " is not declared in the enclosing " << scope->getName();
  if (isa<PostStateOp, PostVarOp>(decl))
    return op->emitOpError()
           << "post state or variable " << name << " must be used with 'post'";
  if (isWrite) {
    if (!isa<StateOp, WeightOp>(decl))
      return op->emitOpError()
             << "cannot assign to " << decl->getName() << " " << name;
  } else if (!isa<ParamOp, StateOp, InputOp, WeightOp, PreVarOp, ModulatorOp>(
                 decl)) {
    return op->emitOpError() << name << " does not name a variable";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Equations and events
//===----------------------------------------------------------------------===//

LogicalResult OdeOp::verify() {
  if (!getModelScope(*this))
    return emitOpError(
        "must be inside a neuron, synapse, population or projection");
  return verifyYieldTypes(*this, getRhs(), {Float64Type::get(getContext())},
                          "one f64 derivative");
}

LogicalResult OdeOp::verifySymbolUses(SymbolTableCollection &symbols) {
  Operation *scope = getModelScope(*this);
  if (!scope)
    return success(); // verify() reports it
  Operation *decl = symbols.lookupSymbolIn(scope, getVarAttr().getAttr());
  bool weight =
      isa_and_nonnull<WeightOp>(decl) && isa<SynapseOp, ProjectionOp>(scope);
  if (!isa_and_nonnull<StateOp, PostStateOp>(decl) && !weight)
    return emitOpError() << getVarAttr() << " is not a state of the enclosing "
                         << scope->getName();
  return success();
}

LogicalResult LetOp::verify() {
  Operation *parent = (*this)->getParentOp();
  if (!isa<NeuronOp, PopulationOp>(parent))
    return emitOpError("belongs to a neuron or population");
  if (isa<PopulationOp>(parent) &&
      !isa_and_nonnull<StateOp>(
          SymbolTable::lookupSymbolIn(parent, getVarAttr().getAttr())))
    return emitOpError() << getVarAttr()
                         << " is not a row of the enclosing population";
  return verifyYieldTypes(*this, getValue(), {Float64Type::get(getContext())},
                          "one f64 value");
}

LogicalResult ThresholdOp::verify() {
  if (!(getRefractory().convertToDouble() >= 0.0))
    return emitOpError("refractory period must be >= 0");
  if (failed(verifyYieldTypes(*this, getCondition(),
                              {IntegerType::get(getContext(), 1)},
                              "one i1 condition")))
    return failure();
  if (getPeriod().empty())
    return success();
  Type type = Float64Type::get(getContext());
  if (isRefractoryCondition())
    type = IntegerType::get(getContext(), 1);
  return verifyYieldTypes(*this, getPeriod(), {type},
                          "one f64 refractory period or one i1 condition");
}

bool ThresholdOp::isRefractoryCondition() {
  YieldOp yield = getYield(getPeriod());
  return yield && yield.getValues().size() == 1 &&
         yield.getValues()[0].getType().isInteger(1);
}

LogicalResult ThresholdOp::verifySymbolUses(SymbolTableCollection &symbols) {
  Operation *scope = getModelScope(*this);
  std::optional<ArrayAttr> clamped = getClamped();
  if (!scope || !clamped)
    return success();
  for (Attribute name : *clamped)
    if (!isa_and_nonnull<StateOp>(symbols.lookupSymbolIn(
            scope, cast<FlatSymbolRefAttr>(name).getAttr())))
      return emitOpError() << "clamps " << name
                           << ", which is not a state of the enclosing "
                           << scope->getName();
  return success();
}

LogicalResult ResetOp::verify() {
  return verifyYieldTypes(*this, getBody(), {}, "nothing");
}

LogicalResult OnPreOp::verify() {
  return verifyYieldTypes(*this, getBody(), {}, "nothing");
}

LogicalResult OnPostOp::verify() {
  return verifyYieldTypes(*this, getBody(), {}, "nothing");
}

LogicalResult DecayOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (!isa_and_nonnull<StateOp>(
          symbols.lookupSymbolIn((*this)->getParentOp(), getVarAttr())))
    return emitOpError() << getVarAttr()
                         << " is not a per-synapse state of the projection";
  // An input may also be the weight, which only events change too.
  if (auto inputs = getInputs())
    for (Attribute input : *inputs) {
      Operation *def = symbols.lookupSymbolIn((*this)->getParentOp(),
                                              cast<FlatSymbolRefAttr>(input));
      if (!isa_and_nonnull<StateOp, WeightOp>(def))
        return emitOpError()
               << input
               << " is not a per-synapse state or the weight of the projection";
    }
  return success();
}

LogicalResult DecayOp::verify() {
  if (!std::isfinite(getRate().convertToDouble()) ||
      !std::isfinite(getOffset().convertToDouble()))
    return emitOpError("rate and offset must be finite");
  size_t inputs = getInputs() ? getInputs()->size() : 0;
  std::optional<ArrayRef<double>> gains = getGains();
  if (inputs != (gains ? gains->size() : 0))
    return emitOpError("needs one gain per input");
  if (gains && !llvm::all_of(*gains, [](double g) { return std::isfinite(g); }))
    return emitOpError("gains must be finite");
  if (auto in = getInputs())
    for (Attribute input : *in)
      if (cast<FlatSymbolRefAttr>(input).getValue() == getVar())
        return emitOpError("reads its own state as an input");
  return success();
}

LogicalResult DecaySystemOp::verifySymbolUses(SymbolTableCollection &symbols) {
  for (Attribute name : getVars())
    if (!isa_and_nonnull<StateOp>(symbols.lookupSymbolIn(
            (*this)->getParentOp(), cast<FlatSymbolRefAttr>(name))))
      return emitOpError() << name
                           << " is not a per-synapse state of the projection";
  if (auto inputs = getInputs())
    for (Attribute input : *inputs)
      if (!isa_and_nonnull<StateOp, WeightOp>(symbols.lookupSymbolIn(
              (*this)->getParentOp(), cast<FlatSymbolRefAttr>(input))))
        return emitOpError()
               << input
               << " is not a per-synapse state or the weight of the projection";
  return success();
}

LogicalResult DecaySystemOp::verify() {
  size_t k = getVars().size();
  size_t m = getInputs() ? getInputs()->size() : 0;
  if (k == 0 || getRates().size() != k || getOffsets().size() != k ||
      getModes().size() != k * k || getInverse().size() != k * k)
    return emitOpError("needs k rates and offsets and k x k modes and "
                       "inverse for its k states");
  if ((getGains() ? getGains()->size() : 0) != k * m)
    return emitOpError("needs a gain per state and input");
  for (ArrayRef<double> values :
       {getRates(), getModes(), getInverse(), getOffsets(),
        getGains().value_or(ArrayRef<double>())})
    if (!llvm::all_of(values, [](double v) { return std::isfinite(v); }))
      return emitOpError("rates, modes, offsets and gains must be finite");
  return success();
}

LogicalResult DrivesOp::verify() {
  return verifyYieldTypes(*this, getValue(), {Float64Type::get(getContext())},
                          "one f64 value");
}

LogicalResult RefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyNameUse(*this, getNameAttr(), getPost(), getPre(),
                       /*isWrite=*/false, symbols);
}

/// An op that reads a property of a neuron: its own in a neuron or
/// population, the target's (`post`) or source's (`pre`) in a synapse or
/// projection.
static LogicalResult verifyNeuronProperty(Operation *op, bool post, bool pre) {
  Operation *scope = getModelScope(op);
  if (post && pre)
    return op->emitOpError("names the target ('post') or the source ('pre'), "
                           "not both");
  if (post || pre) {
    if (!isa_and_nonnull<SynapseOp, ProjectionOp>(scope))
      return op->emitOpError("'post' and 'pre' name neurons of a synapse");
    return success();
  }
  if (!isa_and_nonnull<NeuronOp, PopulationOp>(scope))
    return op->emitOpError("without 'post' or 'pre' it must be inside a "
                           "neuron or population");
  return success();
}

LogicalResult NotRefractoryOp::verify() {
  return verifyNeuronProperty(*this, getPost(), getPre());
}

LogicalResult LastSpikeOp::verify() {
  return verifyNeuronProperty(*this, getPost(), getPre());
}

LogicalResult AssignOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyNameUse(*this, getNameAttr(), getPost(), /*pre=*/false,
                       /*isWrite=*/true, symbols);
}

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

LogicalResult NetworkOp::verify() {
  if (!(getDt().convertToDouble() > 0.0))
    return emitOpError("dt must be positive");
  if (!(getDuration().convertToDouble() > 0.0))
    return emitOpError("duration must be positive");
  return success();
}

LogicalResult PopulationOp::verify() {
  // I64Attr getters are unsigned: read them as the signed values stored.
  int64_t size = static_cast<int64_t>(getSize());
  if (size <= 0)
    return emitOpError("size must be positive");
  if (getSpikeTimes().has_value() != getSpikeIndices().has_value())
    return emitOpError("spike_times and spike_indices go together");
  if (auto times = getSpikeTimes()) {
    ArrayRef<int64_t> indices = *getSpikeIndices();
    if (times->getNumElements() != static_cast<int64_t>(indices.size()))
      return emitOpError("needs as many spike times as indices");
    for (int64_t i : indices)
      if (i < 0 || i >= size)
        return emitOpError() << "spike index " << i << " out of range";
    if (getModelAttr())
      return emitOpError("a spike source has no model");
    if (auto period = getSpikePeriod()) {
      double p = period->convertToDouble();
      if (!(p > 0) || !std::isfinite(p))
        return emitOpError("spike period must be finite and positive");
      for (double t : times->getValues<double>())
        if (!(t < p))
          return emitOpError()
                 << "spike time " << t << " s is not below the spike period "
                 << p << " s";
    }
  } else if (getSpikePeriod()) {
    return emitOpError("a spike period belongs to spike times");
  }
  if (auto rate = getPoissonRate()) {
    if (!(rate->convertToDouble() >= 0) ||
        !std::isfinite(rate->convertToDouble()))
      return emitOpError("poisson rate must be finite and >= 0");
    if (getModelAttr() || getSpikeTimes())
      return emitOpError("a Poisson source has no model and no spike times");
  }
  if (auto inputs = getInputs())
    if (!getPoissonRate() || static_cast<int64_t>(*inputs) < 1)
      return emitOpError("inputs per target belong to a Poisson drive (with "
                         "a rate), at least 1");
  return success();
}

LogicalResult
PopulationOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (auto model = getModelAttr()) {
    auto module = (*this)->getParentOfType<ModuleOp>();
    if (!module || !isa_and_nonnull<NeuronOp>(
                       symbolTable.lookupSymbolIn(module, model.getAttr())))
      return emitOpError() << model << " does not name a neuron model";
  }
  return success();
}

LogicalResult ProjectionOp::verify() {
  double p = getProbability().convertToDouble();
  if (!(p >= 0.0 && p <= 1.0))
    return emitOpError("probability must lie in [0, 1]");
  if (!(getDelay().convertToDouble() >= 0.0))
    return emitOpError("delay must be >= 0");
  if (!llvm::is_contained(
          llvm::ArrayRef<llvm::StringRef>{"probability", "in_degree",
                                          "out_degree", "one_to_one", "file",
                                          "expression"},
          getRule()))
    return emitOpError() << "unknown connection rule '" << getRule() << "'";
  if (static_cast<int64_t>(getDegree()) < 0)
    return emitOpError("degree must be >= 0");
  int64_t sign = static_cast<int64_t>(getSign());
  if (sign < -1 || sign > 1)
    return emitOpError("sign must be -1, 0 or 1");
  if ((getRule() == "file") != bool(getFileAttr()))
    return emitOpError("rule 'file' goes with a file name");
  if (auto slices = getSlices()) {
    if (slices->size() != 4 || (*slices)[0] < 0 ||
        (*slices)[1] <= (*slices)[0] || (*slices)[2] < 0 ||
        (*slices)[3] <= (*slices)[2])
      return emitOpError("slices must be [source begin, source end, target "
                         "begin, target end) with begin < end");
  }
  return success();
}

LogicalResult
ProjectionOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *network = (*this)->getParentOp();
  auto source = dyn_cast_or_null<PopulationOp>(
      symbolTable.lookupSymbolIn(network, getSourceAttr()));
  if (!source)
    return emitOpError() << getSourceAttr() << " does not name a population";
  auto target = dyn_cast_or_null<PopulationOp>(
      symbolTable.lookupSymbolIn(network, getTargetAttr()));
  if (!target)
    return emitOpError() << getTargetAttr() << " does not name a population";
  if (auto modulators = getModulatorsAttr()) {
    for (NamedAttribute m : modulators) {
      auto ref = dyn_cast<SymbolRefAttr>(m.getValue());
      auto pop =
          ref ? dyn_cast_or_null<PopulationOp>(
                    symbolTable.lookupSymbolIn(network, ref.getRootReference()))
              : PopulationOp();
      if (!pop || ref.getNestedReferences().size() != 1)
        return emitOpError() << "modulator " << m.getName()
                             << " must be bound to @POPULATION::@STATE";
      // Before elaboration the population's states are its model's.
      if (!pop.getModelAttr() &&
          !isa_and_nonnull<StateOp>(
              symbolTable.lookupSymbolIn(pop, ref.getLeafReference())))
        return emitOpError() << "modulator " << m.getName() << ": " << ref
                             << " is not a state of a population";
    }
  }
  if (auto synapse = getSynapseAttr()) {
    auto module = (*this)->getParentOfType<ModuleOp>();
    if (!module || !isa_and_nonnull<SynapseOp>(
                       symbolTable.lookupSymbolIn(module, synapse.getAttr())))
      return emitOpError() << synapse << " does not name a synapse model";
    return success();
  }
  // Elaborated: `post` (`pre`) names are rows of the target (source)
  // population.
  WalkResult result = walk([&](Operation *op) {
    FlatSymbolRefAttr name;
    bool pre = false;
    if (auto ref = dyn_cast<RefOp>(op);
        ref && (ref.getPost() || ref.getPre())) {
      name = ref.getNameAttr();
      pre = ref.getPre();
    } else if (auto assign = dyn_cast<AssignOp>(op);
               assign && assign.getPost()) {
      name = assign.getNameAttr();
    }
    if (!name)
      return WalkResult::advance();
    PopulationOp pop = pre ? source : target;
    if (!isa_and_nonnull<StateOp>(
            symbolTable.lookupSymbolIn(pop, name.getAttr()))) {
      op->emitOpError() << name << " is not a state of "
                        << (pre ? "source" : "target") << " population "
                        << (pre ? getSourceAttr() : getTargetAttr());
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

LogicalResult InitUniformOp::verify() {
  if (!(getLow().convertToDouble() <= getHigh().convertToDouble()))
    return emitOpError("needs low <= high");
  return success();
}

LogicalResult InitNormalOp::verify() {
  if (!(getSd().convertToDouble() >= 0.0))
    return emitOpError("needs a standard deviation >= 0");
  return success();
}

LogicalResult IndexOp::verify() {
  if (!llvm::is_contained(llvm::ArrayRef<StringRef>{"self", "pre", "post"},
                          getWhich()))
    return emitOpError("which must be self, pre or post");
  return success();
}

LogicalResult DegreeOp::verify() {
  if (getWhich() != "incoming" && getWhich() != "outgoing")
    return emitOpError("which must be incoming or outgoing");
  if (!(*this)->getParentOfType<ProjectionOp>())
    return emitOpError("belongs to a projection's expressions");
  return success();
}

LogicalResult InitExprOp::verify() {
  if (!isa<PopulationOp, ProjectionOp>((*this)->getParentOp()))
    return emitOpError("belongs to a population or projection");
  return verifyYieldTypes(*this, getValue(), {Float64Type::get(getContext())},
                          "one f64 value");
}

LogicalResult DefaultOp::verify() {
  return verifyYieldTypes(*this, getValue(), {Float64Type::get(getContext())},
                          "one f64 value");
}

LogicalResult ConnectRuleOp::verify() {
  return verifyYieldTypes(*this, getProbability(),
                          {Float64Type::get(getContext())},
                          "one f64 probability");
}

LogicalResult InitTimedOp::verify() {
  if (static_cast<int64_t>(getEvery()) < 1)
    return emitOpError("every must be at least one step");
  auto type = cast<ShapedType>(getValues().getType());
  if (type.getRank() != 2 || type.getDimSize(0) < 1 || type.getDimSize(1) < 1)
    return emitOpError("values must be a non-empty T x C table");
  if (auto pop = dyn_cast<PopulationOp>((*this)->getParentOp()))
    if (type.getDimSize(1) != 1 &&
        type.getDimSize(1) != static_cast<int64_t>(pop.getSize()))
      return emitOpError() << "values need 1 column or one per neuron ("
                           << pop.getSize() << "), have " << type.getDimSize(1);
  return success();
}

// The names of the network's ops are looked up through the verifier's
// SymbolTableCollection (verifySymbolUses), which builds each table once: a
// lookup of its own per op would make verifying a network quadratic in its
// size.

LogicalResult RecordSpikesOp::verify() {
  if (getBegin().has_value() != getEnd().has_value())
    return emitOpError("needs both begin and end, or neither");
  if (!getBegin())
    return success();
  int64_t begin = static_cast<int64_t>(*getBegin());
  int64_t end = static_cast<int64_t>(*getEnd());
  if (begin < 0 || end <= begin)
    return emitOpError() << "neurons [" << begin << ", " << end
                         << ") are not a range";
  return success();
}

LogicalResult
RecordSpikesOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto pop = dyn_cast_or_null<PopulationOp>(symbolTable.lookupSymbolIn(
      (*this)->getParentOp(), getPopulationAttr().getAttr()));
  if (!pop)
    return emitOpError() << getPopulationAttr()
                         << " does not name a population";
  if (getEnd() &&
      static_cast<int64_t>(*getEnd()) > static_cast<int64_t>(pop.getSize()))
    return emitOpError() << "neurons [" << static_cast<int64_t>(*getBegin())
                         << ", " << static_cast<int64_t>(*getEnd())
                         << ") are not within the population's "
                         << pop.getSize();
  return success();
}

LogicalResult RecordStateOp::verify() {
  int64_t begin = static_cast<int64_t>(getBegin());
  int64_t end = static_cast<int64_t>(getEnd());
  if (begin < 0 || end <= begin)
    return emitOpError() << "neurons [" << begin << ", " << end
                         << ") are not a range";
  if (static_cast<int64_t>(getEvery()) < 1)
    return emitOpError("every must be at least one step");
  return success();
}

LogicalResult
RecordStateOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto pop = dyn_cast_or_null<PopulationOp>(symbolTable.lookupSymbolIn(
      (*this)->getParentOp(), getPopulationAttr().getAttr()));
  if (!pop)
    return emitOpError() << getPopulationAttr()
                         << " does not name a population";
  if (static_cast<int64_t>(getEnd()) > static_cast<int64_t>(pop.getSize()))
    return emitOpError() << "neurons [" << static_cast<int64_t>(getBegin())
                         << ", " << static_cast<int64_t>(getEnd())
                         << ") are not within the population's "
                         << pop.getSize();
  return success();
}

LogicalResult
RecordSynapsesOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!isa_and_nonnull<ProjectionOp>(symbolTable.lookupSymbolIn(
          (*this)->getParentOp(), getProjectionAttr().getAttr())))
    return emitOpError() << getProjectionAttr()
                         << " does not name a projection";
  return success();
}

LogicalResult RecordSynapsesOp::verify() {
  if (getVars().empty())
    return emitOpError("needs at least one variable");
  // I64Attr getters are unsigned: read them as the signed values stored.
  int64_t begin = static_cast<int64_t>(getBegin());
  int64_t end = static_cast<int64_t>(getEnd());
  if (begin < 0 || (end != -1 && end <= begin))
    return emitOpError() << "synapses [" << begin << ", " << end
                         << ") are not a range (end -1: all)";
  if (static_cast<int64_t>(getEvery()) < 1)
    return emitOpError("every must be at least one step");
  return success();
}

LogicalResult
PlasticityOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!isa_and_nonnull<ProjectionOp>(symbolTable.lookupSymbolIn(
          (*this)->getParentOp(), getProjectionAttr().getAttr())))
    return emitOpError() << getProjectionAttr()
                         << " does not name a projection";
  return success();
}

LogicalResult PlasticityOp::verify() {
  if (static_cast<int64_t>(getStep()) < 0)
    return emitOpError("step must be >= 0");
  return success();
}

LogicalResult PropagateOp::verify() {
  int64_t n = getVars().size();
  if (n == 0)
    return emitOpError("needs at least one variable");
  auto checkShape = [&](DenseElementsAttr m, StringRef what) -> LogicalResult {
    auto type = cast<ShapedType>(m.getType());
    if (type.getRank() != 2 || type.getDimSize(0) != n ||
        type.getDimSize(1) != n + 1)
      return emitOpError() << what << " must be " << n << " x " << n + 1
                           << " for " << n << " variable(s), is "
                           << m.getType();
    return success();
  };
  if (failed(checkShape(getMatrix(), "matrix")))
    return failure();
  if (auto ref = getRefractoryMatrix())
    if (failed(checkShape(*ref, "refractory matrix")))
      return failure();
  for (auto [noise, what] :
       {std::make_pair(getNoise(), "noise factor"),
        std::make_pair(getRefractoryNoise(), "refractory noise factor")}) {
    if (!noise)
      continue;
    auto type = cast<ShapedType>(noise->getType());
    if (type.getRank() != 2 || type.getDimSize(0) != n ||
        type.getDimSize(1) != n)
      return emitOpError() << what << " must be " << n << " x " << n << ", is "
                           << noise->getType();
  }
  return success();
}

LogicalResult PropagateOp::verifySymbolUses(SymbolTableCollection &symbols) {
  Operation *population = (*this)->getParentOp();
  for (Attribute var : getVars())
    if (!isa_and_nonnull<StateOp>(symbols.lookupSymbolIn(
            population, cast<FlatSymbolRefAttr>(var).getAttr())))
      return emitOpError() << var << " is not a state of the population";
  return success();
}

//===----------------------------------------------------------------------===//
// Initial values
//===----------------------------------------------------------------------===//

LogicalResult neuro::checkRowCount(PopulationOp pop, size_t rows) {
  if (int64_t(rows) <= rt::streams::kMaxRows)
    return success();
  return pop.emitError()
         << "population '" << pop.getSymName() << "' has " << rows
         << " variables per neuron (its states, the parameters set per "
            "neuron, and the post states and sums of the projections onto "
            "it, vector elements counted one by one); at most "
         << rt::streams::kMaxRows << " are supported";
}

FlatSymbolRefAttr neuro::getInitVar(Operation *op) {
  return llvm::TypeSwitch<Operation *, FlatSymbolRefAttr>(op)
      .Case<InitConstOp, InitUniformOp, InitNormalOp, InitExprOp, InitTimedOp>(
          [](auto init) { return init.getVarAttr(); })
      .Default([](Operation *) { return FlatSymbolRefAttr(); });
}

void neuro::setInitVar(Operation *op, FlatSymbolRefAttr var) {
  llvm::TypeSwitch<Operation *>(op)
      .Case<InitConstOp, InitUniformOp, InitNormalOp, InitExprOp, InitTimedOp>(
          [&](auto init) { init.setVarAttr(var); })
      .Default(
          [](Operation *) { llvm_unreachable("not an initial-value op"); });
}

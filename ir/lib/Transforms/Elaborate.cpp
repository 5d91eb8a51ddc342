//===- Elaborate.cpp - Instantiate models into populations and projections ===//
//
// After this pass a population is a self-contained model: its states are the
// neuron's states plus the post states of every incoming projection, its
// equations read only its own states and constants, and each projection
// holds its per-synapse variables, their equations and its `on pre` and
// `on post` blocks, whose `post` names are rows of the target population.
//
//===----------------------------------------------------------------------===//

#include "neuro/IR/NeuroOps.h"
#include "neuro/IR/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringSet.h"

namespace neuro {
#define GEN_PASS_DEF_ELABORATE
#include "neuro/IR/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// Name of the target row that holds post state `state` of `projection`.
std::string postRowName(StringRef state, ProjectionOp projection) {
  return (state + "_" + projection.getSymName()).str();
}

/// The target row a `post` name of synapse `model` refers to: its own row
/// for a post state, the target neuron's state itself for a post variable.
std::string targetRow(SymbolTableCollection &symbols, Operation *model,
                      StringRef name, ProjectionOp projection) {
  if (isa_and_nonnull<PostVarOp>(symbols.lookupSymbolIn(
          model, StringAttr::get(model->getContext(), name))))
    return name.str();
  return postRowName(name, projection);
}

/// Name of the target row that holds the sum of a per-synapse `drives` of
/// `projection` into `input` (recordable, as Brian2's summed variables).
std::string summedRowName(StringRef input, ProjectionOp projection) {
  return (input + "_" + projection.getSymName()).str();
}

/// Whether `drives` of synapse `model` reads per-synapse variables (the
/// weight, per-synapse states, source variables): then it is summed over
/// the synapses onto each target every step instead of substituted into
/// the target's equations.
bool isSummed(SymbolTableCollection &symbols, DrivesOp drives,
              Operation *model) {
  bool summed = false;
  drives.walk([&](RefOp ref) {
    if (!ref.getPost() &&
        isa_and_nonnull<WeightOp, StateOp, PreVarOp>(
            symbols.lookupSymbolIn(model, ref.getNameAttr().getAttr())))
      summed = true;
  });
  drives.walk([&](NotRefractoryOp op) { summed |= op.getPre(); });
  return summed;
}

/// Value of parameter `name`: the instance's value, else the model default.
std::optional<double> paramValue(SymbolTableCollection &symbols,
                                 Operation *model, DictionaryAttr params,
                                 StringRef name) {
  if (params)
    if (auto v = params.getAs<FloatAttr>(name))
      return v.getValueAsDouble();
  if (auto decl = dyn_cast_or_null<ParamOp>(symbols.lookupSymbolIn(
          model, StringAttr::get(model->getContext(), name))))
    return decl.getValue().convertToDouble();
  return std::nullopt;
}

class Elaborator {
public:
  Elaborator(ModuleOp module, NetworkOp network)
      : module(module), network(network) {}

  LogicalResult run() {
    for (auto pop :
         llvm::make_early_inc_range(network.getBody().getOps<PopulationOp>()))
      if (pop.getModelAttr() && failed(elaboratePopulation(pop)))
        return failure();
    for (auto pop : network.getBody().getOps<PopulationOp>()) {
      auto states = pop.getBody().getOps<StateOp>();
      if (failed(checkRowCount(
              pop, size_t(std::distance(states.begin(), states.end())))))
        return failure();
    }
    for (auto proj :
         llvm::make_early_inc_range(network.getBody().getOps<ProjectionOp>()))
      if (proj.getSynapseAttr() && failed(elaborateProjection(proj)))
        return failure();
    return success();
  }

private:
  /// Rewrites the neuro.refs in `root` (a freshly cloned op): parameters of
  /// `model` become constants, except those in `perNeuron`, which are rows
  /// of the population; `post` names of `projection` become the
  /// population's own rows (or the target's rows when `keepPost`); inputs are
  /// replaced through `resolveInput`.
  LogicalResult
  rewriteRefs(Operation *root, Operation *model, DictionaryAttr params,
              const llvm::StringSet<> &perNeuron, ProjectionOp projection,
              bool keepPost,
              llvm::function_ref<FailureOr<Value>(RefOp)> resolveInput) {
    SmallVector<Operation *> ops;
    root->walk([&](Operation *op) {
      if (isa<RefOp, AssignOp, NotRefractoryOp, LastSpikeOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      if (auto nr = dyn_cast<NotRefractoryOp>(op)) {
        // The target's refractoriness, read in the target itself.
        if (nr.getPost())
          nr.setPost(keepPost);
        continue;
      }
      if (auto last = dyn_cast<LastSpikeOp>(op)) {
        if (last.getPost())
          last.setPost(keepPost);
        continue;
      }
      if (auto ref = dyn_cast<RefOp>(op)) {
        StringRef name = ref.getName();
        if (ref.getPost()) {
          ref.setNameAttr(FlatSymbolRefAttr::get(
              op->getContext(), targetRow(symbols, model, name, projection)));
          ref.setPost(keepPost);
          continue;
        }
        Operation *decl = symbols.lookupSymbolIn(model, ref.getNameAttr());
        if (auto pre = dyn_cast_or_null<PreVarOp>(decl)) {
          ref.setNameAttr(
              FlatSymbolRefAttr::get(op->getContext(), pre.getVar()));
          ref.setPre(true);
          continue;
        }
        if (isa_and_nonnull<ParamOp>(decl) && perNeuron.contains(name))
          continue; // a row of the population
        if (isa_and_nonnull<ParamOp>(decl)) {
          auto value = paramValue(symbols, model, params, name);
          Value c = b.create<arith::ConstantOp>(ref.getLoc(),
                                                b.getF64FloatAttr(*value));
          ref.replaceAllUsesWith(c);
          ref.erase();
        } else if (isa_and_nonnull<InputOp>(decl)) {
          FailureOr<Value> v = resolveInput(ref);
          if (failed(v))
            return failure();
          ref.replaceAllUsesWith(*v);
          ref.erase();
        }
        continue;
      }
      auto assign = cast<AssignOp>(op);
      if (assign.getPost()) {
        assign.setNameAttr(FlatSymbolRefAttr::get(
            op->getContext(),
            targetRow(symbols, model, assign.getName(), projection)));
        assign.setPost(keepPost);
      }
    }
    return success();
  }

  /// Adds to a population's `body` a row for each post state of its
  /// `incoming` projections (with the initial value moved from the
  /// projection) and for each sum of per-synapse drives (starting at 0).
  LogicalResult addIncomingRows(NeuronOp neuron, Block &body,
                                ArrayRef<ProjectionOp> incoming, OpBuilder &b) {
    for (ProjectionOp proj : incoming) {
      auto synapse = lookupSynapse(proj);
      if (!synapse)
        return failure();
      for (auto post : synapse.getBody().getOps<PostStateOp>()) {
        std::string row = postRowName(post.getSymName(), proj);
        OpBuilder sb = OpBuilder::atBlockBegin(&body);
        // Keep declarations before the init ops.
        for (Operation &op : body)
          if (isa<StateOp>(op))
            sb.setInsertionPointAfter(&op);
        sb.create<StateOp>(post.getLoc(), row, post.getUnit());
        // Move the post state's initial value from the projection.
        for (Operation &op :
             llvm::make_early_inc_range(proj.getBody().front())) {
          FlatSymbolRefAttr var = getInitVar(&op);
          if (!isa<InitConstOp, InitUniformOp, InitNormalOp>(op) || !var ||
              var.getValue() != post.getSymName())
            continue;
          Operation *copy = b.clone(op);
          setInitVar(copy, FlatSymbolRefAttr::get(b.getContext(), row));
          op.erase();
        }
      }
      // The sums of per-synapse drives, set by the projection every step.
      for (auto drives : synapse.getBody().getOps<DrivesOp>()) {
        if (!isSummed(symbols, drives, synapse))
          continue;
        std::string row = summedRowName(drives.getInput(), proj);
        OpBuilder sb = OpBuilder::atBlockBegin(&body);
        for (Operation &op : body)
          if (isa<StateOp>(op))
            sb.setInsertionPointAfter(&op);
        auto input = dyn_cast_or_null<InputOp>(
            symbols.lookupSymbolIn(neuron, drives.getInputAttr()));
        if (!input)
          return drives.emitOpError()
                 << "drives " << drives.getInputAttr()
                 << ", which is not an input of neuron " << neuron.getSymName();
        sb.create<StateOp>(drives.getLoc(), row, input.getUnit());
        b.create<InitConstOp>(drives.getLoc(),
                              FlatSymbolRefAttr::get(b.getContext(), row),
                              b.getF64FloatAttr(0.0));
      }
    }
    return success();
  }

  LogicalResult elaboratePopulation(PopulationOp pop) {
    auto neuron = dyn_cast_or_null<NeuronOp>(
        SymbolTable::lookupSymbolIn(module, pop.getModelAttr().getAttr()));
    if (!neuron)
      return pop.emitOpError() << "unknown neuron model " << pop.getModelAttr();
    DictionaryAttr params = pop.getParamsAttr();

    SmallVector<ProjectionOp> incoming;
    for (auto proj : network.getBody().getOps<ProjectionOp>())
      if (proj.getTarget() == pop.getSymName())
        incoming.push_back(proj);

    Block &body = pop.getBody().front();
    for (auto def : body.getOps<DefaultOp>())
      return def.emitOpError("is left: neuro-select-rows decides the rows "
                             "before neuro-elaborate");
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    // States: the neuron's, then each incoming projection's post states.
    for (auto state : neuron.getBody().getOps<StateOp>())
      b.clone(*state);
    // Parameters drawn per neuron (they have initial values here) become
    // rows too; those that are rows only because a run may set them go
    // last, so that they shift no other row's random stream (Streams.h).
    llvm::StringSet<> initialized, tuned;
    NeuroDialect::TunedAttrHelper tunedAttr(b.getContext());
    for (Operation &op : body)
      if (FlatSymbolRefAttr var = getInitVar(&op)) {
        initialized.insert(var.getValue());
        if (tunedAttr.getAttr(&op))
          tuned.insert(var.getValue());
      }
    llvm::StringSet<> perNeuron;
    auto paramRow = [&](ParamOp param) {
      perNeuron.insert(param.getSymName());
      auto row = b.create<StateOp>(param.getLoc(), param.getSymName(),
                                   param.getUnit());
      // A parameter keeps its value during a run unless it follows a
      // table in time: then integration may treat it as a coefficient.
      bool constant = true;
      for (auto timed : body.getOps<InitTimedOp>())
        if (timed.getVar() == param.getSymName() &&
            cast<ShapedType>(timed.getValues().getType()).getDimSize(0) > 1)
          constant = false;
      if (constant)
        NeuroDialect::ConstantAttrHelper(b.getContext())
            .setAttr(row, b.getUnitAttr());
    };
    for (auto param : neuron.getBody().getOps<ParamOp>())
      if (initialized.contains(param.getSymName()) &&
          !tuned.contains(param.getSymName()))
        paramRow(param);
    b.setInsertionPointToEnd(&body);
    if (failed(addIncomingRows(neuron, body, incoming, b)))
      return failure();
    for (auto param : neuron.getBody().getOps<ParamOp>())
      if (tuned.contains(param.getSymName()))
        paramRow(param);

    auto noInput = [&](RefOp ref) -> FailureOr<Value> {
      return ref.emitOpError("input used outside a neuron");
    };
    auto driveInput = [&](RefOp ref) -> FailureOr<Value> {
      OpBuilder ib(ref);
      Value sum;
      for (ProjectionOp proj : incoming) {
        SynapseOp synapse = lookupSynapse(proj);
        for (auto drives : synapse.getBody().getOps<DrivesOp>()) {
          if (drives.getInput() != ref.getName())
            continue;
          if (isSummed(symbols, drives, synapse)) {
            Value row = ib.create<RefOp>(drives.getLoc(), ib.getF64Type(),
                                         summedRowName(drives.getInput(), proj),
                                         false, false);
            sum = sum ? ib.create<arith::AddFOp>(ref.getLoc(), sum, row)
                            .getResult()
                      : row;
            continue;
          }
          // Clone the whole drives op, fold its references, then inline its
          // region in front of the input reference.
          auto copy = cast<DrivesOp>(ib.clone(*drives));
          if (failed(rewriteRefs(copy, synapse, proj.getParamsAttr(), {}, proj,
                                 /*keepPost=*/false, noInput)))
            return failure();
          Block &inner = copy.getValue().front();
          auto yield = cast<YieldOp>(inner.getTerminator());
          Value driven = yield.getValues()[0];
          yield.erase();
          ref->getBlock()->getOperations().splice(Block::iterator(copy),
                                                  inner.getOperations());
          copy.erase();
          sum = sum ? ib.create<arith::AddFOp>(ref.getLoc(), sum, driven)
                          .getResult()
                    : driven;
        }
      }
      if (!sum)
        sum = ib.create<arith::ConstantOp>(ref.getLoc(), ib.getF64FloatAttr(0));
      return sum;
    };

    // Equations, threshold and reset of the neuron.
    for (Operation &op : neuron.getBody().front()) {
      if (!isa<OdeOp, ThresholdOp, ResetOp>(op))
        continue;
      Operation *copy = b.clone(op);
      // The population's refractory period (its parameters may differ).
      if (auto threshold = dyn_cast<ThresholdOp>(copy))
        if (auto period = pop.getRefractoryAttr())
          threshold.setRefractoryAttr(period);
      if (failed(rewriteRefs(copy, neuron, params, perNeuron, ProjectionOp(),
                             /*keepPost=*/false, driveInput)))
        return failure();
      // A period that reads no row is the population's constant (a
      // condition stays).
      if (auto threshold = dyn_cast<ThresholdOp>(copy)) {
        Region &period = threshold.getPeriod();
        bool readsRow = false;
        period.walk([&](RefOp) { readsRow = true; });
        if (!readsRow && !threshold.isRefractoryCondition())
          period.getBlocks().clear();
      }
    }
    if (failed(addRecordedLets(pop, neuron, params, perNeuron, driveInput)))
      return failure();
    // Equations of the incoming post states.
    for (ProjectionOp proj : incoming) {
      SynapseOp synapse = lookupSynapse(proj);
      for (auto ode : synapse.getBody().getOps<OdeOp>()) {
        if (!isa_and_nonnull<PostStateOp>(
                symbols.lookupSymbolIn(synapse, ode.getVarAttr())))
          continue; // a per-synapse state: the projection's
        auto copy = cast<OdeOp>(b.clone(*ode));
        copy.setVarAttr(FlatSymbolRefAttr::get(
            copy->getContext(), postRowName(ode.getVar(), proj)));
        if (failed(rewriteRefs(copy, synapse, proj.getParamsAttr(), {}, proj,
                               /*keepPost=*/false, noInput)))
          return failure();
      }
    }
    if (auto method = neuron.getMethodAttr())
      pop.setMethodAttr(method);
    pop.removeModelAttr();
    pop.removeParamsAttr();
    pop.removeRefractoryAttr();
    pop.removeRefractoryParamsAttr();
    return success();
  }

  /// The lets of `neuron` the network records of `pop`: a row each (after
  /// the states, 0 until first sampled) and the let, its references
  /// rewritten as the equations'.
  LogicalResult
  addRecordedLets(PopulationOp pop, NeuronOp neuron, DictionaryAttr params,
                  const llvm::StringSet<> &perNeuron,
                  llvm::function_ref<FailureOr<Value>(RefOp)> driveInput) {
    llvm::StringSet<> recorded;
    for (auto rec : network.getBody().getOps<RecordStateOp>())
      if (rec.getPopulation() == pop.getSymName())
        for (Attribute var : rec.getVars())
          recorded.insert(cast<FlatSymbolRefAttr>(var).getValue());
    Block &body = pop.getBody().front();
    for (auto let : neuron.getBody().getOps<LetOp>()) {
      if (!recorded.contains(let.getVar()))
        continue;
      OpBuilder sb = OpBuilder::atBlockBegin(&body);
      for (Operation &op : body)
        if (isa<StateOp>(op))
          sb.setInsertionPointAfter(&op);
      sb.create<StateOp>(let.getLoc(), let.getVar(), let.getUnit());
      OpBuilder b = OpBuilder::atBlockEnd(&body);
      b.create<InitConstOp>(let.getLoc(), let.getVarAttr(),
                            b.getF64FloatAttr(0.0));
      if (failed(rewriteRefs(b.clone(*let), neuron, params, perNeuron,
                             ProjectionOp(), /*keepPost=*/false, driveInput)))
        return failure();
    }
    return success();
  }

  LogicalResult elaborateProjection(ProjectionOp proj) {
    SynapseOp synapse = lookupSynapse(proj);
    if (!synapse)
      return failure();
    Block &body = proj.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    // Per-synapse variables: the weight, then the states.
    for (auto weight : synapse.getBody().getOps<WeightOp>())
      b.clone(*weight);
    for (auto state : synapse.getBody().getOps<StateOp>())
      b.clone(*state);
    for (auto modulator : synapse.getBody().getOps<ModulatorOp>())
      b.clone(*modulator);
    b.setInsertionPointToEnd(&body);
    auto noInput = [&](RefOp ref) -> FailureOr<Value> {
      return ref.emitOpError("a synapse cannot read a neuron input");
    };
    // Equations of the per-synapse states, then the event blocks.
    for (Operation &op : synapse.getBody().front()) {
      auto ode = dyn_cast<OdeOp>(op);
      if (ode && !isa_and_nonnull<StateOp, WeightOp>(
                     symbols.lookupSymbolIn(synapse, ode.getVarAttr())))
        continue; // a post state: the target population's
      auto drives = dyn_cast<DrivesOp>(op);
      if (drives && !isSummed(symbols, drives, synapse))
        continue; // substituted into the target's equations
      if (!ode && !drives && !isa<OnPreOp, OnPostOp>(op))
        continue;
      Operation *copy = b.clone(op);
      if (drives)
        cast<DrivesOp>(copy).setIntoAttr(FlatSymbolRefAttr::get(
            b.getContext(), summedRowName(drives.getInput(), proj)));
      if (failed(rewriteRefs(copy, synapse, proj.getParamsAttr(), {}, proj,
                             /*keepPost=*/true, noInput)))
        return failure();
    }
    proj.removeSynapseAttr();
    proj.removeParamsAttr();
    return success();
  }

  SynapseOp lookupSynapse(ProjectionOp proj) {
    auto it = synapses.find(proj.getOperation());
    if (it != synapses.end())
      return it->second;
    auto synapse = dyn_cast_or_null<SynapseOp>(
        SymbolTable::lookupSymbolIn(module, proj.getSynapseAttr().getAttr()));
    if (!synapse)
      proj.emitOpError() << "unknown synapse model " << proj.getSynapseAttr();
    synapses[proj.getOperation()] = synapse;
    return synapse;
  }

  ModuleOp module;
  NetworkOp network;
  llvm::DenseMap<Operation *, SynapseOp> synapses;
  /// The models' tables, built once each (the models are not changed).
  SymbolTableCollection symbols;
};

struct ElaboratePass : neuro::impl::ElaborateBase<ElaboratePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto network : module.getOps<NetworkOp>())
      if (failed(Elaborator(module, network).run()))
        return signalPassFailure();
    // The models now live in the populations and projections.
    for (Operation &op : llvm::make_early_inc_range(*module.getBody()))
      if (isa<NeuronOp, SynapseOp>(op))
        op.erase();
  }
};

} // namespace

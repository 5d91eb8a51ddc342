//===- SelectRows.cpp - Decide which parameters are per-neuron rows -------===//
//
// Sema folds a population's parameters to their values; what a run should
// be able to set (`--tunable`, a run's `--set`, the REPL's `set`) is a
// compile option, decided here. A parameter made a row starts at its value;
// what its model computes from it (`neuro.default`: derived parameters,
// initial values of states) is then computed from the rows. Every other
// parameter an initial value or connection expression reads is folded to
// the constant it has, so that the module is the one Sema's values give.
//
//===----------------------------------------------------------------------===//

#include "neuro/IR/NeuroOps.h"
#include "neuro/IR/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace neuro {
#define GEN_PASS_DEF_SELECTROWS
#include "neuro/IR/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// The rows and constants of one population while its rows are chosen.
class PopulationRows {
public:
  PopulationRows(PopulationOp pop, NeuronOp neuron) : pop(pop) {
    if (DictionaryAttr values = pop.getParamsAttr())
      params = NamedAttrList(values);
    unsigned k = 0;
    for (auto param : neuron.getBody().getOps<ParamOp>())
      order[param.getSymName()] = k++;
    for (Operation &op : pop.getBody().front())
      if (FlatSymbolRefAttr var = getInitVar(&op))
        rows.insert(var.getValue());
  }

  bool isParam(StringRef name) const { return order.count(name); }
  bool isRow(StringRef name) const { return rows.contains(name); }
  /// Whether `name` is a row only because a run may set it.
  bool isTuned(StringRef name) const { return tuned.contains(name); }
  void markTuned(Operation *init, StringRef name) {
    NeuroDialect::TunedAttrHelper(init->getContext())
        .setAttr(init, UnitAttr::get(init->getContext()));
    tuned.insert(name);
  }
  std::optional<double> constant(StringRef name) const {
    if (auto value = dyn_cast_or_null<FloatAttr>(params.get(name)))
      return value.getValueAsDouble();
    return std::nullopt;
  }

  /// The op that sets `name`'s initial value, or null.
  Operation *initOf(StringRef name) {
    for (Operation &op : pop.getBody().front())
      if (FlatSymbolRefAttr var = getInitVar(&op);
          var && var.getValue() == name)
        return &op;
    return nullptr;
  }

  /// Puts `op` (not in a block yet), which sets parameter `name`, among
  /// the parameters' initial values in declaration order (each may read
  /// those before it), where `old` was if given (erased).
  void placeParam(Operation *op, StringRef name, Operation *old) {
    Block &body = pop.getBody().front();
    if (old) {
      body.getOperations().insert(Block::iterator(old), op);
      old->erase();
    } else {
      Operation *before = nullptr;
      for (Operation &other : body) {
        FlatSymbolRefAttr var = getInitVar(&other);
        if (!var || !isParam(var.getValue()) ||
            order.lookup(var.getValue()) > order.lookup(name)) {
          before = &other;
          break;
        }
      }
      body.getOperations().insert(before ? Block::iterator(before) : body.end(),
                                  op);
    }
    rows.insert(name);
    params.erase(name);
  }

  /// Puts `op` (not in a block yet), which sets state `name`, where the
  /// state's initial value was (erased).
  void placeState(Operation *op, StringRef name) {
    Block &body = pop.getBody().front();
    Operation *old = initOf(name);
    body.getOperations().insert(old ? Block::iterator(old) : body.end(), op);
    if (old)
      old->erase();
  }

  /// Declaration order of parameter `name`.
  unsigned orderOf(StringRef name) const { return order.lookup(name); }

  /// Writes the parameters that stay constants back to the population.
  void finish() {
    if (params.empty())
      pop.removeParamsAttr();
    else
      pop.setParamsAttr(params.getDictionary(pop.getContext()));
  }

private:
  PopulationOp pop;
  NamedAttrList params;
  llvm::StringMap<unsigned> order;
  llvm::StringSet<> rows;
  llvm::StringSet<> tuned;
};

class RowSelector {
public:
  RowSelector(ModuleOp module, ArrayRef<std::string> tunable) : module(module) {
    for (const std::string &name : tunable)
      this->tunable.insert(name);
  }

  LogicalResult run(NetworkOp network) {
    llvm::StringMap<PopulationOp> populations;
    for (auto pop : network.getBody().getOps<PopulationOp>()) {
      populations[pop.getSymName()] = pop;
      if (pop.getModelAttr() && failed(selectPopulation(pop)))
        return failure();
    }
    for (auto proj : network.getBody().getOps<ProjectionOp>())
      if (failed(selectProjection(proj, populations[proj.getSource()],
                                  populations[proj.getTarget()])))
        return failure();
    return success();
  }

private:
  /// Whether `owner.var` is named itself.
  bool named(StringRef owner, StringRef var) const {
    return tunable.contains((owner + "." + var).str());
  }
  /// Whether `owner.var` is named, or all of `owner`'s values are.
  bool wanted(StringRef owner, StringRef var) const {
    return named(owner, var) || tunable.contains((owner + ".*").str()) ||
           tunable.contains("*");
  }

  LogicalResult selectPopulation(PopulationOp pop) {
    auto neuron = dyn_cast_or_null<NeuronOp>(
        SymbolTable::lookupSymbolIn(module, pop.getModelAttr().getAttr()));
    if (!neuron)
      return pop.emitOpError() << "unknown neuron model " << pop.getModelAttr();
    PopulationRows rows(pop, neuron);
    if (failed(makeTunable(pop, neuron, rows)))
      return failure();
    applyDefaults(pop, rows);
    rows.finish();
    return foldPopulationRefs(pop, rows);
  }

  /// The parameters named by `tunable`: rows starting at their value.
  LogicalResult makeTunable(PopulationOp pop, NeuronOp neuron,
                            PopulationRows &rows) {
    StringRef owner = pop.getSymName();
    for (auto param : neuron.getBody().getOps<ParamOp>()) {
      StringRef name = param.getSymName();
      std::optional<double> value = rows.constant(name);
      if (!value || !wanted(owner, name))
        continue; // already per neuron, or not asked for
      // The period is a constant of the kernels unless the model carries
      // its expression (Sema asks for it where a run sets it).
      if (readsRefractory(pop, name) && !hasPeriodExpression(neuron)) {
        if (named(owner, name))
          return pop.emitError()
                 << "'" << owner << "." << name
                 << "' sets the refractory period, which is compiled into "
                    "the kernels; it cannot be set per run";
        continue;
      }
      OpBuilder b(pop.getContext());
      auto init = b.create<InitConstOp>(
          pop.getLoc(), FlatSymbolRefAttr::get(pop.getContext(), name),
          b.getF64FloatAttr(*value));
      rows.placeParam(init, name, nullptr);
      rows.markTuned(init, name);
    }
    return success();
  }

  static bool hasPeriodExpression(NeuronOp neuron) {
    return llvm::any_of(neuron.getBody().getOps<ThresholdOp>(),
                        [](ThresholdOp t) { return !t.getPeriod().empty(); });
  }

  static bool readsRefractory(PopulationOp pop, StringRef name) {
    ArrayAttr reads = pop.getRefractoryParamsAttr();
    return reads && llvm::any_of(reads, [&](Attribute a) {
             return cast<FlatSymbolRefAttr>(a).getValue() == name;
           });
  }

  /// The model defaults that read a row replace their variable's value,
  /// in order (parameters, each reading those declared before it, then
  /// states); the others, and those named themselves, are dropped.
  void applyDefaults(PopulationOp pop, PopulationRows &rows) {
    Block &body = pop.getBody().front();
    for (auto def : llvm::make_early_inc_range(body.getOps<DefaultOp>())) {
      StringRef name = def.getVar();
      bool readsRow = false, readsUntuned = false;
      def.getValue().walk([&](RefOp ref) {
        bool row = rows.isParam(ref.getName()) && rows.isRow(ref.getName());
        readsRow |= row;
        readsUntuned |= row && !rows.isTuned(ref.getName());
      });
      if (readsRow && !named(pop.getSymName(), name)) {
        bool param = rows.isParam(name);
        OpBuilder b(pop.getContext());
        auto init = b.create<InitExprOp>(def.getLoc(), def.getVarAttr(),
                                         param ? b.getUnitAttr() : UnitAttr());
        init.getValue().takeBody(def.getValue());
        if (param) {
          rows.placeParam(init, name, rows.initOf(name));
          if (!readsUntuned)
            rows.markTuned(init, name);
        } else {
          rows.placeState(init, name);
        }
      }
      def.erase();
    }
  }

  /// References to parameters in initial values: their constants, or rows
  /// set before the value that reads them.
  LogicalResult foldPopulationRefs(PopulationOp pop, PopulationRows &rows) {
    for (auto init : pop.getBody().front().getOps<InitExprOp>()) {
      StringRef var = init.getVar();
      WalkResult result = init.getValue().walk([&](RefOp ref) {
        StringRef name = ref.getName();
        if (std::optional<double> value = rows.constant(name)) {
          OpBuilder b(ref);
          ref.replaceAllUsesWith(b.create<arith::ConstantOp>(
                                      ref.getLoc(), b.getF64FloatAttr(*value))
                                     .getResult());
          ref.erase();
          return WalkResult::advance();
        }
        if (rows.isParam(var) && rows.isParam(name) &&
            rows.orderOf(name) >= rows.orderOf(var)) {
          init.emitError() << "'" << name
                           << "' is set per neuron and declared after '" << var
                           << "', so the value of '" << var
                           << "' cannot use it";
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return failure();
    }
    return success();
  }

  /// The weight row of `tunable`, and the source's and target's parameters
  /// that stay constants folded into the projection's expressions.
  LogicalResult selectProjection(ProjectionOp proj, PopulationOp source,
                                 PopulationOp target) {
    if (auto synapseName = proj.getSynapseAttr()) {
      auto synapse = dyn_cast_or_null<SynapseOp>(
          SymbolTable::lookupSymbolIn(module, synapseName.getAttr()));
      if (!synapse)
        return proj.emitOpError() << "unknown synapse model " << synapseName;
      for (auto weight : synapse.getBody().getOps<WeightOp>())
        if (wanted(proj.getSymName(), weight.getSymName()))
          proj.setWeightRow(true);
    }
    DictionaryAttr pre = source ? source.getParamsAttr() : DictionaryAttr();
    DictionaryAttr post = target ? target.getParamsAttr() : DictionaryAttr();
    proj.getBody().walk([&](RefOp ref) {
      DictionaryAttr params = ref.getPre()    ? pre
                              : ref.getPost() ? post
                                              : DictionaryAttr();
      FloatAttr value =
          params ? params.getAs<FloatAttr>(ref.getName()) : FloatAttr();
      if (!value)
        return;
      OpBuilder b(ref);
      ref.replaceAllUsesWith(
          b.create<arith::ConstantOp>(
               ref.getLoc(), b.getF64FloatAttr(value.getValueAsDouble()))
              .getResult());
      ref.erase();
    });
    return success();
  }

  ModuleOp module;
  llvm::StringSet<> tunable;
};

struct SelectRowsPass : neuro::impl::SelectRowsBase<SelectRowsPass> {
  using SelectRowsBase::SelectRowsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::string> names(tunable.begin(), tunable.end());
    RowSelector selector(module, names);
    for (auto network : module.getOps<NetworkOp>())
      if (failed(selector.run(network)))
        return signalPassFailure();
  }
};

} // namespace

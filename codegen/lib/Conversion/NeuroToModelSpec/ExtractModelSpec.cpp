//===- ExtractModelSpec.cpp - A lowered network as the runtime's spec -----===//
//
// After lowering, what is left of a `neuro.network` is data for the
// runtime: each population's size, state rows, units and initial values
// (or its spike times or Poisson rate), each projection's rule, slices,
// delays, per-synapse rows and modulators (with what its kernels write,
// read from their bodies), the recordings and the plasticity switches.
// The kernels are bound by name later (rt::bindKernels).
//
//===----------------------------------------------------------------------===//

#include "neuro/Codegen/Pipeline.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Steps.h"
#include "neuro/Runtime/Streams.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace neuro;

/// Whether kernel `kind` of projection `owner` of `network` (if the module
/// has it) may write its argument `arg` (NEURO_<KIND>_ARG_*): any use but
/// a load or a size query counts as a write.
static bool writesArgument(ModuleOp module, KernelKind kind, StringRef network,
                           StringRef owner, unsigned arg) {
  auto fn = module.lookupSymbol<func::FuncOp>(kernelName(kind, network, owner));
  if (!fn || fn.isExternal() || fn.getNumArguments() <= arg)
    return false;
  for (Operation *user : fn.getArgument(arg).getUsers())
    if (!isa<memref::LoadOp, memref::DimOp>(user))
      return true;
  return false;
}

/// Whether kernel `kind` of `owner` uses argument `arg` other than for its
/// size: reads it (`write` false) or may write it (anything but a load).
static bool usesArgument(ModuleOp module, KernelKind kind, StringRef network,
                         StringRef owner, unsigned arg, bool write) {
  auto fn = module.lookupSymbol<func::FuncOp>(kernelName(kind, network, owner));
  if (!fn || fn.isExternal() || fn.getNumArguments() <= arg)
    return false;
  for (Operation *user : fn.getArgument(arg).getUsers()) {
    if (isa<memref::DimOp>(user))
      continue;
    if (!write || !isa<memref::LoadOp, vector::LoadOp, vector::GatherOp,
                       vector::TransferReadOp, vector::MaskedLoadOp>(user))
      return true;
  }
  return false;
}

/// Whether kernel `kind` of `owner` reads a row of its 2-D argument
/// `readArg` that it may write through `writeArg` (rows are the first
/// index, the operand after the memref in every load and store; a row that
/// is not a constant may be any row).
static bool readsRowItWrites(ModuleOp module, KernelKind kind,
                             StringRef network, StringRef owner,
                             unsigned readArg, unsigned writeArg) {
  auto fn = module.lookupSymbol<func::FuncOp>(kernelName(kind, network, owner));
  if (!fn || fn.isExternal() ||
      fn.getNumArguments() <= std::max(readArg, writeArg))
    return false;
  constexpr int64_t kAnyRow = -1;
  auto rows = [&](unsigned arg, bool write) {
    llvm::SmallDenseSet<int64_t, 4> out;
    Value memref = fn.getArgument(arg);
    for (OpOperand &use : memref.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DimOp>(user))
        continue;
      bool load = isa<memref::LoadOp, vector::LoadOp, vector::GatherOp,
                      vector::TransferReadOp, vector::MaskedLoadOp>(user);
      if (load == write)
        continue;
      unsigned next = use.getOperandNumber() + 1;
      std::optional<int64_t> row;
      if (next < user->getNumOperands())
        row = getConstantIntValue(user->getOperand(next));
      out.insert(row ? *row : kAnyRow);
    }
    return out;
  };
  auto read = rows(readArg, false), written = rows(writeArg, true);
  if (read.empty() || written.empty())
    return false;
  if (read.contains(kAnyRow) || written.contains(kAnyRow))
    return true;
  return llvm::any_of(read, [&](int64_t r) { return written.contains(r); });
}

/// The initial value of every declared variable named in `order`.
static LogicalResult readInits(Block &body, ArrayRef<std::string> order,
                               std::vector<rt::InitSpec> &out, Operation *at) {
  llvm::StringMap<rt::InitSpec> inits;
  for (Operation &op : body) {
    if (auto c = dyn_cast<InitConstOp>(op))
      inits[c.getVar()] =
          rt::InitSpec::constant(c.getValue().convertToDouble());
    else if (auto u = dyn_cast<InitUniformOp>(op))
      inits[u.getVar()] = rt::InitSpec::uniform(u.getLow().convertToDouble(),
                                                u.getHigh().convertToDouble());
    else if (auto n = dyn_cast<InitNormalOp>(op))
      inits[n.getVar()] = rt::InitSpec::normal(n.getMean().convertToDouble(),
                                               n.getSd().convertToDouble());
    else if (auto e = dyn_cast<InitExprOp>(op))
      // Set by the init kernel once the other values are in place.
      inits[e.getVar()] = rt::InitSpec::constant(0.0);
    else if (auto t = dyn_cast<InitTimedOp>(op)) {
      auto type = cast<ShapedType>(t.getValues().getType());
      rt::InitSpec spec;
      spec.kind = rt::InitSpec::Timed;
      spec.every = static_cast<int64_t>(t.getEvery());
      spec.columns = type.getDimSize(1);
      auto values = std::make_shared<std::vector<double>>(
          t.getValues().getValues<double>().begin(),
          t.getValues().getValues<double>().end());
      spec.a = spec.b = values->front();
      spec.values = std::move(values);
      inits[t.getVar()] = spec;
    }
  }
  for (const std::string &name : order) {
    auto it = inits.find(name);
    if (it == inits.end())
      return at->emitError() << "no initial value for '" << name << "'";
    out.push_back(it->second);
  }
  return success();
}

/// The runtime's description of lowered population `pop`.
static LogicalResult extractPopulation(PopulationOp pop, double dt,
                                       rt::PopulationSpec &p) {
  if (pop.getModelAttr())
    return pop.emitOpError("is not lowered yet");
  p.name = pop.getSymName().str();
  p.size = pop.getSize();
  if (auto times = pop.getSpikeTimes()) {
    // A spike source: a spike at time t is emitted in the step holding t.
    p.generator = true;
    auto indices = *pop.getSpikeIndices();
    size_t n = 0;
    for (double t : times->getValues<double>())
      // Times past any run (sema checks nothing above) stay in int64.
      p.schedule.push_back(
          {static_cast<int64_t>(std::min(rt::stepOf(t, dt), 4e18)),
           static_cast<int32_t>(indices[n++])});
    std::sort(p.schedule.begin(), p.schedule.end());
    if (auto period = pop.getSpikePeriod())
      p.schedulePeriod =
          static_cast<int64_t>(std::round(period->convertToDouble() / dt));
  }
  if (auto rate = pop.getPoissonRate()) {
    p.generator = true;
    p.poissonRate = rate->convertToDouble();
    if (auto inputs = pop.getInputs())
      p.driveInputs = static_cast<int64_t>(*inputs);
  }
  for (auto s : pop.getBody().getOps<StateOp>()) {
    p.rows.push_back(s.getSymName().str());
    p.units.push_back(s.getUnit().str());
  }
  // Each row draws from a stream of its own (Streams.h).
  if (failed(checkRowCount(pop, p.rows.size())))
    return failure();
  if (failed(readInits(pop.getBody().front(), p.rows, p.init, pop)))
    return failure();
  for (auto init : pop.getBody().getOps<InitExprOp>())
    (init.getDerived() ? p.derived : p.computed).push_back(init.getVar().str());
  for (auto let : pop.getBody().getOps<LetOp>())
    p.sampled.push_back(let.getVar().str());
  if (auto ablated = pop.getAblated())
    p.ablated.assign(ablated->begin(), ablated->end());
  return success();
}

/// The runtime's description of lowered projection `proj`.
static LogicalResult extractProjection(ModuleOp module, StringRef networkName,
                                       ProjectionOp proj, double dt,
                                       const llvm::StringMap<int> &popIndex,
                                       const rt::ModelSpec &spec,
                                       rt::ProjectionSpec &p) {
  p.name = proj.getSymName().str();
  p.src = popIndex.lookup(proj.getSource());
  p.dst = popIndex.lookup(proj.getTarget());
  p.p = proj.getProbability().convertToDouble();
  p.rule = llvm::StringSwitch<rt::ProjectionSpec::Rule>(proj.getRule())
               .Case("in_degree", rt::ProjectionSpec::FixedInDegree)
               .Case("out_degree", rt::ProjectionSpec::FixedOutDegree)
               .Case("one_to_one", rt::ProjectionSpec::OneToOne)
               .Case("file", rt::ProjectionSpec::FromFile)
               .Case("expression", rt::ProjectionSpec::Expression)
               .Default(rt::ProjectionSpec::FixedProbability);
  p.degree = proj.getDegree();
  p.sign = static_cast<int>(static_cast<int64_t>(proj.getSign()));
  if (auto file = proj.getFileAttr())
    p.file = file.str();
  p.allowAutapses = proj.getAutapses();
  p.multiplicity = static_cast<int64_t>(proj.getMultiplicity());
  p.procedural = proj.getProcedural();
  if (auto slices = proj.getSlices()) {
    p.srcBegin = (*slices)[0];
    p.srcEnd = (*slices)[1];
    p.dstBegin = (*slices)[2];
    p.dstEnd = (*slices)[3];
  }
  // Sema bounds constant delays; the clamp keeps any other in int64 for
  // the runtime's check.
  p.delaySteps = static_cast<int64_t>(
      std::llround(std::min(proj.getDelay().convertToDouble() / dt, 4e18)));
  p.synRows = synapseRowNames(proj);
  if (failed(checkSynapseRowCount(proj)))
    return failure();
  for (const std::string &row : p.synRows) {
    std::string unit = "1"; // _lastupdate: a step
    for (auto w : proj.getBody().getOps<WeightOp>())
      if (w.getSymName() == row)
        unit = w.getUnit().str();
    for (auto s : proj.getBody().getOps<StateOp>())
      if (s.getSymName() == row)
        unit = s.getUnit().str();
    p.synUnits.push_back(unit);
  }
  p.weightRow = -1;
  if (!constantWeight(proj))
    for (auto w : proj.getBody().getOps<WeightOp>())
      for (size_t r = 0; r < p.synRows.size(); ++r)
        if (p.synRows[r] == w.getSymName())
          p.weightRow = int(r);
  for (const std::string &row : p.synRows)
    if (row == "_lastupdate")
      // Every synapse starts at step 0, where its states are initial.
      p.synInit.push_back(rt::InitSpec::constant(0.0));
    else if (failed(readInits(proj.getBody().front(), {row}, p.synInit, proj)))
      return failure();
  // Per-synapse delays: the initial value of `_delay`.
  for (Operation &op : proj.getBody().front())
    if (FlatSymbolRefAttr var = getInitVar(&op);
        var && var.getValue() == "_delay") {
      std::vector<rt::InitSpec> delay;
      if (failed(readInits(proj.getBody().front(), {"_delay"}, delay, proj)))
        return failure();
      p.heterogeneousDelay = true;
      p.delayInit = delay.front();
      p.delayFromInit = isa<InitExprOp>(op);
    }
  p.synInitCounts = false;
  for (auto init : proj.getBody().front().getOps<InitExprOp>())
    p.synInitCounts |=
        init.getValue()
            .walk([](DegreeOp) { return WalkResult::interrupt(); })
            .wasInterrupted();
  p.needsSources = NeuroDialect::NeedsSourcesAttrHelper(proj.getContext())
                       .isAttrPresent(proj);
  auto writes = [&](KernelKind kind, unsigned arg) {
    return writesArgument(module, kind, networkName, p.name, arg);
  };
  p.synapsesWritten =
      writes(KernelKind::Deliver, NEURO_DELIVER_ARG_SYN) ||
      writes(KernelKind::DeliverPost, NEURO_DELIVER_POST_ARG_SYN) ||
      writes(KernelKind::Update, NEURO_UPDATE_ARG_SYN);
  auto source = [&](bool write) {
    return usesArgument(module, KernelKind::Deliver, networkName, p.name,
                        NEURO_DELIVER_ARG_PRE, write) ||
           usesArgument(module, KernelKind::DeliverPost, networkName, p.name,
                        NEURO_DELIVER_POST_ARG_PRE, write) ||
           usesArgument(module, KernelKind::Sum, networkName, p.name,
                        NEURO_UPDATE_ARG_PRE, write) ||
           usesArgument(module, KernelKind::Update, networkName, p.name,
                        NEURO_UPDATE_ARG_PRE, write);
  };
  p.readsSource = source(false);
  p.writesSource = source(true);
  auto updateReads = [&](unsigned arg) {
    return usesArgument(module, KernelKind::Update, networkName, p.name, arg,
                        false);
  };
  // The sums come before the targets' integration, equations that read
  // neuron state after it (docs/semantics.md).
  p.updateAfterStep =
      updateReads(NEURO_UPDATE_ARG_POST) || updateReads(NEURO_UPDATE_ARG_PRE);
  // A neuron both source and target: a spike's `on pre` (or a target's
  // `on post`) may read a source row another synapse of the step wrote.
  p.readsWrittenSource =
      p.src == p.dst &&
      (readsRowItWrites(module, KernelKind::Deliver, networkName, p.name,
                        NEURO_DELIVER_ARG_PRE, NEURO_DELIVER_ARG_POST) ||
       readsRowItWrites(module, KernelKind::DeliverPost, networkName, p.name,
                        NEURO_DELIVER_POST_ARG_PRE,
                        NEURO_DELIVER_POST_ARG_POST));
  p.partitionable = !writes(KernelKind::Deliver, NEURO_DELIVER_ARG_PRE) &&
                    !writes(KernelKind::Deliver, NEURO_DELIVER_ARG_MODS) &&
                    !p.readsWrittenSource;
  // Modulators in the kernels' order, each a row of its population.
  for (auto m : proj.getBody().getOps<ModulatorOp>()) {
    auto bind =
        proj.getModulatorsAttr()
            ? proj.getModulatorsAttr().getAs<SymbolRefAttr>(m.getSymName())
            : SymbolRefAttr();
    if (!bind)
      return m.emitOpError("is not bound to a state of a population");
    rt::ProjectionSpec::Modulator mod;
    mod.population = popIndex.lookup(bind.getRootReference());
    const rt::PopulationSpec &src = spec.populations[size_t(mod.population)];
    auto row = llvm::find(src.rows, bind.getLeafReference().getValue().str());
    if (row == src.rows.end())
      return m.emitOpError() << "is bound to " << bind
                             << ", which is not a state of a population";
    mod.row = static_cast<int>(row - src.rows.begin());
    p.modulators.push_back(mod);
  }
  return success();
}

/// The spike and state recordings and the plasticity switches.
static LogicalResult extractRecords(NetworkOp network,
                                    const llvm::StringMap<int> &popIndex,
                                    rt::ModelSpec &spec) {
  for (auto rec : network.getBody().getOps<RecordSpikesOp>()) {
    rt::RecordSpec r;
    r.population = popIndex.lookup(rec.getPopulation());
    if (rec.getBegin()) {
      r.begin = static_cast<int64_t>(*rec.getBegin());
      r.end = static_cast<int64_t>(*rec.getEnd());
    }
    spec.records.push_back(r);
  }
  // A state recording of `rows` (a population's or a projection's) from
  // record op `op` with the given variables and range.
  auto addRecord = [&](Operation *op, rt::StateRecordSpec r,
                       ArrayRef<std::string> rows, ArrayAttr vars,
                       Attribute owner, int64_t begin, int64_t end,
                       int64_t every) -> LogicalResult {
    for (mlir::Attribute var : vars) {
      llvm::StringRef name = cast<FlatSymbolRefAttr>(var).getValue();
      auto it = llvm::find(rows, name.str());
      if (it == rows.end())
        return op->emitOpError()
               << "'" << name << "' is not a variable of " << owner;
      r.rows.push_back(static_cast<int>(it - rows.begin()));
    }
    r.begin = begin;
    r.end = end;
    r.every = every;
    spec.stateRecords.push_back(std::move(r));
    return success();
  };
  llvm::StringMap<int> projIndex;
  for (auto [j, p] : llvm::enumerate(spec.projections))
    projIndex[p.name] = static_cast<int>(j);
  for (auto sw : network.getBody().getOps<PlasticityOp>())
    spec.plasticSwitches.push_back({static_cast<int64_t>(sw.getStep()),
                                    projIndex.lookup(sw.getProjection()),
                                    sw.getPlastic()});
  for (auto rec : network.getBody().getOps<RecordSynapsesOp>()) {
    rt::StateRecordSpec r;
    r.projection = projIndex.lookup(rec.getProjection());
    if (failed(addRecord(rec, r, spec.projections[r.projection].synRows,
                         rec.getVars(), rec.getProjectionAttr(), rec.getBegin(),
                         rec.getEnd(), rec.getEvery())))
      return failure();
  }
  for (auto rec : network.getBody().getOps<RecordStateOp>()) {
    rt::StateRecordSpec r;
    r.population = popIndex.lookup(rec.getPopulation());
    if (failed(addRecord(rec, r, spec.populations[r.population].rows,
                         rec.getVars(), rec.getPopulationAttr(), rec.getBegin(),
                         rec.getEnd(), rec.getEvery())))
      return failure();
  }
  return success();
}

LogicalResult neuro::extractModelSpec(ModuleOp module, StringRef networkName,
                                      rt::ModelSpec &spec) {
  NetworkOp network;
  for (auto net : module.getOps<NetworkOp>())
    if (net.getSymName() == networkName)
      network = net;
  if (!network)
    return module.emitError() << "no network named '" << networkName << "'";
  double dt = network.getDt().convertToDouble();
  spec.name = networkName.str();
  spec.dt = dt;
  spec.duration = network.getDuration().convertToDouble();
  spec.steps = static_cast<int64_t>(rt::runSteps(spec.duration, dt));
  spec.seed = static_cast<uint64_t>(network.getSeed());
  spec.singlePrecision =
      NeuroDialect::SinglePrecisionAttrHelper(module.getContext())
          .isAttrPresent(module);
  spec.singleSynapses =
      spec.singlePrecision ||
      NeuroDialect::SingleSynapsesAttrHelper(module.getContext())
          .isAttrPresent(module);
  llvm::StringMap<int> popIndex;
  for (auto pop : network.getBody().getOps<PopulationOp>()) {
    rt::PopulationSpec p;
    if (failed(extractPopulation(pop, dt, p)))
      return failure();
    popIndex[p.name] = static_cast<int>(spec.populations.size());
    spec.populations.push_back(std::move(p));
  }
  for (auto proj : network.getBody().getOps<ProjectionOp>()) {
    rt::ProjectionSpec p;
    if (failed(extractProjection(module, networkName, proj, dt, popIndex, spec,
                                 p)))
      return failure();
    spec.projections.push_back(std::move(p));
  }
  return extractRecords(network, popIndex, spec);
}

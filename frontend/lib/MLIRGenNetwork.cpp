//===- MLIRGenNetwork.cpp - Networks in the neuro dialect -----------------===//
//
// A checked network as a `neuro.network`: its populations (parameter
// values, initial values, the model defaults neuro-select-rows may need),
// projections (rule, slices, initial values of the synapses, connection
// expressions), recordings and plasticity switches.
//
//===----------------------------------------------------------------------===//

#include "MLIRGenInternal.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <set>

using namespace neuro;
using namespace neuro::mlirgen;
using mlir::Value;

/// Whether `e` reads the name `name`.
static bool reads(const Expr &e, const std::string &name) {
  if (e.kind == Expr::Kind::Ref && e.name == name)
    return true;
  return llvm::any_of(e.args,
                      [&](const ExprPtr &a) { return a && reads(*a, name); });
}

/// Whether `e` reads a parameter of `model`: one walk, whatever the number
/// of parameters.
static bool readsAParam(const Expr &e, const ModelInfo &model) {
  if (e.kind == Expr::Kind::Ref) {
    auto it = model.vars.find(e.name);
    return it != model.vars.end() &&
           it->second.decl->kind == VarDecl::Kind::Param;
  }
  return llvm::any_of(
      e.args, [&](const ExprPtr &a) { return a && readsAParam(*a, model); });
}

/// Whether every name `e` reads is a parameter of `model`.
static bool readsOnlyParams(const Expr &e, const ModelInfo &model) {
  if (e.kind == Expr::Kind::Ref) {
    auto it = model.vars.find(e.name);
    return it != model.vars.end() &&
           it->second.decl->kind == VarDecl::Kind::Param;
  }
  return llvm::all_of(e.args, [&](const ExprPtr &a) {
    return !a || readsOnlyParams(*a, model);
  });
}

//===----------------------------------------------------------------------===//
// The network
//===----------------------------------------------------------------------===//

void Generator::genNetwork(const NetworkInfo &net) {
  currentNet = &net;
  mlir::OpBuilder::InsertionGuard guard(builder);
  auto op = builder.create<NetworkOp>(
      loc(net.decl->range), builder.getStringAttr(net.decl->name),
      builder.getF64FloatAttr(net.dt), builder.getF64FloatAttr(net.duration),
      builder.getI64IntegerAttr(static_cast<int64_t>(net.seed)));
  builder.setInsertionPointToStart(builder.createBlock(&op.getBody()));
  for (const PopulationInfo &p : net.populations)
    genPopulation(p);
  for (const ProjectionInfo &pr : net.projections)
    genProjection(pr, net);
  genRecords(net);
}

//===----------------------------------------------------------------------===//
// Populations
//===----------------------------------------------------------------------===//

void Generator::genPopulation(const PopulationInfo &p) {
  if (p.generator || p.poissonRate)
    return genSourcePopulation(p);
  mlir::OpBuilder::InsertionGuard guard(builder);
  mlir::Location l = loc(p.decl->range);
  auto pop = builder.create<PopulationOp>(
      l, builder.getStringAttr(p.decl->name), sym(p.model->name),
      builder.getI64IntegerAttr(p.size),
      p.params.empty() ? mlir::DictionaryAttr() : paramDict(p.params),
      mlir::StringAttr(),
      p.model->neuron->spike ? builder.getF64FloatAttr(p.refractory)
                             : mlir::FloatAttr(),
      refractoryParams(*p.model), mlir::DenseElementsAttr(),
      mlir::DenseI64ArrayAttr(), mlir::FloatAttr(), ablatedAttr(p),
      mlir::FloatAttr(), mlir::IntegerAttr());
  enter(pop.getBody());
  // Parameters first: initial values may read their rows.
  genInits(p.paramInits, l, populationNames(p));
  genInits(p.inits, l, populationNames(p));
  defaults.push_back({pop, &p});
}

void Generator::genSourcePopulation(const PopulationInfo &p) {
  mlir::OpBuilder::InsertionGuard guard(builder);
  mlir::Location l = loc(p.decl->range);
  PopulationOp pop;
  if (p.generator) {
    llvm::SmallVector<double> times;
    llvm::SmallVector<int64_t> indices;
    for (auto &[t, i] : *p.generator) {
      times.push_back(t);
      indices.push_back(i);
    }
    auto type = mlir::RankedTensorType::get(
        {static_cast<int64_t>(times.size())}, builder.getF64Type());
    pop = builder.create<PopulationOp>(
        l, builder.getStringAttr(p.decl->name), mlir::FlatSymbolRefAttr(),
        builder.getI64IntegerAttr(p.size), mlir::DictionaryAttr(),
        mlir::StringAttr(), mlir::FloatAttr(), mlir::ArrayAttr(),
        mlir::DenseElementsAttr::get(type, llvm::ArrayRef<double>(times)),
        builder.getDenseI64ArrayAttr(indices),
        p.spikePeriod > 0 ? builder.getF64FloatAttr(p.spikePeriod)
                          : mlir::FloatAttr(),
        ablatedAttr(p), mlir::FloatAttr(), mlir::IntegerAttr());
  } else {
    pop = builder.create<PopulationOp>(
        l, builder.getStringAttr(p.decl->name), mlir::FlatSymbolRefAttr(),
        builder.getI64IntegerAttr(p.size), mlir::DictionaryAttr(),
        mlir::StringAttr(), mlir::FloatAttr(), mlir::ArrayAttr(),
        mlir::DenseElementsAttr(), mlir::DenseI64ArrayAttr(), mlir::FloatAttr(),
        ablatedAttr(p), builder.getF64FloatAttr(*p.poissonRate),
        p.driveInputs ? builder.getI64IntegerAttr(*p.driveInputs)
                      : mlir::IntegerAttr());
  }
  builder.createBlock(&pop.getBody());
}

mlir::DenseI64ArrayAttr Generator::ablatedAttr(const PopulationInfo &p) {
  return p.ablated.empty() ? mlir::DenseI64ArrayAttr()
                           : builder.getDenseI64ArrayAttr(p.ablated);
}

mlir::DictionaryAttr
Generator::paramDict(const std::map<std::string, double> &params) {
  llvm::SmallVector<mlir::NamedAttribute> attrs;
  for (auto &[name, value] : params)
    attrs.push_back(builder.getNamedAttr(name, builder.getF64FloatAttr(value)));
  return builder.getDictionaryAttr(attrs);
}

//===----------------------------------------------------------------------===//
// Projections
//===----------------------------------------------------------------------===//

void Generator::genProjection(const ProjectionInfo &pr,
                              const NetworkInfo &net) {
  mlir::OpBuilder::InsertionGuard guard(builder);
  mlir::Location l = loc(pr.targetRange);
  auto proj = builder.create<ProjectionOp>(
      l, builder.getStringAttr(pr.name),
      sym(net.populations[pr.src].decl->name),
      sym(net.populations[pr.dst].decl->name), sym(pr.model->name),
      builder.getF64FloatAttr(pr.p), builder.getF64FloatAttr(pr.delay),
      pr.params.empty() ? mlir::DictionaryAttr() : paramDict(pr.params),
      mlir::StringAttr(), mlir::IntegerAttr(), mlir::BoolAttr(),
      mlir::IntegerAttr(), mlir::DenseI64ArrayAttr(), mlir::DictionaryAttr(),
      pr.file.empty() ? mlir::StringAttr() : builder.getStringAttr(pr.file),
      pr.fileWeights ? builder.getUnitAttr() : mlir::UnitAttr(),
      pr.fileDelays ? builder.getUnitAttr() : mlir::UnitAttr(),
      mlir::IntegerAttr(), mlir::UnitAttr(),
      pr.procedural ? builder.getUnitAttr() : mlir::UnitAttr());
  setProjectionAttrs(proj, pr, net);
  enter(proj.getBody());
  genInits(pr.inits, l, projectionNames(pr, net));
  if (pr.delayInit)
    genInits({{"_delay", *pr.delayInit}}, l, projectionNames(pr, net));
  if (pr.rule == "expression")
    genConnectRule(pr, net, l);
}

void Generator::setProjectionAttrs(ProjectionOp proj, const ProjectionInfo &pr,
                                   const NetworkInfo &net) {
  if (pr.sign)
    proj.setSign(pr.sign);
  if (!pr.modulators.empty()) {
    llvm::SmallVector<mlir::NamedAttribute> binds;
    for (const ProjectionInfo::Modulator &m : pr.modulators)
      binds.push_back(builder.getNamedAttr(
          m.name,
          mlir::SymbolRefAttr::get(
              builder.getStringAttr(net.populations[m.population].decl->name),
              {sym(m.var)})));
    proj.setModulatorsAttr(builder.getDictionaryAttr(binds));
  }
  if (pr.rule != "probability")
    proj.setRule(pr.rule);
  if (pr.degree)
    proj.setDegree(pr.degree);
  if (!pr.autapses)
    proj.setAutapses(false);
  if (pr.multiplicity != 1)
    proj.setMultiplicity(pr.multiplicity);
  const PopulationInfo &srcPop = net.populations[pr.src];
  const PopulationInfo &dstPop = net.populations[pr.dst];
  if (pr.srcBegin != 0 || pr.srcEnd != srcPop.size || pr.dstBegin != 0 ||
      pr.dstEnd != dstPop.size)
    proj.setSlices(llvm::ArrayRef<int64_t>{pr.srcBegin, pr.srcEnd, pr.dstBegin,
                                           pr.dstEnd});
}

void Generator::genConnectRule(const ProjectionInfo &pr, const NetworkInfo &net,
                               mlir::Location l) {
  mlir::OpBuilder::InsertionGuard guard(builder);
  const Expr *at = pr.whereExpr ? pr.whereExpr : pr.probExpr;
  auto rule = builder.create<ConnectRuleOp>(loc(at->range));
  enter(rule.getProbability());
  auto names = projectionNames(pr, net);
  Value p = pr.probExpr ? genNetExpr(*pr.probExpr, names)
                        : constant(loc(at->range), pr.p);
  if (pr.whereExpr) {
    Value cond = genNetExpr(*pr.whereExpr, names);
    p = builder.create<mlir::arith::SelectOp>(loc(at->range), cond, p,
                                              constant(l, 0.0));
  }
  builder.create<YieldOp>(loc(at->range), p);
}

//===----------------------------------------------------------------------===//
// Recordings and plasticity switches
//===----------------------------------------------------------------------===//

void Generator::genRecords(const NetworkInfo &net) {
  for (const StateRecordInfo &rec : net.recordStates) {
    llvm::SmallVector<mlir::Attribute> vars;
    for (const std::string &v : rec.vars)
      vars.push_back(sym(v));
    if (rec.projection >= 0) {
      builder.create<RecordSynapsesOp>(
          loc(rec.range), sym(net.projections[rec.projection].name),
          builder.getArrayAttr(vars), builder.getI64IntegerAttr(rec.begin),
          builder.getI64IntegerAttr(rec.end),
          builder.getI64IntegerAttr(rec.every));
      continue;
    }
    builder.create<RecordStateOp>(
        loc(rec.range), sym(net.populations[rec.population].decl->name),
        builder.getArrayAttr(vars), builder.getI64IntegerAttr(rec.begin),
        builder.getI64IntegerAttr(rec.end),
        builder.getI64IntegerAttr(rec.every));
  }
  for (const NetworkInfo::PlasticSwitch &sw : net.plasticSwitches)
    builder.create<PlasticityOp>(
        loc(sw.range), sym(net.projections[sw.projection].name),
        builder.getBoolAttr(sw.plastic), builder.getI64IntegerAttr(sw.step));
  for (const SpikeRecordInfo &rec : net.recordSpikes) {
    const PopulationInfo &pop = net.populations[rec.population];
    bool whole = rec.begin == 0 && rec.end == pop.size;
    builder.create<RecordSpikesOp>(
        loc(rec.range), sym(pop.decl->name),
        whole ? mlir::IntegerAttr() : builder.getI64IntegerAttr(rec.begin),
        whole ? mlir::IntegerAttr() : builder.getI64IntegerAttr(rec.end));
  }
}

//===----------------------------------------------------------------------===//
// Initial values, names and model defaults
//===----------------------------------------------------------------------===//

Generator::Resolver Generator::populationNames(const PopulationInfo &p) {
  return [this, &p](const Expr &e) -> Value {
    mlir::Location l = loc(e.range);
    // The neuron's index and the population's size before the network's
    // parameters of those names, as Brian2 puts a group's own first.
    if (e.name == "i")
      return builder.create<IndexOp>(l, builder.getF64Type(), "self");
    if (e.name == "N")
      return constant(l, double(p.size));
    if (auto c = currentNet->constants.find(e.name);
        c != currentNet->constants.end())
      return constant(l, c->second);
    if (auto c = builtinConstant(e.name); c && !p.model->vars.count(e.name))
      return constant(l, *c);
    // A parameter: a constant or a row (computed before: Sema orders the
    // per-neuron values), as neuro-select-rows decides.
    return builder.create<RefOp>(l, builder.getF64Type(), e.name,
                                 /*post=*/false, /*pre=*/false);
  };
}

Generator::Resolver Generator::projectionNames(const ProjectionInfo &pr,
                                               const NetworkInfo &net) {
  return [this, &pr, &net](const Expr &e) -> Value {
    mlir::Location l = loc(e.range);
    const PopulationInfo &src = net.populations[pr.src];
    const PopulationInfo &dst = net.populations[pr.dst];
    if (e.name == "i" || e.name == "j")
      return builder.create<IndexOp>(l, builder.getF64Type(),
                                     e.name == "i" ? "pre" : "post");
    if (e.name == "N_pre" || e.name == "N_post")
      return constant(l, double(e.name == "N_pre" ? src.size : dst.size));
    if (e.name == "N_incoming" || e.name == "N_outgoing")
      return builder.create<DegreeOp>(l, builder.getF64Type(),
                                      e.name == "N_incoming" ? "incoming"
                                                             : "outgoing");
    if (auto c = net.constants.find(e.name); c != net.constants.end())
      return constant(l, c->second);
    if (auto c = builtinConstant(e.name); c && !pr.params.count(e.name))
      return constant(l, *c);
    // The synapse's weight and states: rows set before (Sema orders them).
    if (auto var = pr.model->vars.find(e.name);
        var != pr.model->vars.end() &&
        (var->second.decl->kind == VarDecl::Kind::Weight ||
         var->second.decl->kind == VarDecl::Kind::State))
      return builder.create<RefOp>(l, builder.getF64Type(), e.name,
                                   /*post=*/false, /*pre=*/false);
    for (bool isPre : {true, false}) {
      llvm::StringRef var = e.name;
      if (var.consume_back(isPre ? "_pre" : "_post") && !var.empty())
        return builder.create<RefOp>(l, builder.getF64Type(), var, !isPre,
                                     isPre);
    }
    return constant(l, pr.params.at(e.name));
  };
}

void Generator::genInits(
    const std::vector<std::pair<std::string, InitValue>> &inits,
    mlir::Location l, Resolver names) {
  for (auto &[name, iv] : inits) {
    if (iv.expr) {
      mlir::OpBuilder::InsertionGuard guard(builder);
      auto op = builder.create<InitExprOp>(loc(iv.expr->range), sym(name),
                                           iv.derived ? builder.getUnitAttr()
                                                      : mlir::UnitAttr());
      enter(op.getValue());
      Value v = genNetExpr(*iv.expr, names);
      builder.create<YieldOp>(loc(iv.expr->range), v);
      continue;
    }
    switch (iv.kind) {
    case InitValue::Kind::Uniform:
      builder.create<InitUniformOp>(l, sym(name), builder.getF64FloatAttr(iv.a),
                                    builder.getF64FloatAttr(iv.b));
      break;
    case InitValue::Kind::Normal:
      builder.create<InitNormalOp>(l, sym(name), builder.getF64FloatAttr(iv.a),
                                   builder.getF64FloatAttr(iv.b));
      break;
    case InitValue::Kind::Constant:
      builder.create<InitConstOp>(l, sym(name), builder.getF64FloatAttr(iv.a));
      break;
    case InitValue::Kind::Timed: {
      int64_t rows = static_cast<int64_t>(iv.values->size()) / iv.columns;
      auto type =
          mlir::RankedTensorType::get({rows, iv.columns}, builder.getF64Type());
      builder.create<InitTimedOp>(
          l, sym(name), builder.getI64IntegerAttr(iv.every),
          mlir::DenseElementsAttr::get(type,
                                       llvm::ArrayRef<double>(*iv.values)));
      break;
    }
    }
  }
}

mlir::ArrayAttr Generator::refractoryParams(const ModelInfo &model) {
  const NeuronDecl &nd = *model.neuron;
  if (!nd.spike || !nd.spike->refractory)
    return {};
  llvm::SmallVector<mlir::Attribute> names;
  for (const VarDecl &v : nd.vars)
    if (v.kind == VarDecl::Kind::Param && reads(*nd.spike->refractory, v.name))
      names.push_back(sym(v.name));
  return names.empty() ? mlir::ArrayAttr() : builder.getArrayAttr(names);
}

void Generator::genDefaults(PopulationOp pop, const PopulationInfo &p) {
  const ModelInfo &model = *p.model;
  std::set<std::string> given;
  for (const NamedExpr &a : p.decl->args)
    given.insert(a.name);
  // `--set P.v=...` compiled in replaces the default as an argument does.
  for (const VarDecl &v : model.neuron->vars)
    if (sema.usedOverrides.count(p.decl->name + "." + v.name))
      given.insert(v.name);
  auto isExpr = [&](const std::string &name) {
    return llvm::any_of(
        p.inits, [&](auto &e) { return e.first == name && e.second.expr; });
  };
  mlir::OpBuilder::InsertionGuard guard(builder);
  for (bool params : {true, false})
    for (const VarDecl &v : model.neuron->vars) {
      if (!v.init || given.count(v.name) ||
          v.kind != (params ? VarDecl::Kind::Param : VarDecl::Kind::State) ||
          (params ? !p.params.count(v.name) : isExpr(v.name)))
        continue;
      if (!readsAParam(*v.init, model) || !readsOnlyParams(*v.init, model))
        continue;
      builder.setInsertionPointToEnd(&pop.getBody().front());
      auto op = builder.create<DefaultOp>(loc(v.init->range), sym(v.name));
      enter(op.getValue());
      Value value = genNetExpr(*v.init, [this](const Expr &e) -> Value {
        return builder.create<RefOp>(loc(e.range), builder.getF64Type(), e.name,
                                     /*post=*/false, /*pre=*/false);
      });
      builder.create<YieldOp>(loc(v.init->range), value);
    }
}

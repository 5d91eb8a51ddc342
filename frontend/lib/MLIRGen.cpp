//===- MLIRGen.cpp - From the checked AST to the neuro dialect ------------===//
//
// The generator's driver, the models (neurons and synapses) and the
// expressions; networks are in MLIRGenNetwork.cpp.
//
//===----------------------------------------------------------------------===//

#include "neuro/Frontend/MLIRGen.h"
#include "MLIRGenInternal.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Verifier.h"

#include <cmath>

using namespace neuro;
using namespace neuro::mlirgen;
using mlir::Value;

mlir::OwningOpRef<mlir::ModuleOp> Generator::generate() {
  mlir::OwningOpRef<mlir::ModuleOp> result =
      mlir::ModuleOp::create(loc(SourceLoc{1, 1}));
  builder.setInsertionPointToEnd(result->getBody());
  for (const NetworkInfo &net : sema.networks)
    for (const StateRecordInfo &rec : net.recordStates) {
      if (rec.projection >= 0)
        continue;
      const ModelInfo *model = net.populations[rec.population].model;
      for (const std::string &v : rec.vars) {
        auto var = model ? model->vars.find(v) : decltype(model->vars.end())();
        if (model && var != model->vars.end() &&
            var->second.decl->kind == VarDecl::Kind::Let)
          recordedLets[model].insert(v);
      }
    }
  for (const ModelInfo *model : sema.modelOrder) {
    if (model->isSynapse)
      genSynapse(*model);
    else
      genNeuron(*model);
  }
  for (const NetworkInfo &net : sema.networks)
    genNetwork(net);
  // Last, so that their draws take call sites after every other one.
  for (auto &[pop, info] : defaults)
    genDefaults(pop, *info);
  if (mlir::failed(mlir::verify(*result)))
    return nullptr;
  return result;
}

mlir::Location Generator::loc(SourceLoc l) {
  llvm::StringRef file = module.filename;
  if (sourceMgr && l.buffer)
    file = sourceMgr->getMemoryBuffer(l.buffer)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(&context, file, l.line, l.col);
}

mlir::FlatSymbolRefAttr Generator::sym(llvm::StringRef name) {
  return mlir::FlatSymbolRefAttr::get(&context, name);
}

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

void Generator::genVars(const ModelInfo &model,
                        const std::vector<VarDecl> &vars) {
  for (const VarDecl &v : vars) {
    const VarInfo &vi = model.vars.at(v.name);
    std::string unit = vi.dim.symbol();
    mlir::Location l = loc(v.range);
    switch (v.kind) {
    case VarDecl::Kind::Param:
      builder.create<ParamOp>(l, builder.getStringAttr(v.name),
                              builder.getF64FloatAttr(vi.defaultValue),
                              builder.getStringAttr(unit));
      break;
    case VarDecl::Kind::State:
      builder.create<StateOp>(l, v.name, unit);
      break;
    case VarDecl::Kind::Input:
      builder.create<InputOp>(l, v.name, unit);
      break;
    case VarDecl::Kind::Weight:
      builder.create<WeightOp>(l, v.name, unit);
      break;
    case VarDecl::Kind::PostState:
      builder.create<PostStateOp>(l, v.name, unit);
      break;
    case VarDecl::Kind::Let:
      break; // substituted where used
    case VarDecl::Kind::PostVar:
      builder.create<PostVarOp>(l, v.name, unit);
      break;
    case VarDecl::Kind::PreVar:
      builder.create<PreVarOp>(l, v.name, v.neuronVar, unit);
      break;
    case VarDecl::Kind::Modulator:
      builder.create<ModulatorOp>(l, v.name, unit);
      break;
    }
  }
}

void Generator::enter(mlir::Region &region) {
  builder.setInsertionPointToStart(builder.createBlock(&region));
  forgetShared();
}

void Generator::forgetShared() {
  letValues.clear();
  callValues.clear();
}

void Generator::genOdes(const ModelInfo &model,
                        const std::vector<OdeDecl> &odes,
                        const std::string &method) {
  for (const OdeDecl &o : odes) {
    mlir::OpBuilder::InsertionGuard guard(builder);
    auto ode = builder.create<OdeOp>(
        loc(o.range), sym(o.var),
        o.unlessRefractory ? builder.getUnitAttr() : mlir::UnitAttr(),
        method.empty() ? mlir::StringAttr() : builder.getStringAttr(method));
    enter(ode.getRhs());
    Value rhs = genExpr(*o.rhs, model);
    builder.create<YieldOp>(loc(o.rhs->range), rhs);
  }
}

/// Calls `f` on each name `e` reads.
static void forEachName(const Expr &e,
                        llvm::function_ref<void(const std::string &)> f) {
  if (e.kind == Expr::Kind::Ref)
    f(e.name);
  for (const ExprPtr &a : e.args)
    forEachName(*a, f);
}

void Generator::lastingLets(const ModelInfo &model,
                            const std::vector<Stmt> &stmts,
                            llvm::DenseSet<const VarDecl *> &lasting) {
  auto letOf = [&](const std::string &name) -> const VarDecl * {
    auto it = model.vars.find(name);
    return it != model.vars.end() && it->second.decl->kind == VarDecl::Kind::Let
               ? it->second.decl
               : nullptr;
  };
  auto key = [&](const std::string &name) {
    return declName(model, name) + (isPost(model, name) ? " post" : "");
  };
  llvm::DenseSet<const VarDecl *> seen;
  for (size_t k = 0; k < stmts.size(); ++k) {
    std::set<std::string> later;
    for (size_t m = k + 1; m < stmts.size(); ++m)
      later.insert(key(stmts[m].target));
    // The lets statement k reads, through other lets too.
    std::function<void(const std::string &)> visit =
        [&](const std::string &name) {
          const VarDecl *let = letOf(name);
          if (!let || !seen.insert(let).second)
            return;
          // Brian2 renames a synapse's subexpressions in its pathways, so
          // no statement there assigns what they read: they all last.
          bool lasts = true;
          forEachName(*let->init, [&](const std::string &n) {
            lasts &= model.isSynapse || !later.count(key(n));
          });
          if (lasts)
            lasting.insert(let);
          forEachName(*let->init, visit);
        };
    forEachName(*stmts[k].value, visit);
  }
}

void Generator::genStmts(const ModelInfo &model,
                         const std::vector<Stmt> &stmts) {
  llvm::DenseSet<const VarDecl *> lasting;
  lastingLets(model, stmts, lasting);
  ownNestedLets = model.isSynapse;
  for (const Stmt &s : stmts) {
    bool post = isPost(model, s.target);
    std::string target = declName(model, s.target);
    mlir::Location l = loc(s.range);
    Value value = genExpr(*s.value, model);
    // What the next statement reads afresh: calls, and the lets whose
    // value does not last.
    callValues.clear();
    llvm::SmallVector<const VarDecl *> stale;
    for (auto &[let, v] : letValues)
      if (!lasting.count(let))
        stale.push_back(let);
    for (const VarDecl *let : stale)
      letValues.erase(let);
    if (s.op != "=") {
      Value old = builder.create<RefOp>(loc(s.targetRange),
                                        builder.getF64Type(), target, post);
      if (s.op == "+=")
        value = builder.create<mlir::arith::AddFOp>(l, old, value);
      else if (s.op == "-=")
        value = builder.create<mlir::arith::SubFOp>(l, old, value);
      else if (s.op == "*=")
        value = builder.create<mlir::arith::MulFOp>(l, old, value);
      else
        value = builder.create<mlir::arith::DivFOp>(l, old, value);
    }
    builder.create<AssignOp>(l, target, post, value);
  }
  ownNestedLets = false;
}

void Generator::genNeuron(const ModelInfo &model) {
  const NeuronDecl &n = *model.neuron;
  mlir::OpBuilder::InsertionGuard guard(builder);
  auto op = builder.create<NeuronOp>(
      loc(n.range), builder.getStringAttr(n.name),
      model.method.empty() ? mlir::StringAttr()
                           : builder.getStringAttr(model.method));
  enter(op.getBody());
  genVars(model, n.vars);
  genOdes(model, n.odes);
  genRecordedLets(model);
  if (n.spike) {
    llvm::SmallVector<mlir::Attribute> clamped;
    for (const OdeDecl &o : n.odes)
      if (o.unlessRefractory)
        clamped.push_back(sym(o.var));
    auto threshold = builder.create<ThresholdOp>(
        loc(n.spike->range), builder.getF64FloatAttr(model.refractory),
        n.spike->refractory ? builder.getUnitAttr() : mlir::UnitAttr(),
        clamped.empty() ? mlir::ArrayAttr() : builder.getArrayAttr(clamped));
    {
      mlir::OpBuilder::InsertionGuard g(builder);
      enter(threshold.getCondition());
      Value cond = genExpr(*n.spike->condition, model);
      builder.create<YieldOp>(loc(n.spike->condition->range), cond);
    }
    // A period some population sets per neuron: its expression, of rows
    // where a population has them (neuro-elaborate keeps it only there);
    // or the condition that holds a neuron refractory.
    if ((model.refractoryPerNeuron || model.refractoryCondition) &&
        n.spike->refractory) {
      mlir::OpBuilder::InsertionGuard g(builder);
      enter(threshold.getPeriod());
      Value period = genExpr(*n.spike->refractory, model);
      builder.create<YieldOp>(loc(n.spike->refractory->range), period);
    }
    if (!n.spike->reset.empty()) {
      auto reset = builder.create<ResetOp>(loc(n.spike->reset[0].range));
      mlir::OpBuilder::InsertionGuard g(builder);
      enter(reset.getBody());
      genStmts(model, n.spike->reset);
      builder.create<YieldOp>(loc(n.spike->range.end));
    }
  }
}

void Generator::genRecordedLets(const ModelInfo &model) {
  auto recorded = recordedLets.find(&model);
  if (recorded == recordedLets.end())
    return;
  for (const VarDecl &v : model.neuron->vars) {
    if (v.kind != VarDecl::Kind::Let || !recorded->second.count(v.name))
      continue;
    mlir::OpBuilder::InsertionGuard guard(builder);
    auto let = builder.create<LetOp>(
        loc(v.range), sym(v.name),
        builder.getStringAttr(model.vars.at(v.name).dim.symbol()));
    enter(let.getValue());
    Value value = genExpr(*v.init, model);
    // A truth value is recorded as 0 or 1.
    if (value.getType().isInteger(1))
      value = builder.create<mlir::arith::UIToFPOp>(
          loc(v.init->range), builder.getF64Type(), value);
    builder.create<YieldOp>(loc(v.init->range), value);
  }
}

void Generator::genSynapse(const ModelInfo &model) {
  const SynapseDecl &s = *model.synapse;
  mlir::OpBuilder::InsertionGuard guard(builder);
  auto op = builder.create<SynapseOp>(loc(s.range), s.name);
  enter(op.getBody());
  genVars(model, s.vars);
  genOdes(model, s.odes, model.method);
  for (const EventDecl &e : s.events) {
    mlir::OpBuilder::InsertionGuard g(builder);
    mlir::Region *body;
    if (e.event == "post")
      body = &builder.create<OnPostOp>(loc(e.range)).getBody();
    else
      body = &builder.create<OnPreOp>(loc(e.range)).getBody();
    enter(*body);
    genStmts(model, e.body);
    builder.create<YieldOp>(loc(e.range.end));
  }
  for (const DrivesDecl &d : s.drives) {
    mlir::OpBuilder::InsertionGuard g(builder);
    auto drives = builder.create<DrivesOp>(loc(d.range), sym(d.target),
                                           mlir::FlatSymbolRefAttr());
    enter(drives.getValue());
    Value v = genExpr(*d.value, model);
    builder.create<YieldOp>(loc(d.value->range), v);
  }
}

std::string Generator::declName(const ModelInfo &model,
                                const std::string &name) {
  auto it = model.vars.find(name);
  return it == model.vars.end() ? name : it->second.decl->name;
}

bool Generator::isPost(const ModelInfo &model, const std::string &name) {
  auto it = model.vars.find(name);
  return it != model.vars.end() &&
         (it->second.decl->kind == VarDecl::Kind::PostState ||
          it->second.decl->kind == VarDecl::Kind::PostVar);
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Value Generator::constant(mlir::Location l, double v) {
  return builder.create<mlir::arith::ConstantOp>(l, builder.getF64FloatAttr(v));
}

Value Generator::genExpr(const Expr &e, const ModelInfo &model) {
  mlir::Location l = loc(e.range);
  switch (e.kind) {
  case Expr::Kind::Number:
    return constant(l, literalValue(e));
  case Expr::Kind::Ref: {
    if (refHook)
      return refHook(e);
    auto it = model.vars.find(e.name);
    if (it == model.vars.end() && e.name == "xi")
      return builder.create<NoiseOp>(l, builder.getF64Type());
    if (it == model.vars.end() && e.name == "t")
      return builder.create<TimeOp>(l, builder.getF64Type());
    if (it == model.vars.end() && e.name == "dt")
      return builder.create<TimeStepOp>(l, builder.getF64Type());
    if (auto c = builtinConstant(e.name); it == model.vars.end() && c)
      return constant(l, *c);
    if (it == model.vars.end() && isNotRefractoryName(e.name))
      return builder.create<NotRefractoryOp>(l, builder.getI1Type(),
                                             e.name == "not_refractory_post",
                                             e.name == "not_refractory_pre");
    if (it == model.vars.end() && isLastSpikeName(e.name))
      return builder.create<LastSpikeOp>(l, builder.getF64Type(),
                                         e.name == "lastspike_post",
                                         e.name == "lastspike_pre");
    if (it != model.vars.end() && it->second.decl->kind == VarDecl::Kind::Let) {
      // In a synapse's events, the lets a let reads are its own copies
      // (Brian2 renames them), computed afresh with it.
      bool own = ownNestedLets && letDepth > 0;
      auto &cache = own ? nestedLetValues : letValues;
      if (Value v = cache.lookup(it->second.decl))
        return v;
      if (ownNestedLets && letDepth == 0)
        nestedLetValues.clear();
      ++letDepth;
      Value v = genExpr(*it->second.decl->init, model);
      --letDepth;
      (own ? nestedLetValues : letValues)[it->second.decl] = v;
      return v;
    }
    return builder.create<RefOp>(l, builder.getF64Type(),
                                 declName(model, e.name),
                                 isPost(model, e.name));
  }
  case Expr::Kind::Member:
  case Expr::Kind::String:
  case Expr::Kind::List:
  case Expr::Kind::Index:
    llvm_unreachable("rejected by Sema in models");
  case Expr::Kind::Unary: {
    Value x = genExpr(*e.args[0], model);
    if (e.op == "-")
      return builder.create<mlir::arith::NegFOp>(l, x);
    if (e.op == "!") {
      Value t =
          builder.create<mlir::arith::ConstantOp>(l, builder.getBoolAttr(true));
      return builder.create<mlir::arith::XOrIOp>(l, x, t);
    }
    return x;
  }
  case Expr::Kind::Binary: {
    if (e.op == "^")
      if (auto n = mlirgen::integerExponent(*e.args[1]))
        return mlirgen::genIntegerPower(builder, l, genExpr(*e.args[0], model),
                                        *n);
    Value a = genExpr(*e.args[0], model);
    Value b = genExpr(*e.args[1], model);
    const std::string &op = e.op;
    using P = mlir::arith::CmpFPredicate;
    if (op == "+")
      return builder.create<mlir::arith::AddFOp>(l, a, b);
    if (op == "-")
      return builder.create<mlir::arith::SubFOp>(l, a, b);
    if (op == "*")
      return builder.create<mlir::arith::MulFOp>(l, a, b);
    if (op == "/")
      return builder.create<mlir::arith::DivFOp>(l, a, b);
    if (op == "%") {
      // Brian2's a % b: a - b floor(a / b), the sign of b (as Python's).
      Value q = builder.create<mlir::arith::DivFOp>(l, a, b);
      Value f = builder.create<mlir::math::FloorOp>(l, q);
      Value m = builder.create<mlir::arith::MulFOp>(l, b, f);
      return builder.create<mlir::arith::SubFOp>(l, a, m);
    }
    if (op == "^")
      return builder.create<mlir::math::PowFOp>(l, a, b);
    if (op == "and")
      return builder.create<mlir::arith::AndIOp>(l, a, b);
    if (op == "or")
      return builder.create<mlir::arith::OrIOp>(l, a, b);
    P pred = op == "<"    ? P::OLT
             : op == "<=" ? P::OLE
             : op == ">"  ? P::OGT
             : op == ">=" ? P::OGE
             : op == "==" ? P::OEQ
                          : P::UNE;
    return builder.create<mlir::arith::CmpFOp>(l, pred, a, b);
  }
  case Expr::Kind::Conditional: {
    Value c = genExpr(*e.args[0], model);
    Value a = genExpr(*e.args[1], model);
    Value b = genExpr(*e.args[2], model);
    return builder.create<mlir::arith::SelectOp>(l, c, a, b);
  }
  case Expr::Kind::Call: {
    if (const FunctionDecl *f = findFunction(e))
      return genInlinedCall(*f, e, model);
    if (e.name == "rand")
      return builder.create<RandOp>(l, builder.getF64Type(),
                                    builder.getI32IntegerAttr(randSites++));
    if (e.name == "randn" && !refHook)
      return builder.create<RandNormalOp>(
          l, builder.getF64Type(), builder.getI32IntegerAttr(randSites++));
    if (refHook &&
        (e.name == "uniform" || e.name == "normal" || e.name == "lognormal" ||
         e.name == "exponential" || e.name == "randn"))
      return genDraw(e, model);
    std::vector<Value> args;
    for (auto &a : e.args)
      args.push_back(genExpr(*a, model));
    return mlirgen::genBuiltinCall(builder, l, e.name, args);
  }
  }
  return constant(l, 0.0);
}

const FunctionDecl *Generator::findFunction(const Expr &call) const {
  // As the checker resolves it: the call's own file's private function
  // first (an imported model's), then the one every file sees.
  const FunctionDecl *shared = nullptr;
  for (const FunctionDecl &f : module.functions)
    if (f.name == call.name) {
      if (f.privateTo == call.range.begin.buffer)
        return &f;
      if (!f.privateTo)
        shared = &f;
    }
  return shared;
}

Value Generator::genDraw(const Expr &e, const ModelInfo &model) {
  namespace arith = mlir::arith;
  mlir::Location l = loc(e.range);
  auto uniform = [&]() -> Value {
    return builder.create<RandOp>(l, builder.getF64Type(),
                                  builder.getI32IntegerAttr(randSites++));
  };
  auto normal = [&]() -> Value {
    return builder.create<RandNormalOp>(l, builder.getF64Type(),
                                        builder.getI32IntegerAttr(randSites++));
  };
  if (e.name == "randn")
    return normal();
  std::vector<Value> a;
  for (auto &arg : e.args)
    a.push_back(genExpr(*arg, model));
  if (e.name == "uniform") {
    Value width = builder.create<arith::SubFOp>(l, a[1], a[0]);
    return builder.create<arith::AddFOp>(
        l, a[0], builder.create<arith::MulFOp>(l, width, uniform()));
  }
  if (e.name == "normal")
    return builder.create<arith::AddFOp>(
        l, a[0], builder.create<arith::MulFOp>(l, a[1], normal()));
  if (e.name == "lognormal")
    return builder.create<arith::MulFOp>(
        l, a[0],
        builder.create<mlir::math::ExpOp>(
            l, builder.create<arith::MulFOp>(l, a[1], normal())));
  // exponential(mean) = -mean log(1 - u), u in [0, 1).
  Value oneMinus =
      builder.create<arith::SubFOp>(l, constant(l, 1.0), uniform());
  return builder.create<arith::MulFOp>(
      l, builder.create<arith::NegFOp>(l, a[0]),
      builder.create<mlir::math::LogOp>(l, oneMinus));
}

/// A call of a declared function, inlined: the body with the parameters
/// bound to the arguments, once per function and arguments in a region.
Value Generator::genInlinedCall(const FunctionDecl &f, const Expr &e,
                                const ModelInfo &model) {
  std::map<std::string, Value> scope;
  std::vector<void *> key{const_cast<FunctionDecl *>(&f)};
  for (size_t k = 0; k < f.params.size(); ++k) {
    Value arg = genExpr(*e.args[k], model);
    scope[f.params[k].name] = arg;
    key.push_back(arg.getAsOpaquePointer());
  }
  if (auto it = callValues.find(key); it != callValues.end())
    return it->second;
  static const ModelInfo none;
  auto saved = std::move(refHook);
  // The body reads its parameters and the built-in constants (Sema's
  // typeNetExpr).
  refHook = [&](const Expr &r) {
    if (auto it = scope.find(r.name); it != scope.end())
      return it->second;
    std::optional<double> c = builtinConstant(r.name);
    assert(c && "a function's body reads its parameters and constants");
    return constant(loc(r.range), *c);
  };
  Value v = genExpr(*f.body, none);
  refHook = std::move(saved);
  callValues[key] = v;
  return v;
}

Value Generator::genNetExpr(const Expr &e, Resolver resolve) {
  static const ModelInfo none;
  refHook = std::move(resolve);
  Value v = genExpr(e, none);
  refHook = nullptr;
  return v;
}

mlir::OwningOpRef<mlir::ModuleOp>
neuro::mlirGen(mlir::MLIRContext &context, const Module &module,
               const SemaResult &sema, const llvm::SourceMgr *sourceMgr) {
  return Generator(context, module, sema, sourceMgr).generate();
}

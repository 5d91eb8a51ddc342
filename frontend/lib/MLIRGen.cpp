//===- MLIRGen.cpp - From the checked AST to the neuro dialect ------------===//

#include "neuro/Frontend/MLIRGen.h"
#include "MLIRGenInternal.h"
#include "neuro/IR/NeuroOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <functional>
#include <set>

using namespace neuro;
using mlir::Value;

namespace {

class Generator {
public:
  Generator(mlir::MLIRContext &context, const Module &module,
            const SemaResult &sema, const llvm::SourceMgr *sourceMgr)
      : context(context), builder(&context), module(module), sema(sema),
        sourceMgr(sourceMgr) {}

  mlir::OwningOpRef<mlir::ModuleOp> generate() {
    mlir::OwningOpRef<mlir::ModuleOp> result =
        mlir::ModuleOp::create(loc(SourceLoc{1, 1}));
    builder.setInsertionPointToEnd(result->getBody());
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

private:
  mlir::Location loc(SourceLoc l) {
    llvm::StringRef file = module.filename;
    if (sourceMgr && l.buffer)
      file = sourceMgr->getMemoryBuffer(l.buffer)->getBufferIdentifier();
    return mlir::FileLineColLoc::get(&context, file, l.line, l.col);
  }
  mlir::Location loc(SourceRange r) { return loc(r.begin); }

  mlir::FlatSymbolRefAttr sym(llvm::StringRef name) {
    return mlir::FlatSymbolRefAttr::get(&context, name);
  }

  //===--------------------------------------------------------------------===//
  // Models
  //===--------------------------------------------------------------------===//

  void genVars(const ModelInfo &model, const std::vector<VarDecl> &vars) {
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

  /// Starts the single block of `region` and positions the builder in it.
  void enter(mlir::Region &region) {
    builder.setInsertionPointToStart(builder.createBlock(&region));
    forgetShared();
  }

  /// Values of `let`s and of function calls are emitted once per region
  /// and shared by every use after them (a chain of lets that each use the
  /// previous one twice stays linear, not exponential). Forgotten when a
  /// region starts and after each statement, whose assignment may change
  /// what they read.
  void forgetShared() {
    letValues.clear();
    callValues.clear();
  }

  /// `method`, when not empty, is requested on every equation (synapses:
  /// neuro-integrate applies it to the clock-driven ones).
  void genOdes(const ModelInfo &model, const std::vector<OdeDecl> &odes,
               const std::string &method = "") {
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

  void genStmts(const ModelInfo &model, const std::vector<Stmt> &stmts) {
    for (const Stmt &s : stmts) {
      bool post = isPost(model, s.target);
      std::string target = declName(model, s.target);
      mlir::Location l = loc(s.range);
      Value value = genExpr(*s.value, model);
      forgetShared();
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
  }

  void genNeuron(const ModelInfo &model) {
    const NeuronDecl &n = *model.neuron;
    mlir::OpBuilder::InsertionGuard guard(builder);
    auto op = builder.create<NeuronOp>(
        loc(n.range), builder.getStringAttr(n.name),
        model.method.empty() ? mlir::StringAttr()
                             : builder.getStringAttr(model.method));
    enter(op.getBody());
    genVars(model, n.vars);
    genOdes(model, n.odes);
    if (n.spike) {
      llvm::SmallVector<mlir::Attribute> clamped;
      for (const OdeDecl &o : n.odes)
        if (o.unlessRefractory)
          clamped.push_back(sym(o.var));
      auto threshold = builder.create<ThresholdOp>(
          loc(n.spike->range), builder.getF64FloatAttr(model.refractory),
          clamped.empty() ? mlir::ArrayAttr() : builder.getArrayAttr(clamped));
      {
        mlir::OpBuilder::InsertionGuard g(builder);
        enter(threshold.getCondition());
        Value cond = genExpr(*n.spike->condition, model);
        builder.create<YieldOp>(loc(n.spike->condition->range), cond);
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

  void genSynapse(const ModelInfo &model) {
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

  /// The declaration `name` refers to: `v_post` is `post v`.
  std::string declName(const ModelInfo &model, const std::string &name) {
    auto it = model.vars.find(name);
    return it == model.vars.end() ? name : it->second.decl->name;
  }

  bool isPost(const ModelInfo &model, const std::string &name) {
    auto it = model.vars.find(name);
    return it != model.vars.end() &&
           (it->second.decl->kind == VarDecl::Kind::PostState ||
            it->second.decl->kind == VarDecl::Kind::PostVar);
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  Value constant(mlir::Location l, double v) {
    return builder.create<mlir::arith::ConstantOp>(l,
                                                   builder.getF64FloatAttr(v));
  }

  Value genExpr(const Expr &e, const ModelInfo &model) {
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
      if (it == model.vars.end() && isNotRefractoryName(e.name))
        return builder.create<NotRefractoryOp>(l, builder.getI1Type(),
                                               e.name == "not_refractory_post",
                                               e.name == "not_refractory_pre");
      if (it != model.vars.end() &&
          it->second.decl->kind == VarDecl::Kind::Let) {
        Value &shared = letValues[it->second.decl];
        if (!shared)
          shared = genExpr(*it->second.decl->init, model);
        return shared;
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
        Value t = builder.create<mlir::arith::ConstantOp>(
            l, builder.getBoolAttr(true));
        return builder.create<mlir::arith::XOrIOp>(l, x, t);
      }
      return x;
    }
    case Expr::Kind::Binary: {
      if (e.op == "^")
        if (auto n = mlirgen::integerExponent(*e.args[1]))
          return mlirgen::genIntegerPower(builder, l,
                                          genExpr(*e.args[0], model), *n);
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
      if (const FunctionDecl *f = findFunction(e.name)) {
        // Inlined: the body with the parameters bound to the arguments,
        // once per function and arguments in a region.
        std::map<std::string, Value> scope;
        std::vector<void *> key{const_cast<FunctionDecl *>(f)};
        for (size_t k = 0; k < f->params.size(); ++k) {
          Value arg = genExpr(*e.args[k], model);
          scope[f->params[k].name] = arg;
          key.push_back(arg.getAsOpaquePointer());
        }
        if (auto it = callValues.find(key); it != callValues.end())
          return it->second;
        static const ModelInfo none;
        auto saved = std::move(refHook);
        refHook = [&scope](const Expr &r) { return scope.at(r.name); };
        Value v = genExpr(*f->body, none);
        refHook = std::move(saved);
        callValues[key] = v;
        return v;
      }
      if (e.name == "rand")
        return builder.create<RandOp>(l, builder.getF64Type(),
                                      builder.getI32IntegerAttr(randSites++));
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

  const FunctionDecl *findFunction(const std::string &name) const {
    for (const FunctionDecl &f : module.functions)
      if (f.name == name)
        return &f;
    return nullptr;
  }

  /// A random draw of a network expression (see Sema's drawType).
  Value genDraw(const Expr &e, const ModelInfo &model) {
    namespace arith = mlir::arith;
    mlir::Location l = loc(e.range);
    auto uniform = [&]() -> Value {
      return builder.create<RandOp>(l, builder.getF64Type(),
                                    builder.getI32IntegerAttr(randSites++));
    };
    auto normal = [&]() -> Value {
      return builder.create<RandNormalOp>(
          l, builder.getF64Type(), builder.getI32IntegerAttr(randSites++));
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

  /// Generates a network expression (initial value, connection rule): its
  /// names resolve through `resolve`.
  Value genNetExpr(const Expr &e, std::function<Value(const Expr &)> resolve) {
    static const ModelInfo none;
    refHook = std::move(resolve);
    Value v = genExpr(e, none);
    refHook = nullptr;
    return v;
  }

  /// Resolves the names of a population's initial-value expressions.
  std::function<Value(const Expr &)> populationNames(const PopulationInfo &p) {
    return [this, &p](const Expr &e) -> Value {
      mlir::Location l = loc(e.range);
      if (auto c = currentNet->constants.find(e.name);
          c != currentNet->constants.end())
        return constant(l, c->second);
      if (e.name == "i")
        return builder.create<IndexOp>(l, builder.getF64Type(), "self");
      if (e.name == "N")
        return constant(l, double(p.size));
      // A parameter: a constant or a row (computed before: Sema orders the
      // per-neuron values), as neuro-select-rows decides.
      return builder.create<RefOp>(l, builder.getF64Type(), e.name,
                                   /*post=*/false, /*pre=*/false);
    };
  }

  /// Resolves the names of a projection's expressions: i, j, N_pre,
  /// N_post, NAME_pre / NAME_post (a state or parameter of the neuron's
  /// population: neuro-select-rows folds the parameters that stay
  /// constants) and the synapse's parameters.
  std::function<Value(const Expr &)> projectionNames(const ProjectionInfo &pr,
                                                     const NetworkInfo &net) {
    return [this, &pr, &net](const Expr &e) -> Value {
      mlir::Location l = loc(e.range);
      if (auto c = net.constants.find(e.name); c != net.constants.end())
        return constant(l, c->second);
      const PopulationInfo &src = net.populations[pr.src];
      const PopulationInfo &dst = net.populations[pr.dst];
      if (e.name == "i" || e.name == "j")
        return builder.create<IndexOp>(l, builder.getF64Type(),
                                       e.name == "i" ? "pre" : "post");
      if (e.name == "N_pre" || e.name == "N_post")
        return constant(l, double(e.name == "N_pre" ? src.size : dst.size));
      for (bool isPre : {true, false}) {
        llvm::StringRef var = e.name;
        if (var.consume_back(isPre ? "_pre" : "_post") && !var.empty())
          return builder.create<RefOp>(l, builder.getF64Type(), var, !isPre,
                                       isPre);
      }
      return constant(l, pr.params.at(e.name));
    };
  }

  //===--------------------------------------------------------------------===//
  // Networks
  //===--------------------------------------------------------------------===//

  void genInits(const std::vector<std::pair<std::string, InitValue>> &inits,
                mlir::Location l,
                std::function<Value(const Expr &)> names = nullptr) {
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
        builder.create<InitUniformOp>(l, sym(name),
                                      builder.getF64FloatAttr(iv.a),
                                      builder.getF64FloatAttr(iv.b));
        break;
      case InitValue::Kind::Normal:
        builder.create<InitNormalOp>(l, sym(name),
                                     builder.getF64FloatAttr(iv.a),
                                     builder.getF64FloatAttr(iv.b));
        break;
      case InitValue::Kind::Constant:
        builder.create<InitConstOp>(l, sym(name),
                                    builder.getF64FloatAttr(iv.a));
        break;
      case InitValue::Kind::Timed: {
        int64_t rows = static_cast<int64_t>(iv.values->size()) / iv.columns;
        auto type = mlir::RankedTensorType::get({rows, iv.columns},
                                                builder.getF64Type());
        builder.create<InitTimedOp>(
            l, sym(name), builder.getI64IntegerAttr(iv.every),
            mlir::DenseElementsAttr::get(type,
                                         llvm::ArrayRef<double>(*iv.values)));
        break;
      }
      }
    }
  }

  /// Whether `e` reads the name `name`.
  static bool reads(const Expr &e, const std::string &name) {
    if (e.kind == Expr::Kind::Ref && e.name == name)
      return true;
    return llvm::any_of(e.args,
                        [&](const ExprPtr &a) { return a && reads(*a, name); });
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

  /// The parameters the refractory period of neuron `model` reads, in
  /// declaration order (null when none).
  mlir::ArrayAttr refractoryParams(const ModelInfo &model) {
    const NeuronDecl &nd = *model.neuron;
    if (!nd.spike || !nd.spike->refractory)
      return {};
    llvm::SmallVector<mlir::Attribute> names;
    for (const VarDecl &v : nd.vars)
      if (v.kind == VarDecl::Kind::Param &&
          reads(*nd.spike->refractory, v.name))
        names.push_back(sym(v.name));
    return names.empty() ? mlir::ArrayAttr() : builder.getArrayAttr(names);
  }

  /// `neuro.default` for each parameter and state of population `p` whose
  /// model default reads parameters and that Sema folded to a value: the
  /// expression, should neuro-select-rows make a parameter it reads a row.
  /// Not for what the population gives (its arguments).
  void genDefaults(PopulationOp pop, const PopulationInfo &p) {
    const ModelInfo &model = *p.model;
    std::set<std::string> given;
    for (const NamedExpr &a : p.decl->args)
      given.insert(a.name);
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
        bool readsParams = llvm::any_of(model.neuron->vars, [&](auto &u) {
          return u.kind == VarDecl::Kind::Param && reads(*v.init, u.name);
        });
        if (!readsParams || !readsOnlyParams(*v.init, model))
          continue;
        builder.setInsertionPointToEnd(&pop.getBody().front());
        auto op = builder.create<DefaultOp>(loc(v.init->range), sym(v.name));
        enter(op.getValue());
        Value value = genNetExpr(*v.init, [this](const Expr &e) -> Value {
          return builder.create<RefOp>(loc(e.range), builder.getF64Type(),
                                       e.name, /*post=*/false, /*pre=*/false);
        });
        builder.create<YieldOp>(loc(v.init->range), value);
      }
  }

  mlir::DenseI64ArrayAttr ablatedAttr(const PopulationInfo &p) {
    return p.ablated.empty() ? mlir::DenseI64ArrayAttr()
                             : builder.getDenseI64ArrayAttr(p.ablated);
  }

  mlir::DictionaryAttr paramDict(const std::map<std::string, double> &params) {
    llvm::SmallVector<mlir::NamedAttribute> attrs;
    for (auto &[name, value] : params)
      attrs.push_back(
          builder.getNamedAttr(name, builder.getF64FloatAttr(value)));
    return builder.getDictionaryAttr(attrs);
  }

  void genNetwork(const NetworkInfo &net) {
    currentNet = &net;
    mlir::OpBuilder::InsertionGuard guard(builder);
    auto op = builder.create<NetworkOp>(
        loc(net.decl->range), builder.getStringAttr(net.decl->name),
        builder.getF64FloatAttr(net.dt), builder.getF64FloatAttr(net.duration),
        builder.getI64IntegerAttr(static_cast<int64_t>(net.seed)));
    builder.setInsertionPointToStart(builder.createBlock(&op.getBody()));
    for (const PopulationInfo &p : net.populations) {
      mlir::OpBuilder::InsertionGuard g(builder);
      mlir::Location l = loc(p.decl->range);
      if (p.generator) {
        llvm::SmallVector<double> times;
        llvm::SmallVector<int64_t> indices;
        for (auto &[t, i] : *p.generator) {
          times.push_back(t);
          indices.push_back(i);
        }
        auto type = mlir::RankedTensorType::get(
            {static_cast<int64_t>(times.size())}, builder.getF64Type());
        auto pop = builder.create<PopulationOp>(
            l, builder.getStringAttr(p.decl->name), mlir::FlatSymbolRefAttr(),
            builder.getI64IntegerAttr(p.size), mlir::DictionaryAttr(),
            mlir::StringAttr(), mlir::FloatAttr(), mlir::ArrayAttr(),
            mlir::DenseElementsAttr::get(type, llvm::ArrayRef<double>(times)),
            builder.getDenseI64ArrayAttr(indices), ablatedAttr(p),
            mlir::FloatAttr(), mlir::IntegerAttr());
        builder.createBlock(&pop.getBody());
        continue;
      }
      if (p.poissonRate) {
        auto pop = builder.create<PopulationOp>(
            l, builder.getStringAttr(p.decl->name), mlir::FlatSymbolRefAttr(),
            builder.getI64IntegerAttr(p.size), mlir::DictionaryAttr(),
            mlir::StringAttr(), mlir::FloatAttr(), mlir::ArrayAttr(),
            mlir::DenseElementsAttr(), mlir::DenseI64ArrayAttr(),
            ablatedAttr(p), builder.getF64FloatAttr(*p.poissonRate),
            p.driveInputs ? builder.getI64IntegerAttr(*p.driveInputs)
                          : mlir::IntegerAttr());
        builder.createBlock(&pop.getBody());
        continue;
      }
      auto pop = builder.create<PopulationOp>(
          l, builder.getStringAttr(p.decl->name), sym(p.model->name),
          builder.getI64IntegerAttr(p.size),
          p.params.empty() ? mlir::DictionaryAttr() : paramDict(p.params),
          mlir::StringAttr(),
          p.model->neuron->spike ? builder.getF64FloatAttr(p.refractory)
                                 : mlir::FloatAttr(),
          refractoryParams(*p.model), mlir::DenseElementsAttr(),
          mlir::DenseI64ArrayAttr(), ablatedAttr(p), mlir::FloatAttr(),
          mlir::IntegerAttr());
      enter(pop.getBody());
      // Parameters first: initial values may read their rows.
      genInits(p.paramInits, l, populationNames(p));
      genInits(p.inits, l, populationNames(p));
      defaults.push_back({pop, &p});
    }
    for (const ProjectionInfo &pr : net.projections) {
      mlir::OpBuilder::InsertionGuard g(builder);
      mlir::Location l = loc(pr.targetRange);
      auto proj = builder.create<ProjectionOp>(
          l, builder.getStringAttr(pr.name),
          sym(net.populations[pr.src].decl->name),
          sym(net.populations[pr.dst].decl->name), sym(pr.model->name),
          builder.getF64FloatAttr(pr.p), builder.getF64FloatAttr(pr.delay),
          pr.params.empty() ? mlir::DictionaryAttr() : paramDict(pr.params),
          mlir::StringAttr(), mlir::IntegerAttr(), mlir::BoolAttr(),
          mlir::DenseI64ArrayAttr(), mlir::DictionaryAttr(),
          pr.file.empty() ? mlir::StringAttr() : builder.getStringAttr(pr.file),
          pr.fileWeights ? builder.getUnitAttr() : mlir::UnitAttr(),
          pr.fileDelays ? builder.getUnitAttr() : mlir::UnitAttr(),
          mlir::IntegerAttr(), mlir::UnitAttr(),
          pr.procedural ? builder.getUnitAttr() : mlir::UnitAttr());
      if (pr.sign)
        proj.setSign(pr.sign);
      if (!pr.modulators.empty()) {
        llvm::SmallVector<mlir::NamedAttribute> binds;
        for (const ProjectionInfo::Modulator &m : pr.modulators)
          binds.push_back(builder.getNamedAttr(
              m.name, mlir::SymbolRefAttr::get(
                          builder.getStringAttr(
                              net.populations[m.population].decl->name),
                          {sym(m.var)})));
        proj.setModulatorsAttr(builder.getDictionaryAttr(binds));
      }
      if (pr.rule != "probability")
        proj.setRule(pr.rule);
      if (pr.degree)
        proj.setDegree(pr.degree);
      if (!pr.autapses)
        proj.setAutapses(false);
      const PopulationInfo &srcPop = net.populations[pr.src];
      const PopulationInfo &dstPop = net.populations[pr.dst];
      if (pr.srcBegin != 0 || pr.srcEnd != srcPop.size || pr.dstBegin != 0 ||
          pr.dstEnd != dstPop.size)
        proj.setSlices(llvm::ArrayRef<int64_t>{pr.srcBegin, pr.srcEnd,
                                               pr.dstBegin, pr.dstEnd});
      enter(proj.getBody());
      genInits(pr.inits, l, projectionNames(pr, net));
      if (pr.delayInit)
        genInits({{"_delay", *pr.delayInit}}, l, projectionNames(pr, net));
      if (pr.rule == "expression") {
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
    }
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
    for (int idx : net.recordSpikes) {
      const RecordDecl *where = nullptr;
      for (const RecordDecl &r : net.decl->records)
        for (const RecordTarget &t : r.targets)
          if (t.population.name == net.populations[idx].decl->name && !where)
            where = &r;
      builder.create<RecordSpikesOp>(where ? loc(where->range)
                                           : loc(net.decl->range),
                                     net.populations[idx].decl->name);
    }
  }

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  /// Call sites of rand() in the module, each with its own random stream.
  int32_t randSites = 0;
  /// While a network expression is generated: resolves its names.
  std::function<Value(const Expr &)> refHook;
  /// The network being generated.
  const NetworkInfo *currentNet = nullptr;
  /// Populations of a model, for genDefaults once the networks are done.
  std::vector<std::pair<PopulationOp, const PopulationInfo *>> defaults;
  /// Shared values of the region being generated (forgetShared).
  llvm::DenseMap<const VarDecl *, Value> letValues;
  std::map<std::vector<void *>, Value> callValues;
  const Module &module;
  const SemaResult &sema;
  const llvm::SourceMgr *sourceMgr;
};

} // namespace

mlir::OwningOpRef<mlir::ModuleOp>
neuro::mlirGen(mlir::MLIRContext &context, const Module &module,
               const SemaResult &sema, const llvm::SourceMgr *sourceMgr) {
  return Generator(context, module, sema, sourceMgr).generate();
}

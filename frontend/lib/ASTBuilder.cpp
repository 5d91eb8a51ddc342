//===- ASTBuilder.cpp - ANTLR parse tree to Neuro AST ---------------------===//
//
// Converts the parse tree of a buffer without syntax errors (Parse.cpp) into
// the AST of AST.h, with the byte range of every node, and reports what
// the grammar accepts but the language does not (duplicate settings,
// literals out of range, expressions nested too deeply).
//
//===----------------------------------------------------------------------===//

#include "ASTBuilderInternal.h"

#include "antlr4-runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace neuro;
using namespace neuro::detail;
using neuro_antlr::NeuroParser;

namespace {

class Builder {
public:
  explicit Builder(DiagEngine &diag) : diag(diag) {}

  std::unique_ptr<Module> build(NeuroParser::FileContext *file) {
    auto module = std::make_unique<Module>();
    module->filename = diag.filename().str();
    for (auto *imp : file->importDecl()) {
      ImportDecl decl;
      decl.path = imp->qualifiedName()->getText();
      decl.range = rangeOf(imp);
      module->imports.push_back(std::move(decl));
    }
    for (auto *decl : file->decl()) {
      if (auto *n = decl->neuronDecl())
        module->neurons.push_back(buildNeuron(n));
      else if (auto *s = decl->synapseDecl())
        module->synapses.push_back(buildSynapse(s));
      else if (auto *net = decl->networkDecl())
        module->networks.push_back(buildNetwork(net));
      else if (auto *fn = decl->functionDecl())
        module->functions.push_back(buildFunction(fn));
      else if (auto *rule = decl->ruleDecl()) {
        if (rule->kw->getText() != "plasticity") {
          diag.error(rangeOf(rule->kw),
                     "unknown declaration '" + rule->kw->getText() +
                         "'; expected 'neuron', 'synapse', 'plasticity', "
                         "'function' or 'network'");
          continue;
        }
        SynapseDecl r;
        r.name = rule->name->getText();
        r.range = rangeOf(rule);
        r.isRule = true;
        buildSynapseItems(rule->synapseItem(), r);
        module->synapses.push_back(std::move(r));
      }
    }
    if (diag.hadError())
      return nullptr;
    return module;
  }

private:
  std::vector<Annotation>
  buildAnnotations(const std::vector<NeuroParser::AnnotationContext *> &list) {
    std::vector<Annotation> out;
    for (auto *a : list)
      out.push_back({a->name->getText(), a->value->getText(), rangeOf(a)});
    return out;
  }

  NeuronDecl buildNeuron(NeuroParser::NeuronDeclContext *ctx) {
    NeuronDecl n;
    n.name = ctx->name->getText();
    n.range = rangeOf(ctx);
    n.annotations = buildAnnotations(ctx->annotation());
    for (auto *item : ctx->neuronItem()) {
      if (auto *p = item->paramDecl())
        n.vars.push_back(buildParam(p));
      else if (auto *l = item->letDecl())
        n.vars.push_back(
            buildVar(VarDecl::Kind::Let, l, l->name, l->unit(), l->expr()));
      else if (auto *s = item->stateDecl()) {
        n.vars.push_back(
            buildVar(VarDecl::Kind::State, s, s->name, s->unit(), s->expr()));
        setSize(n.vars.back(), s->size);
      } else if (auto *in = item->inputDecl())
        n.vars.push_back(
            buildVar(VarDecl::Kind::Input, in, in->name, in->unit(), nullptr));
      else if (auto *ode = item->odeDecl())
        n.odes.push_back(buildOde(ode));
      else if (auto *sp = item->spikeDecl()) {
        if (n.spike) {
          diag.error(rangeOf(sp), "neuron '" + n.name +
                                      "' has more than one spike declaration");
          continue;
        }
        SpikeDecl spike;
        spike.range = rangeOf(sp);
        spike.condition = buildExpr(sp->expr(0));
        if (sp->block())
          spike.reset = buildBlock(sp->block());
        if (sp->period)
          spike.refractory = buildExpr(sp->period);
        n.spike = std::move(spike);
      }
    }
    return n;
  }

  FunctionDecl buildFunction(NeuroParser::FunctionDeclContext *ctx) {
    FunctionDecl f;
    f.name = ctx->name->getText();
    f.range = rangeOf(ctx);
    f.nameRange = rangeOf(ctx->name);
    for (auto *p : ctx->functionParam())
      f.params.push_back(
          {p->name->getText(), buildUnit(p->unit()), rangeOf(p->name)});
    if (ctx->result)
      f.result = buildUnit(ctx->result);
    f.body = buildExpr(ctx->body);
    return f;
  }

  SynapseDecl buildSynapse(NeuroParser::SynapseDeclContext *ctx) {
    SynapseDecl s;
    s.name = ctx->name->getText();
    s.range = rangeOf(ctx);
    s.annotations = buildAnnotations(ctx->annotation());
    buildSynapseItems(ctx->synapseItem(), s);
    return s;
  }

  void
  buildSynapseItems(const std::vector<NeuroParser::SynapseItemContext *> &items,
                    SynapseDecl &s) {
    for (auto *item : items) {
      if (auto *p = item->paramDecl())
        s.vars.push_back(buildParam(p));
      else if (auto *l = item->letDecl())
        s.vars.push_back(
            buildVar(VarDecl::Kind::Let, l, l->name, l->unit(), l->expr()));
      else if (auto *w = item->weightDecl())
        s.vars.push_back(
            buildVar(VarDecl::Kind::Weight, w, w->name, w->unit(), w->expr()));
      else if (auto *st = item->stateDecl()) {
        s.vars.push_back(buildVar(VarDecl::Kind::State, st, st->name,
                                  st->unit(), st->expr()));
        setSize(s.vars.back(), st->size);
      } else if (auto *pv = item->postVarDecl()) {
        s.vars.push_back(buildVar(VarDecl::Kind::PostVar, pv, pv->name,
                                  pv->unit(), nullptr));
        s.vars.back().neuronVar = s.vars.back().name;
      } else if (auto *pr = item->preVarDecl()) {
        s.vars.push_back(
            buildVar(VarDecl::Kind::PreVar, pr, pr->name, pr->unit(), nullptr));
        s.vars.back().neuronVar = s.vars.back().name;
        s.vars.back().name += "_pre";
      } else if (auto *md = item->modulatorDecl())
        s.vars.push_back(buildVar(VarDecl::Kind::Modulator, md, md->name,
                                  md->unit(), nullptr));
      else if (auto *ps = item->postStateDecl())
        s.vars.push_back(buildVar(VarDecl::Kind::PostState, ps, ps->name,
                                  ps->unit(), ps->expr()));
      else if (auto *ode = item->odeDecl())
        s.odes.push_back(buildOde(ode));
      else if (auto *on = item->onDecl()) {
        EventDecl e;
        e.event = on->event->getText();
        e.range = rangeOf(on);
        e.body = buildBlock(on->block());
        s.events.push_back(std::move(e));
      } else if (auto *dr = item->drivesDecl()) {
        DrivesDecl d;
        d.target = dr->target->getText();
        d.targetRange = rangeOf(dr->target);
        d.range = rangeOf(dr);
        d.value = buildExpr(dr->expr());
        s.drives.push_back(std::move(d));
      }
    }
  }

  NetworkDecl buildNetwork(NeuroParser::NetworkDeclContext *ctx) {
    NetworkDecl net;
    net.name = ctx->name->getText();
    net.range = rangeOf(ctx);
    for (auto *item : ctx->networkItem()) {
      if (auto *pop = dynamic_cast<NeuroParser::PopulationContext *>(item)) {
        PopulationDecl p;
        p.name = pop->name->getText();
        p.range = rangeOf(pop);
        p.size = buildExpr(pop->size);
        p.model = nameRef(pop->model);
        if (pop->args())
          p.args = buildArgs(pop->args());
        if (pop->cells) {
          std::string text = pop->cells->getText();
          p.cells =
              NameRef{text.substr(1, text.size() - 2), rangeOf(pop->cells)};
        }
        if (pop->sign) {
          p.sign = pop->sign->getText() == "excitatory" ? 1 : -1;
          p.signRange = rangeOf(pop->sign);
        }
        net.populations.push_back(std::move(p));
      } else if (auto *set =
                     dynamic_cast<NeuroParser::SettingContext *>(item)) {
        net.settings.push_back(namedExpr(set, set->name, set->expr()));
      } else if (auto *np =
                     dynamic_cast<NeuroParser::NetParamContext *>(item)) {
        VarDecl v = buildParam(np->paramDecl());
        if (v.size)
          diag.error(v.sizeRange, "a network's parameter is one value, not a "
                                  "vector");
        net.params.push_back(std::move(v));
      } else if (auto *con =
                     dynamic_cast<NeuroParser::ConnectContext *>(item)) {
        ConnectDecl c;
        c.range = rangeOf(con);
        auto slice = [](NeuroParser::RecordTargetContext *t)
            -> std::optional<std::pair<double, double>> {
          if (!t->begin)
            return std::nullopt;
          return std::make_pair(
              std::strtod(t->begin->getText().c_str(), nullptr),
              std::strtod(t->end->getText().c_str(), nullptr));
        };
        auto cell =
            [&](NeuroParser::RecordTargetContext *t) -> std::optional<NameRef> {
          if (!t->cell)
            return std::nullopt;
          return nameRef(t->cell);
        };
        auto targets = con->recordTarget();
        c.source = nameRef(targets[0]->pop);
        c.sourceSlice = slice(targets[0]);
        c.sourceCell = cell(targets[0]);
        for (size_t t = 1; t < targets.size(); ++t) {
          c.targets.push_back(nameRef(targets[t]->pop));
          c.targetSlices.push_back(slice(targets[t]));
          c.targetCells.push_back(cell(targets[t]));
        }
        c.synapse = nameRef(con->model);
        if (con->args())
          c.args = buildArgs(con->args());
        for (auto *opt : con->connOption()) {
          if (opt->cond) {
            if (c.where)
              diag.error(rangeOf(opt), "a connect has one 'where'");
            c.where = buildExpr(opt->cond);
            continue;
          }
          if (opt->name) {
            c.options.push_back(namedExpr(opt, opt->name, opt->expr()));
            continue;
          }
          if (opt->path) {
            if (c.file)
              diag.error(rangeOf(opt), "a connect reads one file");
            std::string text = opt->path->getText();
            c.file =
                NameRef{text.substr(1, text.size() - 2), rangeOf(opt->path)};
            continue;
          }
          NamedExpr flag; // a flag: no value
          flag.name = opt->flag->getText();
          flag.nameRange = rangeOf(opt->flag);
          flag.range = rangeOf(opt);
          c.options.push_back(std::move(flag));
        }
        for (antlr4::Token *r : con->rules)
          c.rules.push_back(nameRef(r));
        if (con->alias)
          c.alias = nameRef(con->alias);
        net.connects.push_back(std::move(c));
      } else if (auto *rec = dynamic_cast<NeuroParser::RecordContext *>(item)) {
        RecordDecl r;
        r.range = rangeOf(rec);
        for (antlr4::Token *w : rec->what)
          r.what.push_back(nameRef(w));
        for (auto *t : rec->recordTarget())
          r.targets.push_back(recordTarget(t));
        if (rec->every)
          r.every = buildExpr(rec->every);
        net.records.push_back(std::move(r));
      } else if (auto *ab = dynamic_cast<NeuroParser::AblateContext *>(item)) {
        for (auto *t : ab->recordTarget())
          net.ablated.push_back(recordTarget(t));
      } else if (auto *run = dynamic_cast<NeuroParser::RunContext *>(item)) {
        net.runs.push_back({buildExpr(run->expr()), rangeOf(run)});
      } else if (auto *pl =
                     dynamic_cast<NeuroParser::PlasticityContext *>(item)) {
        if (pl->kw->getText() != "plasticity" &&
            pl->state->getText() == "plasticity" && pl->names.size() == 1 &&
            (pl->names[0]->getText() == "on" ||
             pl->names[0]->getText() == "off")) {
          // `run 10 ms` then `plasticity off` with no projection: read as
          // `run 10` and a statement `ms plasticity off`.
          diag.error(rangeOf(pl->state),
                     "'plasticity " + pl->names[0]->getText() +
                         "' needs the projections it switches, as in "
                         "'plasticity " +
                         pl->names[0]->getText() + " E_to_E, E_to_I'");
          continue;
        }
        if (pl->kw->getText() != "plasticity") {
          diag.error(rangeOf(pl->kw),
                     "unknown statement '" + pl->kw->getText() +
                         "' in a network; expected a population, a setting, "
                         "'connect', 'record', 'run' or 'plasticity'");
          continue;
        }
        PlasticityDecl d;
        d.range = rangeOf(pl);
        d.afterRuns = net.runs.size();
        std::string state = pl->state->getText();
        if (state != "on" && state != "off") {
          diag.error(rangeOf(pl->state),
                     "expected 'on' or 'off' after 'plasticity', got '" +
                         state + "'");
          continue;
        }
        d.on = state == "on";
        for (antlr4::Token *id : pl->names)
          d.projections.push_back(nameRef(id));
        net.plasticity.push_back(std::move(d));
      }
    }
    return net;
  }

  RecordTarget recordTarget(NeuroParser::RecordTargetContext *t) {
    RecordTarget target;
    target.population = nameRef(t->pop);
    target.range = rangeOf(t);
    if (t->begin)
      target.slice = {std::strtod(t->begin->getText().c_str(), nullptr),
                      std::strtod(t->end->getText().c_str(), nullptr)};
    if (t->cell)
      target.cell = nameRef(t->cell);
    return target;
  }

  VarDecl buildParam(NeuroParser::ParamDeclContext *p) {
    VarDecl v =
        buildVar(VarDecl::Kind::Param, p, p->name, p->unit(), p->expr());
    setSize(v, p->size);
    return v;
  }

  /// `[n]` after a declared name: a vector of n elements.
  void setSize(VarDecl &v, antlr4::Token *size) {
    if (!size)
      return;
    v.sizeRange = rangeOf(size);
    double n = std::strtod(size->getText().c_str(), nullptr);
    if (n < 1 || n > 4096 || n != std::floor(n)) {
      diag.error(v.sizeRange, "a vector has a whole number of elements from "
                              "1 to 4096");
      return;
    }
    v.size = int64_t(n);
  }

  VarDecl buildVar(VarDecl::Kind kind, antlr4::ParserRuleContext *ctx,
                   antlr4::Token *name, NeuroParser::UnitContext *unit,
                   NeuroParser::ExprContext *init) {
    VarDecl v;
    v.kind = kind;
    v.name = name->getText();
    v.nameRange = rangeOf(name);
    v.range = rangeOf(ctx);
    if (unit)
      v.unit = buildUnit(unit);
    if (init)
      v.init = buildExpr(init);
    return v;
  }

  OdeDecl buildOde(NeuroParser::OdeDeclContext *ctx) {
    OdeDecl ode;
    ode.range = rangeOf(ctx);
    ode.varRange = rangeOf(ctx->var);
    std::string d = ctx->var->getText();
    if (d.size() < 2 || d[0] != 'd' || ctx->dt->getText() != "dt") {
      diag.error({startOf(ctx->var), endOf(ctx->dt)},
                 "expected a derivative such as 'dv/dt', got '" + d + "/" +
                     ctx->dt->getText() + "'");
      d = "d?";
    }
    ode.var = d.substr(1);
    ode.rhs = buildExpr(ctx->expr());
    ode.unlessRefractory = ctx->unless != nullptr;
    return ode;
  }

  std::vector<Stmt> buildBlock(NeuroParser::BlockContext *ctx) {
    std::vector<Stmt> stmts;
    for (auto *s : ctx->stmt()) {
      Stmt stmt;
      stmt.target = s->target->getText();
      stmt.targetRange = rangeOf(s->target);
      stmt.op = s->op->getText();
      stmt.range = rangeOf(s);
      stmt.value = buildExpr(s->expr());
      stmts.push_back(std::move(stmt));
    }
    return stmts;
  }

  std::vector<NamedExpr> buildArgs(NeuroParser::ArgsContext *ctx) {
    std::vector<NamedExpr> args;
    for (auto *a : ctx->arg())
      args.push_back(namedExpr(a, a->name, a->expr()));
    return args;
  }

  NamedExpr namedExpr(antlr4::ParserRuleContext *ctx, antlr4::Token *name,
                      NeuroParser::ExprContext *value) {
    NamedExpr ne;
    ne.name = name->getText();
    ne.nameRange = rangeOf(name);
    ne.range = rangeOf(ctx);
    ne.value = buildExpr(value);
    return ne;
  }

  NameRef nameRef(antlr4::Token *tok) { return {tok->getText(), rangeOf(tok)}; }

  UnitSpec buildUnit(NeuroParser::UnitContext *ctx) {
    UnitSpec spec;
    spec.range = rangeOf(ctx);
    spec.text = ctx->getText();
    addFactors(ctx, +1, spec.factors);
    return spec;
  }

  void addFactors(NeuroParser::UnitContext *ctx, int sign,
                  std::vector<UnitFactor> &out) {
    auto terms = ctx->unitTerm();
    for (size_t i = 0; i < terms.size(); ++i) {
      int s = sign;
      if (i > 0 && ctx->op[i - 1]->getText() == "/")
        s = -sign;
      auto *t = terms[i];
      if (t->unit()) {
        addFactors(t->unit(), s, out);
        continue;
      }
      UnitFactor f;
      f.range = rangeOf(t);
      if (t->NUMBER()) {
        f.name = t->NUMBER()->getText();
        if (f.name != "1")
          diag.error(f.range,
                     "expected a unit name or '1', got '" + f.name + "'");
        f.name = "1";
        f.exponent = 0;
      } else {
        f.name = t->ID()->getText();
        int e = 1;
        if (auto *ex = t->exponent()) {
          std::string digits = ex->NUMBER()->getText();
          if (digits.find_first_not_of("0123456789") != std::string::npos ||
              digits.size() > 2) {
            diag.error(rangeOf(ex), "a unit exponent must be a small integer");
            digits = "1";
          }
          e = std::stoi(digits);
          if (ex->getText()[0] == '-')
            e = -e;
        }
        f.exponent = e;
      }
      f.exponent *= s;
      out.push_back(std::move(f));
    }
  }

  ExprPtr buildExpr(NeuroParser::ExprContext *ctx) {
    if (++depth > maxExprDepth) {
      if (!depthReported)
        diag.error(rangeOf(ctx), "expression nested too deeply");
      depthReported = true;
      --depth;
      return std::make_unique<Expr>(Expr::Kind::Number, rangeOf(ctx));
    }
    ExprPtr e = buildExprImpl(ctx);
    --depth;
    return e;
  }

  ExprPtr buildExprImpl(NeuroParser::ExprContext *ctx) {
    SourceRange range = rangeOf(ctx);
    if (auto *p = dynamic_cast<NeuroParser::ParenExprContext *>(ctx)) {
      ExprPtr inner = buildExpr(p->expr());
      inner->range = range;
      return inner;
    }
    if (auto *num = dynamic_cast<NeuroParser::NumberExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Number, range);
      std::string text = num->NUMBER()->getText();
      char *end = nullptr;
      e->value = std::strtod(text.c_str(), &end);
      e->text = text;
      if (num->unitSuffix) {
        e->unit = num->unitSuffix->getText();
        e->unitRange = rangeOf(num->unitSuffix);
      }
      return e;
    }
    if (auto *ref = dynamic_cast<NeuroParser::RefExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Ref, range);
      e->name = ref->ID()->getText();
      return e;
    }
    if (auto *str = dynamic_cast<NeuroParser::StringExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::String, range);
      std::string text = str->STRING()->getText();
      e->text = text.substr(1, text.size() - 2);
      return e;
    }
    if (auto *ix = dynamic_cast<NeuroParser::IndexExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Index, range);
      e->name = ix->vec->getText();
      e->args.push_back(buildExpr(ix->index));
      return e;
    }
    if (auto *mem = dynamic_cast<NeuroParser::MemberExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Member, range);
      e->name = mem->pop->getText();
      e->member = mem->var->getText();
      return e;
    }
    if (auto *call = dynamic_cast<NeuroParser::CallExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Call, range);
      e->name = call->callee->getText();
      for (auto *arg : call->expr())
        e->args.push_back(buildExpr(arg));
      return e;
    }
    if (auto *un = dynamic_cast<NeuroParser::UnaryExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Unary, range);
      e->op = un->op->getText();
      if (e->op == "not")
        e->op = "!";
      e->args.push_back(buildExpr(un->expr()));
      return e;
    }
    auto binary = [&](antlr4::Token *op, NeuroParser::ExprContext *lhs,
                      NeuroParser::ExprContext *rhs) {
      auto e = std::make_unique<Expr>(Expr::Kind::Binary, range);
      e->op = op ? op->getText() : "^";
      if (e->op == "&&")
        e->op = "and";
      if (e->op == "||")
        e->op = "or";
      e->args.push_back(buildExpr(lhs));
      e->args.push_back(buildExpr(rhs));
      return e;
    };
    if (auto *l = dynamic_cast<NeuroParser::ListExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::List, range);
      for (auto *part : l->expr())
        e->args.push_back(buildExpr(part));
      return e;
    }
    if (auto *c = dynamic_cast<NeuroParser::CondExprContext *>(ctx)) {
      auto e = std::make_unique<Expr>(Expr::Kind::Conditional, range);
      for (auto *part : c->expr())
        e->args.push_back(buildExpr(part));
      return e;
    }
    if (auto *b = dynamic_cast<NeuroParser::PowExprContext *>(ctx)) {
      auto *num = dynamic_cast<NeuroParser::NumberExprContext *>(b->expr(0));
      if (num && num->unitSuffix)
        return unitPower(num, b->expr(1), range);
      return binary(nullptr, b->expr(0), b->expr(1));
    }
    if (auto *b = dynamic_cast<NeuroParser::MulExprContext *>(ctx))
      return binary(b->op, b->expr(0), b->expr(1));
    if (auto *b = dynamic_cast<NeuroParser::AddExprContext *>(ctx))
      return binary(b->op, b->expr(0), b->expr(1));
    if (auto *b = dynamic_cast<NeuroParser::CmpExprContext *>(ctx))
      return binary(b->op, b->expr(0), b->expr(1));
    if (auto *b = dynamic_cast<NeuroParser::AndExprContext *>(ctx))
      return binary(b->op, b->expr(0), b->expr(1));
    if (auto *b = dynamic_cast<NeuroParser::OrExprContext *>(ctx))
      return binary(b->op, b->expr(0), b->expr(1));
    diag.error(range, "unsupported expression");
    return std::make_unique<Expr>(Expr::Kind::Number, range);
  }

  /// `20000 um^2`: the power is the unit's, as in Brian2 (20000*umetre**2)
  /// and NESTML. With a whole exponent the literal keeps its digits and
  /// takes the unit `um^2` (1e-12 m^2, exactly as the table's um2); else it
  /// is 20000 * (1 um)^x.
  ExprPtr unitPower(NeuroParser::NumberExprContext *num,
                    NeuroParser::ExprContext *exponent, SourceRange range) {
    ExprPtr number = buildExprImpl(num);
    std::string whole = wholeExponent(exponent);
    if (!whole.empty()) {
      number->unit += "^" + whole;
      number->unitRange.end = range.end;
      number->range = range;
      return number;
    }
    auto unit = std::make_unique<Expr>(Expr::Kind::Number, number->unitRange);
    unit->value = 1.0;
    unit->text = "1";
    unit->unit = std::move(number->unit);
    unit->unitRange = number->unitRange;
    number->unit.clear();
    number->range = rangeOf(num->NUMBER()->getSymbol());
    auto power = std::make_unique<Expr>(Expr::Kind::Binary, range);
    power->op = "^";
    power->range.begin = unit->range.begin;
    power->args.push_back(std::move(unit));
    power->args.push_back(buildExpr(exponent));
    auto product = std::make_unique<Expr>(Expr::Kind::Binary, range);
    product->op = "*";
    product->args.push_back(std::move(number));
    product->args.push_back(std::move(power));
    return product;
  }

  /// `2` or `-1` when `e` is a whole number of at most 16, with its sign;
  /// empty otherwise.
  static std::string wholeExponent(NeuroParser::ExprContext *e) {
    std::string sign;
    if (auto *un = dynamic_cast<NeuroParser::UnaryExprContext *>(e)) {
      if (un->op->getText() != "-")
        return "";
      sign = "-";
      e = un->expr();
    }
    auto *num = dynamic_cast<NeuroParser::NumberExprContext *>(e);
    if (!num || num->unitSuffix)
      return "";
    std::string digits = num->NUMBER()->getText();
    if (digits.empty() || digits.size() > 2 ||
        digits.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(digits) > 16) // as for any quantity's power
      return "";
    return sign + digits;
  }

  DiagEngine &diag;
  unsigned depth = 0;
  bool depthReported = false;
};

} // namespace

std::unique_ptr<Module>
neuro::detail::buildModule(NeuroParser::FileContext *file, DiagEngine &diag) {
  return Builder(diag).build(file);
}

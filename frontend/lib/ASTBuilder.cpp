//===- ASTBuilder.cpp - ANTLR parse tree to Neuro AST ---------------------===//
//
// The only file that sees ANTLR: it runs the generated lexer and parser with
// error listeners that report through DiagEngine, and converts the parse tree
// into the AST of AST.h.
//
//===----------------------------------------------------------------------===//

#include "neuro/Frontend/Parser.h"

#include "NeuroLexer.h"
#include "NeuroParser.h"
#include "antlr4-runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace neuro;
using neuro_antlr::NeuroLexer;
using neuro_antlr::NeuroParser;

namespace {

/// Deepest bracket nesting accepted; deeper input is rejected before parsing
/// so that neither ANTLR nor the tree walkers can exhaust the stack.
constexpr unsigned maxNesting = 256;
/// Deepest expression tree accepted (long operator chains nest too).
constexpr unsigned maxExprDepth = 2000;

/// The SourceMgr buffer being parsed, stamped on every location.
unsigned currentBuffer = 0;
/// Its text and the byte offset of each line's start (line 1 first).
llvm::StringRef currentText;
std::vector<size_t> lineStarts;
/// Lines holding a byte above 0x7f, each with the byte offset of its code
/// points (filled when a column of the line is first asked for).
llvm::DenseMap<size_t, std::vector<uint32_t>> wideLines;

/// Records the start of each line and which lines are not plain ASCII.
void indexLines(llvm::StringRef text) {
  currentText = text;
  lineStarts.assign(1, 0);
  wideLines.clear();
  bool wide = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      if (wide)
        wideLines[lineStarts.size()];
      lineStarts.push_back(i + 1);
      wide = false;
    } else if (static_cast<unsigned char>(text[i]) >= 0x80) {
      wide = true;
    }
  }
  if (wide)
    wideLines[lineStarts.size()];
}

/// ANTLR counts columns in code points; diagnostics and MLIR locations use
/// bytes (as clang does). Converts a 0-based code-point column of `line` in
/// constant time (once a line's offsets are known), so that long lines
/// cost no more than short ones.
unsigned byteColumn(size_t line, size_t codePoints) {
  if (line == 0 || line > lineStarts.size())
    return static_cast<unsigned>(codePoints) + 1;
  auto it = wideLines.find(line);
  if (it == wideLines.end())
    return static_cast<unsigned>(codePoints) + 1;
  std::vector<uint32_t> &offsets = it->second;
  size_t begin = lineStarts[line - 1];
  if (offsets.empty()) {
    size_t end =
        line < lineStarts.size() ? lineStarts[line] : currentText.size();
    for (size_t pos = begin; pos < end;) {
      offsets.push_back(uint32_t(pos - begin));
      unsigned char c = static_cast<unsigned char>(currentText[pos]);
      pos += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    }
    offsets.push_back(uint32_t(end - begin));
  }
  return (codePoints < offsets.size() ? offsets[codePoints] : offsets.back()) +
         1;
}

SourceLoc startOf(antlr4::Token *tok) {
  return {static_cast<unsigned>(tok->getLine()),
          byteColumn(tok->getLine(), tok->getCharPositionInLine()),
          currentBuffer};
}

SourceLoc endOf(antlr4::Token *tok) {
  std::string text = tok->getText();
  if (tok->getType() == antlr4::Token::EOF)
    text.clear();
  // The token's text is UTF-8: its byte length is its size.
  return {static_cast<unsigned>(tok->getLine()),
          byteColumn(tok->getLine(), tok->getCharPositionInLine()) +
              static_cast<unsigned>(text.size()),
          currentBuffer};
}

SourceRange rangeOf(antlr4::Token *tok) { return {startOf(tok), endOf(tok)}; }

SourceRange rangeOf(antlr4::ParserRuleContext *ctx) {
  antlr4::Token *stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
  return {startOf(ctx->getStart()), endOf(stop)};
}

std::string describe(antlr4::Token *tok) {
  if (!tok || tok->getType() == antlr4::Token::EOF)
    return "end of file";
  return "'" + tok->getText() + "'";
}

/// Turns ANTLR's messages into ours. Only the first syntax error is reported:
/// after it the parser's recovery produces guesses rather than facts.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  explicit ErrorListener(DiagEngine &diag) : diag(diag) {}

  void syntaxError(antlr4::Recognizer *recognizer,
                   antlr4::Token *offendingSymbol, size_t line,
                   size_t charPositionInLine, const std::string &msg,
                   std::exception_ptr) override {
    if (reported)
      return;
    reported = true;
    errorLine = unsigned(line);
    SourceRange range;
    range.begin = {static_cast<unsigned>(line),
                   byteColumn(line, charPositionInLine), currentBuffer};
    range.end = range.begin;
    std::string message = msg;
    if (offendingSymbol) {
      range = rangeOf(offendingSymbol);
      if (offendingSymbol->getType() == NeuroLexer::ERROR_CHAR)
        message = "unexpected character " + describe(offendingSymbol);
      else
        message = rewrite(msg, offendingSymbol);
    }
    diag.error(range, "syntax error: " + message);
  }

  bool hadError() const { return reported; }
  /// Line of the reported error (1-based).
  unsigned errorLine = 0;

private:
  /// Turns a token set such as {'(', '-', NUMBER, ID} into words.
  static std::string readableSet(std::string set) {
    if (!set.empty() && set.front() == '{' && set.back() == '}')
      set = set.substr(1, set.size() - 2);
    std::vector<std::string> items;
    size_t pos = 0;
    while (pos <= set.size()) {
      size_t comma = set.find(", ", pos);
      if (comma == std::string::npos)
        comma = set.size();
      std::string item = set.substr(pos, comma - pos);
      if (item == "NUMBER")
        item = "a number";
      else if (item == "ID")
        item = "a name";
      else if (item == "'<EOF>'" || item == "<EOF>")
        item = "end of file";
      else if (item == "'@'")
        item = "an annotation";
      if (!item.empty())
        items.push_back(item);
      pos = comma + 2;
    }
    auto has = [&](const std::string &x) {
      return std::find(items.begin(), items.end(), x) != items.end();
    };
    if (has("a number") && has("a name") && has("'('"))
      return "an expression";
    // At the top level a name can only start `plasticity NAME { ... }`.
    if (has("'neuron'") && has("a name"))
      std::replace(items.begin(), items.end(), std::string("a name"),
                   std::string("'plasticity'"));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        out += i + 1 == items.size() ? " or " : ", ";
      out += items[i];
    }
    return out;
  }

  /// ANTLR says "mismatched input 'x' expecting {...}"; say what was found
  /// and what was expected in words.
  static std::string rewrite(const std::string &msg, antlr4::Token *tok) {
    std::string got = describe(tok);
    size_t expecting = msg.find(" expecting ");
    if ((msg.rfind("mismatched input", 0) == 0 ||
         msg.rfind("extraneous input", 0) == 0) &&
        expecting != std::string::npos)
      return "unexpected " + got + "; expected " +
             readableSet(msg.substr(expecting + 11));
    if (msg.rfind("missing ", 0) == 0) {
      size_t at = msg.find(" at ");
      std::string what =
          msg.substr(8, at == std::string::npos ? std::string::npos : at - 8);
      return "expected " + readableSet(what) + " before " + got;
    }
    return "unexpected " + got;
  }

  DiagEngine &diag;
  bool reported = false;
};

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
    if (auto *b = dynamic_cast<NeuroParser::PowExprContext *>(ctx))
      return binary(nullptr, b->expr(0), b->expr(1));
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

  DiagEngine &diag;
  unsigned depth = 0;
  bool depthReported = false;
};

/// Deepest chain of parse-tree contexts accepted. Prefix operators, `^`
/// and `if` recurse in the generated parser without brackets; past this
/// depth the parse stops with an error instead of exhausting the stack.
constexpr unsigned maxParseDepth = 2500;

struct ParseTooDeep {
  antlr4::Token *at;
};

/// The generated parser with a guard on its recursion depth.
class GuardedParser : public NeuroParser {
public:
  using NeuroParser::NeuroParser;

  void enterRule(antlr4::ParserRuleContext *ctx, size_t state,
                 size_t rule) override {
    guard(ctx);
    NeuroParser::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext *ctx, size_t state,
                          size_t rule, int precedence) override {
    guard(ctx);
    NeuroParser::enterRecursionRule(ctx, state, rule, precedence);
  }

private:
  void guard(antlr4::ParserRuleContext *ctx) {
    unsigned depth = 0;
    for (antlr4::tree::ParseTree *c = ctx; c; c = c->parent)
      if (++depth > maxParseDepth)
        throw ParseTooDeep{getCurrentToken()};
  }
};

/// Rejects bracket nesting deeper than maxNesting before the parser sees it.
bool checkNesting(antlr4::CommonTokenStream &tokens, DiagEngine &diag) {
  unsigned level = 0;
  for (antlr4::Token *tok : tokens.getTokens()) {
    std::string text = tok->getText();
    if (text == "(" || text == "{") {
      if (++level > maxNesting) {
        diag.error(rangeOf(tok), "brackets nested more than " +
                                     std::to_string(maxNesting) +
                                     " levels deep");
        return false;
      }
    } else if ((text == ")" || text == "}") && level > 0) {
      --level;
    }
  }
  return true;
}

} // namespace

/// After a syntax error at line `line`, parses again from the next line that
/// starts a top-level declaration (`neuron`, `synapse`, `network`, `import`
/// or an annotation, in column 1) and reports the first error there, and so
/// on: one error per declaration, not the parser's guesses within one. The
/// text before the restart is replaced by newlines so that positions stay
/// those of the file.
static void reportLaterSyntaxErrors(llvm::StringRef text, unsigned line,
                                    DiagEngine &diag) {
  constexpr int kMaxErrors = 20;
  auto startsDecl = [](llvm::StringRef l) {
    for (const char *kw :
         {"neuron", "synapse", "network", "import", "function"})
      if (l.starts_with(kw) && l.size() > strlen(kw) &&
          (l[strlen(kw)] == ' ' || l[strlen(kw)] == '\t'))
        return true;
    return l.starts_with("@");
  };
  for (int errors = 1; errors < kMaxErrors; ++errors) {
    size_t restart = 0;
    for (size_t l = line; l < lineStarts.size(); ++l) {
      size_t begin = lineStarts[l];
      size_t end = text.find('\n', begin);
      if (startsDecl(text.slice(begin, end))) {
        restart = l;
        break;
      }
    }
    if (!restart)
      return;
    std::string padded(restart, '\n');
    padded += text.substr(lineStarts[restart]).str();
    antlr4::ANTLRInputStream input(padded);
    NeuroLexer lexer(&input);
    ErrorListener listener(diag);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    if (!checkNesting(tokens, diag))
      return;
    GuardedParser parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    try {
      parser.file();
    } catch (const ParseTooDeep &) {
      return;
    }
    if (!listener.hadError())
      return;
    line = listener.errorLine;
  }
}

std::unique_ptr<Module> neuro::parseModule(DiagEngine &diag) {
  const llvm::MemoryBuffer *buffer =
      diag.getSourceMgr().getMemoryBuffer(diag.getBufferId());
  llvm::StringRef text = buffer->getBuffer();
  currentBuffer = diag.getBufferId();
  indexLines(text);
  // ANTLR decodes UTF-8 and throws at a byte that is not; say where it is.
  const llvm::UTF8 *bad = text.bytes_begin();
  if (!llvm::isLegalUTF8String(&bad, text.bytes_end())) {
    size_t offset = size_t(bad - text.bytes_begin());
    unsigned line = unsigned(
        std::upper_bound(lineStarts.begin(), lineStarts.end(), offset) -
        lineStarts.begin());
    unsigned col = unsigned(offset - lineStarts[line - 1]) + 1;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", unsigned(*bad));
    diag.error({{line, col, currentBuffer}, {line, col + 1, currentBuffer}},
               std::string("invalid UTF-8 (byte ") + byte +
                   "): .neuro files are UTF-8 text; save this one as UTF-8");
    return nullptr;
  }
  try {
    antlr4::ANTLRInputStream input(text.data(), text.size());
    NeuroLexer lexer(&input);
    ErrorListener listener(diag);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    if (!checkNesting(tokens, diag))
      return nullptr;
    GuardedParser parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    NeuroParser::FileContext *tree = nullptr;
    try {
      tree = parser.file();
    } catch (const ParseTooDeep &tooDeep) {
      diag.error(tooDeep.at ? rangeOf(tooDeep.at) : SourceRange{},
                 "expression nested too deeply (more than " +
                     std::to_string(maxParseDepth) + " levels)");
      return nullptr;
    }
    if (listener.hadError())
      reportLaterSyntaxErrors(text, listener.errorLine, diag);
    if (listener.hadError() || diag.hadError())
      return nullptr;
    return Builder(diag).build(tree);
  } catch (const std::exception &e) {
    diag.error({}, std::string("internal parser error: ") + e.what());
    return nullptr;
  }
}

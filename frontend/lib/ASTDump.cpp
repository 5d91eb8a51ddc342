//===- ASTDump.cpp - Textual dump of the AST with source ranges -----------===//

#include "neuro/Frontend/AST.h"

#include "llvm/Support/Format.h"

using namespace neuro;

namespace {

class Dumper {
public:
  explicit Dumper(llvm::raw_ostream &os) : os(os) {}

  void dump(const Module &m) {
    os << "Module " << m.filename << "\n";
    Indent in(*this);
    for (const ImportDecl &i : m.imports)
      line("Import " + i.path, i.range);
    for (const NeuronDecl &n : m.neurons)
      dump(n);
    for (const SynapseDecl &s : m.synapses)
      dump(s);
    for (const NetworkDecl &n : m.networks)
      dump(n);
    for (const FunctionDecl &f : m.functions) {
      std::string params;
      for (const FunctionDecl::Param &p : f.params)
        params += (params.empty() ? "" : ", ") + p.name + ": " + p.unit.text;
      line("Function " + f.name + "(" + params + ")" +
               (f.result ? ": " + f.result->text : std::string()),
           f.range);
      Indent in2(*this);
      dump(*f.body);
    }
  }

private:
  struct Indent {
    explicit Indent(Dumper &d) : d(d) { d.level += 2; }
    ~Indent() { d.level -= 2; }
    Dumper &d;
  };

  void line(const std::string &text, SourceRange r) {
    os.indent(level) << text << " <" << r.begin.line << ":" << r.begin.col
                     << "-" << r.end.line << ":" << r.end.col << ">\n";
  }

  static const char *kindName(VarDecl::Kind k) {
    switch (k) {
    case VarDecl::Kind::Param:
      return "Param";
    case VarDecl::Kind::State:
      return "State";
    case VarDecl::Kind::Input:
      return "Input";
    case VarDecl::Kind::Weight:
      return "Weight";
    case VarDecl::Kind::PostState:
      return "PostState";
    case VarDecl::Kind::Let:
      return "Let";
    case VarDecl::Kind::PostVar:
      return "PostVar";
    case VarDecl::Kind::PreVar:
      return "PreVar";
    case VarDecl::Kind::Modulator:
      return "Modulator";
    }
    return "Var";
  }

  void dump(const VarDecl &v) {
    std::string text = std::string(kindName(v.kind)) + " " + v.name;
    if (v.unit)
      text += " : " + v.unit->text;
    line(text, v.range);
    if (v.init) {
      Indent in(*this);
      dump(*v.init);
    }
  }

  void dump(const OdeDecl &o) {
    line("Ode d" + o.var + "/dt" +
             (o.unlessRefractory ? " unless refractory" : ""),
         o.range);
    Indent in(*this);
    dump(*o.rhs);
  }

  void dump(const std::vector<Stmt> &stmts) {
    for (const Stmt &s : stmts) {
      line("Assign " + s.target + " " + s.op, s.range);
      Indent in(*this);
      dump(*s.value);
    }
  }

  void dump(const NeuronDecl &n) {
    line("Neuron " + n.name, n.range);
    Indent in(*this);
    for (const Annotation &a : n.annotations)
      line("Annotation @" + a.name + "(" + a.value + ")", a.range);
    for (const VarDecl &v : n.vars)
      dump(v);
    for (const OdeDecl &o : n.odes)
      dump(o);
    if (n.spike) {
      line("Spike", n.spike->range);
      Indent in2(*this);
      dump(*n.spike->condition);
      if (!n.spike->reset.empty()) {
        line("Reset", n.spike->range);
        Indent in3(*this);
        dump(n.spike->reset);
      }
      if (n.spike->refractory) {
        line("Refractory", n.spike->refractory->range);
        Indent in3(*this);
        dump(*n.spike->refractory);
      }
    }
  }

  void dump(const SynapseDecl &s) {
    line("Synapse " + s.name, s.range);
    Indent in(*this);
    for (const VarDecl &v : s.vars)
      dump(v);
    for (const OdeDecl &o : s.odes)
      dump(o);
    for (const EventDecl &e : s.events) {
      line("On " + e.event, e.range);
      Indent in2(*this);
      dump(e.body);
    }
    for (const DrivesDecl &d : s.drives) {
      line("Drives " + d.target, d.range);
      Indent in2(*this);
      dump(*d.value);
    }
  }

  void dump(const std::vector<NamedExpr> &args, const char *what) {
    for (const NamedExpr &a : args) {
      line(std::string(what) + " " + a.name, a.range);
      Indent in(*this);
      if (a.value)
        dump(*a.value);
    }
  }

  void dump(const NetworkDecl &n) {
    line("Network " + n.name, n.range);
    Indent in(*this);
    for (const VarDecl &v : n.params)
      dump(v);
    dump(n.settings, "Setting");
    for (const PopulationDecl &p : n.populations) {
      line("Population " + p.name + " of " + p.model.name, p.range);
      Indent in2(*this);
      dump(*p.size);
      dump(p.args, "Arg");
    }
    for (const ConnectDecl &c : n.connects) {
      std::string targets;
      for (const NameRef &t : c.targets)
        targets += (targets.empty() ? "" : ",") + t.name;
      line("Connect " + c.source.name + " -> " + targets + " with " +
               c.synapse.name,
           c.range);
      Indent in2(*this);
      dump(c.args, "Arg");
      dump(c.options, "Option");
    }
    for (const RecordDecl &r : n.records) {
      std::string what, targets;
      for (const NameRef &w : r.what)
        what += (what.empty() ? "" : ",") + w.name;
      for (const RecordTarget &t : r.targets) {
        targets += (targets.empty() ? "" : ",") + t.population.name;
        if (t.slice)
          targets += "[" + std::to_string(int64_t(t.slice->first)) + ":" +
                     std::to_string(int64_t(t.slice->second)) + "]";
      }
      line("Record " + what + " of " + targets, r.range);
      if (r.every) {
        Indent in2(*this);
        dump(*r.every);
      }
    }
    for (const RunDecl &r : n.runs) {
      line("Run", r.range);
      Indent in2(*this);
      dump(*r.duration);
    }
    for (const PlasticityDecl &d : n.plasticity) {
      std::string names;
      for (const NameRef &p : d.projections)
        names += (names.empty() ? "" : ", ") + p.name;
      line(std::string("Plasticity ") + (d.on ? "on " : "off ") + names +
               " after run " + std::to_string(d.afterRuns),
           d.range);
    }
  }

  void dump(const Expr &e) {
    switch (e.kind) {
    case Expr::Kind::Number: {
      std::string text;
      llvm::raw_string_ostream ss(text);
      ss << "Number " << llvm::format("%g", e.value);
      if (!e.unit.empty())
        ss << " " << e.unit;
      line(text, e.range);
      return;
    }
    case Expr::Kind::Ref:
      line("Ref " + e.name, e.range);
      return;
    case Expr::Kind::Member:
      line("Member " + e.name + "." + e.member, e.range);
      return;
    case Expr::Kind::String:
      line("String \"" + e.text + "\"", e.range);
      return;
    case Expr::Kind::Unary:
      line("Unary " + e.op, e.range);
      break;
    case Expr::Kind::Binary:
      line("Binary " + e.op, e.range);
      break;
    case Expr::Kind::Call:
      line("Call " + e.name, e.range);
      break;
    case Expr::Kind::Conditional:
      line("If", e.range);
      break;
    case Expr::Kind::List:
      line("List", e.range);
      break;
    case Expr::Kind::Index:
      line("Index " + e.name, e.range);
      break;
    }
    Indent in(*this);
    for (auto &a : e.args)
      dump(*a);
  }

  llvm::raw_ostream &os;
  unsigned level = 0;
};

} // namespace

void neuro::dumpAST(const Module &module, llvm::raw_ostream &os) {
  Dumper(os).dump(module);
}

void neuro::appendModule(Module &into, Module &&part) {
  auto append = [](auto &to, auto &from) {
    for (auto &decl : from)
      to.push_back(std::move(decl));
    from.clear();
  };
  append(into.imports, part.imports);
  append(into.neurons, part.neurons);
  append(into.synapses, part.synapses);
  append(into.networks, part.networks);
  append(into.functions, part.functions);
}

ExprPtr neuro::copyNode(const Expr &e) {
  auto c = std::make_unique<Expr>(e.kind, e.range);
  c->value = e.value;
  c->text = e.text;
  c->unit = e.unit;
  c->unitRange = e.unitRange;
  c->name = e.name;
  c->member = e.member;
  c->op = e.op;
  return c;
}

ExprPtr neuro::cloneExpr(const Expr &e) {
  ExprPtr c = copyNode(e);
  for (const ExprPtr &a : e.args)
    c->args.push_back(a ? cloneExpr(*a) : nullptr);
  return c;
}

VarDecl neuro::cloneVar(const VarDecl &v) {
  VarDecl c;
  c.kind = v.kind;
  c.name = v.name;
  c.range = v.range;
  c.nameRange = v.nameRange;
  c.unit = v.unit;
  c.init = v.init ? cloneExpr(*v.init) : nullptr;
  c.neuronVar = v.neuronVar;
  c.size = v.size;
  c.sizeRange = v.sizeRange;
  return c;
}

OdeDecl neuro::cloneOde(const OdeDecl &o) {
  OdeDecl c;
  c.var = o.var;
  c.range = o.range;
  c.varRange = o.varRange;
  c.rhs = cloneExpr(*o.rhs);
  c.unlessRefractory = o.unlessRefractory;
  return c;
}

EventDecl neuro::cloneEvent(const EventDecl &e) {
  EventDecl c;
  c.event = e.event;
  c.range = e.range;
  for (const Stmt &s : e.body)
    c.body.push_back(
        {s.target, s.op, cloneExpr(*s.value), s.range, s.targetRange});
  return c;
}

DrivesDecl neuro::cloneDrives(const DrivesDecl &d) {
  DrivesDecl c;
  c.target = d.target;
  c.value = cloneExpr(*d.value);
  c.range = d.range;
  c.targetRange = d.targetRange;
  return c;
}

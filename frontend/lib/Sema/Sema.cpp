//===- Sema.cpp - Name, dimension and network checks ----------------------===//
//
// The entry points of semantic analysis (Sema.h): runSema drives the
// Checker over a module's functions, neurons, synapses and networks;
// literal values in SI and the summary `neuroc check --verbose` prints.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "llvm/Support/Format.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>

using namespace neuro;
using namespace neuro::sema;

std::string sema::readsLater(const VarDecl &read, const std::string &of) {
  if (read.name == of)
    return "the initial value of '" + of + "' reads '" + of + "' itself";
  return kindName(read.kind) + " '" + read.name + "' is declared after '" + of +
         "': an initial value reads the states declared before it";
}

std::string neuro::defaultProjectionName(
    const std::string &src, const std::string &dst,
    const std::function<bool(const std::string &)> &taken) {
  std::string base = src + "_to_" + dst;
  for (int n = 0;; ++n) {
    std::string name = n ? base + "_" + std::to_string(n) : base;
    if (!taken(name))
      return name;
  }
}

std::string sema::aKindName(VarDecl::Kind kind) {
  std::string name = kindName(kind);
  return (name[0] == 'i' ? "an " : "a ") + name;
}

std::string sema::kindName(VarDecl::Kind kind) {
  switch (kind) {
  case VarDecl::Kind::Param:
    return "parameter";
  case VarDecl::Kind::State:
    return "state";
  case VarDecl::Kind::Input:
    return "input";
  case VarDecl::Kind::Weight:
    return "weight";
  case VarDecl::Kind::PostState:
    return "post state";
  case VarDecl::Kind::Let:
    return "let";
  case VarDecl::Kind::PostVar:
    return "target variable";
  case VarDecl::Kind::PreVar:
    return "source variable";
  case VarDecl::Kind::Modulator:
    return "modulator";
  }
  return "variable";
}

std::string sema::fmt(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%g", v);
  return s;
}

std::string sema::undeclaredName(const ModelInfo &info,
                                 const std::string &name) {
  std::string msg =
      "use of undeclared name '" + name + "' in '" + info.name + "'";
  // A target's variable is also its bare name; a source's is not.
  if (info.isSynapse && info.vars.count(name + "_pre"))
    msg += "; the source's '" + name + "' is '" + name + "_pre' here";
  else if (info.isSynapse && isSynapseCount(name))
    msg += "; the count is known where the synapses are made: set a "
           "parameter or weight with it in the connect's arguments, as "
           "S(w = 1 mV / " +
           name + ")";
  else if (name == "i" || name == "j" || name == "N")
    msg += "; '" + name +
           "' is read where a network sets values (a "
           "population's or connection's arguments): give the model a "
           "parameter set with it there, as P = 10 of " +
           info.name + "(x = " + name + " * 1 mV)";
  return msg;
}

std::optional<rt::Dim> sema::powerDim(const rt::Dim &d, double n,
                                      std::string &err) {
  double halves = 2 * n;
  if (halves != std::round(halves) || std::abs(n) > 16) {
    err = "a quantity with a dimension can only be raised to a literal "
          "power that is a whole or half number of at most 16 (x^0.5 is "
          "sqrt(x))";
    return std::nullopt;
  }
  int h = static_cast<int>(halves);
  if (h % 2 == 0)
    return d.pow(h / 2);
  rt::Dim root;
  if (!d.sqrt(root)) {
    err = "cannot take the square root of " + d.str();
    return std::nullopt;
  }
  return root.pow(h);
}

std::string sema::drawInModel(const std::string &f) {
  return f + "() is drawn per neuron where a population is declared (P = "
             "10 of Cell(v = -70 mV + rand() * 15 mV)); in a model, initial "
             "values take uniform(low, high) and normal(mean, sd), and spike "
             "conditions, resets and synapse events rand() and randn()";
}

std::string sema::fmtExact(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.17g", v);
  // The shortest of %g and %.17g that reads back as v.
  std::string shortest = fmt(v);
  return std::strtod(shortest.c_str(), nullptr) == v ? shortest : s;
}

std::string sema::unitOutOfRange() {
  return "the unit of this expression has an exponent past " +
         std::to_string(Dim::kMaxExponent / 2);
}

std::optional<std::string> sema::sliceProblem(double b, double e, double size,
                                              const std::string &of) {
  for (double bound : {b, e})
    if (bound != std::floor(bound))
      return "slice bounds must be whole numbers, got " + fmt(bound);
  if (b >= 0 && e > b && e <= size)
    return std::nullopt;
  std::string msg = "the slice must satisfy 0 <= begin < end";
  if (!of.empty())
    msg += " <= " + std::to_string(static_cast<long long>(size)) +
           " (the size of '" + of + "')";
  return msg;
}

bool Checker::run() {
  // Neuron variables that connections read as NAME_pre / NAME_post count
  // as used by their models.
  std::function<void(const Expr &)> scan = [&](const Expr &e) {
    if (e.kind == Expr::Kind::Member) // a modulator's source
      usedByNetworks.insert(e.member);
    for (const char *suffix : {"_pre", "_post"}) {
      size_t k = std::strlen(suffix);
      if (e.kind == Expr::Kind::Ref && e.name.size() > k &&
          e.name.compare(e.name.size() - k, k, suffix) == 0)
        usedByNetworks.insert(e.name.substr(0, e.name.size() - k));
    }
    for (const ExprPtr &a : e.args)
      if (a)
        scan(*a);
  };
  for (const SynapseDecl &syn : module.synapses)
    for (const VarDecl &v : syn.vars)
      if (v.kind == VarDecl::Kind::PreVar || v.kind == VarDecl::Kind::PostVar)
        usedByNetworks.insert(v.neuronVar);
  for (const NetworkDecl &net : module.networks)
    for (const ConnectDecl &c : net.connects) {
      for (const NamedExpr &a : c.args)
        scan(*a.value);
      for (const NamedExpr &o : c.options)
        if (o.value)
          scan(*o.value);
      if (c.where)
        scan(*c.where);
    }
  // Imports were resolved before Sema (Imports.h): imported models are
  // among the module's declarations.
  std::map<std::string, SourceRange> seen;
  auto declare = [&](const std::string &name, SourceRange range) {
    auto [it, inserted] = seen.emplace(name, range);
    if (!inserted) {
      diag.error(range, "redefinition of '" + name + "'");
      diag.note(it->second, "previous definition is here");
    }
    return inserted;
  };
  for (const FunctionDecl &f : module.functions)
    if (declare(functionKey(f.name, f.privateTo), f.nameRange))
      declareFunction(f);
  for (const FunctionDecl &f : module.functions) {
    auto it = functions.find(functionKey(f.name, f.privateTo));
    if (it != functions.end() && it->second.decl == &f)
      checkFunction(f);
  }
  for (const NeuronDecl &n : module.neurons)
    if (declare(n.name, n.range))
      checkNeuron(n);
  for (const SynapseDecl &s : module.synapses)
    if (declare(s.name, s.range))
      checkSynapse(s);
  for (const NetworkDecl &net : module.networks)
    if (declare(net.name, net.range))
      checkNetwork(net);
  if (!diag.hadError())
    checkTunableNames();
  return !diag.hadError();
}

void Checker::checkTunableNames() {
  // `--tunable POP.NAME` (not a wildcard) must name something a run can
  // set: a parameter or state of a population's model, or a projection's
  // weight or per-synapse state. Parameters of a synapse are constants of
  // the kernels; saying so beats ignoring the name.
  for (const std::string &name : tunable) {
    auto dot = name.find('.');
    // Names that come with a value (`neuroc run --set`) are checked, with
    // their own messages, where the value is applied: here only that what
    // they name exists.
    bool withValue = overrides.count(name) != 0;
    if (name == "*" || (withValue && dot == std::string::npos))
      continue;
    std::string option = withValue ? names.set : names.tunable;
    if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
      diag.error({}, withValue
                         ? option + " '" + name +
                               "=...': expected POP.VAR=VALUE (a population "
                               "or projection and one of its variables)"
                         : option + " '" + name +
                               "': expected POP.PARAM (a population or "
                               "projection and one of its variables), POP.* "
                               "or *");
      continue;
    }
    std::string owner = name.substr(0, dot), var = name.substr(dot + 1);
    const ModelInfo *model = nullptr;
    bool projection = false, found = false;
    for (const NetworkInfo &net : result.networks) {
      for (const PopulationInfo &p : net.populations)
        if (p.decl && p.decl->name == owner) {
          model = p.model;
          found = true;
        }
      for (const ProjectionInfo &j : net.projections)
        if (j.name == owner) {
          model = j.model;
          projection = found = true;
        }
    }
    if (var == "*" && found) // every row of an owner that exists
      continue;
    if (found && !model) {
      diag.error({}, option + " " + name + ": '" + owner +
                         "' is an input population (PoissonInput, "
                         "PoissonDrive, SpikeTimes): its rate or spike times "
                         "are fixed in the model; it has no variable to set");
      continue;
    }
    if (!model) {
      diag.error({}, option + " " + name + ": no population or projection '" +
                         owner + "'");
      continue;
    }
    auto it = model->vars.find(var);
    if (it == model->vars.end() || !it->second.decl) {
      diag.error({}, option + " " + name + ": '" + owner +
                         "' has no parameter or state '" + var + "'");
      continue;
    }
    if (withValue) {
      // The value's unit, as the run will read it (`neuroc check` too).
      double value = 0;
      std::string why;
      if (it->second.unitKnown &&
          !rt::parseQuantityOf(overrides.at(name), it->second.dim.symbol(),
                               "'" + name + "'", value, why))
        diag.error({}, option + " " + name + ": " + why);
      continue;
    }
    if (projection && !withValue &&
        it->second.decl->kind == VarDecl::Kind::Param)
      diag.error({}, names.tunable + " " + name + ": '" + var +
                         "' is a parameter of the synapse, which the kernels "
                         "hold as a constant; a run can set a projection's "
                         "weight and per-synapse states (" +
                         OptionNames::with(names.setValue, name) +
                         " compiles another value)");
  }
}

bool neuro::runSema(const Module &module, DiagEngine &diag, SemaResult &result,
                    const std::set<std::string> &tunable,
                    const std::map<std::string, std::string> &overrides,
                    const OptionNames &names) {
  return Checker(module, diag, result, tunable, overrides, names).run();
}

double neuro::scaleToSI(double value, double scale) {
  if (scale < 1.0) {
    double inverse = std::round(1.0 / scale);
    if (std::abs(inverse * scale - 1.0) < 1e-12)
      return value / inverse;
  }
  return value * scale;
}

double neuro::literalValue(const Expr &number) {
  if (number.unit.empty())
    return number.value;
  auto unit = lookupUnit(number.unit);
  if (!unit)
    return number.value;
  int power = static_cast<int>(std::lround(std::log10(unit->scale)));
  if (number.text.empty() || std::pow(10.0, power) != unit->scale)
    return scaleToSI(number.value, unit->scale);
  // Shift the decimal exponent of the literal as written and convert once.
  std::string mantissa = number.text;
  long exponent = 0;
  size_t e = mantissa.find_first_of("eE");
  if (e != std::string::npos) {
    exponent = std::strtol(mantissa.c_str() + e + 1, nullptr, 10);
    mantissa.resize(e);
  }
  std::string decimal = mantissa + "e" + std::to_string(exponent + power);
  return std::strtod(decimal.c_str(), nullptr);
}

namespace {

/// An initial value as a summary line shows it.
std::string describeInit(const InitValue &iv) {
  if (iv.derived)
    return "computed from the parameters it reads";
  if (iv.expr)
    return "an expression per neuron";
  if (iv.kind == InitValue::Kind::Timed) {
    // values("FILE"): one row of the table, for the whole run.
    size_t rows = iv.values && iv.columns > 0
                      ? iv.values->size() / size_t(iv.columns)
                      : 0;
    if (rows == 1)
      return iv.columns > 1 ? "a table's values, one per neuron"
                            : "a table's value";
    return "a table in time";
  }
  return describeDraw(iv, "");
}

} // namespace

void neuro::printSemaSummary(const SemaResult &result, llvm::raw_ostream &os) {
  for (const ModelInfo *m : result.modelOrder) {
    os << (m->isSynapse ? "synapse " : "neuron ") << m->name << "\n";
    const std::vector<VarDecl> &vars =
        m->isSynapse ? m->synapse->vars : m->neuron->vars;
    for (const VarDecl &v : vars) {
      const VarInfo &vi = m->vars.at(v.name);
      os << "  " << kindName(v.kind) << " " << v.name << " : "
         << vi.dim.symbol();
      if (vi.hasDefault)
        os << " = " << fmt(vi.defaultValue);
      os << "\n";
    }
    // No clause is never refractory; `refractory 0 ms` is for the step of
    // the spike.
    if (!m->isSynapse && m->neuron->spike)
      os << (m->refractoryCondition ? std::string("  refractory while a "
                                                  "condition holds\n")
             : m->neuron->spike->refractory
                 ? "  refractory " + fmt(m->refractory) + " s\n"
                 : std::string("  no refractory period\n"));
  }
  for (const NetworkInfo &net : result.networks) {
    os << "network " << net.decl->name << ": dt " << fmt(net.dt)
       << " s, duration " << fmt(net.duration) << " s, seed " << net.seed
       << "\n";
    for (const PopulationInfo &p : net.populations) {
      os << "  population " << p.decl->name << " = " << p.size << " of "
         << (p.model         ? p.model->name
             : p.driveInputs ? "PoissonDrive"
             : p.poissonRate ? "PoissonInput"
                             : "SpikeTimes")
         << "\n";
      if (p.driveInputs)
        os << "    " << *p.driveInputs << " inputs per target\n";
      if (p.generator)
        os << "    " << p.generator->size() << " spikes given by time\n";
      if (p.poissonRate)
        os << "    rate " << fmt(*p.poissonRate) << " Hz\n";
      // With the network's dt and the population's parameters (the model's
      // line above takes its defaults and the default step).
      if (p.model && p.model->neuron && p.model->neuron->spike &&
          p.model->neuron->spike->refractory && !p.model->refractoryPerNeuron &&
          !p.model->refractoryCondition)
        os << "    refractory " << fmt(p.refractory) << " s\n";
      // Parameters other than the model's defaults, then those per neuron.
      for (auto &[name, value] : p.params) {
        auto var = p.model ? p.model->vars.find(name)
                           : decltype(p.model->vars.end())();
        if (p.model && var != p.model->vars.end() && var->second.hasDefault &&
            var->second.defaultValue != value)
          os << "    param " << name << " = " << fmt(value) << "\n";
      }
      for (auto &[name, iv] : p.paramInits)
        os << "    param " << name << " = " << describeInit(iv) << "\n";
      for (auto &[name, iv] : p.inits)
        os << "    init " << name << " = " << describeInit(iv) << "\n";
    }
    for (const ProjectionInfo &pr : net.projections)
      os << "  projection " << pr.name << " with " << pr.model->name << ": "
         << describeConnectivity(pr) << "\n";
  }
}

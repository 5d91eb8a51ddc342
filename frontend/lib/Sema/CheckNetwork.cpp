//===- CheckNetwork.cpp - Networks ----------------------------------------===//
//
// A network: its parameters and settings, then its statements by kind
// (populations, connects, ablations, records: the CheckNetwork*.cpp
// files), its runs and plasticity switches; instantiated as populations
// and projections with their values in SI.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"
#include "neuro/Runtime/Steps.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <tuple>

using namespace neuro;
using namespace neuro::sema;

void Checker::checkNetwork(const NetworkDecl &decl) {
  NetworkInfo net;
  net.decl = &decl;
  inNetwork = true;
  checkNetworkParams(decl, net);
  checkNetworkSettings(decl, net);
  // `dt` in the network's expressions (`run 1000 * dt`, `every 10 * dt`,
  // a delay of `2 * dt`) is its step, unless a `param dt` says otherwise.
  if (netConstants.emplace("dt", Value{net.dt, Dim::time()}).second)
    net.constants["dt"] = net.dt;
  checkAfterRuns(decl);
  std::map<std::string, int> popIndex;
  for (const PopulationDecl &p : decl.populations)
    checkPopulation(p, net, popIndex);
  std::map<std::string, int> projNames;
  for (const ConnectDecl &c : decl.connects)
    checkConnect(c, net, popIndex, projNames);
  checkTargetRows(net);
  for (const RecordTarget &t : decl.ablated)
    checkAblated(t, net, popIndex);
  for (const RecordDecl &r : decl.records)
    checkRecord(r, net, popIndex);
  std::vector<int64_t> runStart;
  bool runsOk = checkRuns(decl, net, runStart);
  checkPlasticitySwitches(decl, net, runStart, runsOk);
  checkProcedural(net);
  if (decl.populations.empty())
    diag.error(decl.range, "network '" + decl.name + "' has no population");
  for (PopulationInfo &pop : net.populations)
    if (pop.driveInputs && pop.size == 0) {
      diag.error(pop.decl->range,
                 "Poisson drive '" + pop.decl->name +
                     "' drives nothing; connect it to the populations it "
                     "drives");
      pop.size = 1;
    }
  netConstants.clear();
  inNetwork = false;
  result.networks.push_back(std::move(net));
}

void Checker::checkNetworkParams(const NetworkDecl &decl, NetworkInfo &net) {
  netConstants.clear();
  std::map<std::string, SourceRange> seen;
  for (const VarDecl &v : decl.params) {
    if (!seen.emplace(v.name, v.nameRange).second) {
      diag.error(v.nameRange,
                 "redefinition of '" + v.name + "' in '" + decl.name + "'");
      diag.note(seen[v.name], "previous definition is here");
      continue;
    }
    if (v.name == "dt" || v.name == "t") {
      diag.error(
          v.nameRange,
          "'" + v.name + "' is the network's " +
              (v.name == "dt" ? "time step (set with 'dt = ...')" : "time") +
              "; a parameter cannot take its name");
      continue;
    }
    if (isIndexOrSize(v.name))
      diag.warning(v.nameRange,
                   "inside a population's arguments and a connection's "
                   "rule and arguments, '" +
                       v.name + "' is the " +
                       (v.name == "i" || v.name == "j" ? "index"
                        : isSynapseCount(v.name)       ? "synapse count"
                                                       : "size") +
                       " it always is there, not this parameter (as in "
                       "Brian2); rename the parameter to use it there");
    std::optional<Dim> declared;
    if (v.unit && !(declared = resolveUnit(*v.unit)))
      continue;
    auto value = netConst(*v.init, "the parameter '" + v.name + "'");
    if (!value)
      continue;
    if (declared && *declared != value->second) {
      diag.error(v.init->range, "parameter '" + v.name + "' is declared in " +
                                    declared->str() +
                                    " but its value has dimension " +
                                    value->second.str());
      continue;
    }
    if (auto o = overrides.find(v.name); o != overrides.end()) {
      std::string err;
      double given = 0;
      consumedOverrides.insert(v.name);
      if (rt::parseQuantityOf(o->second, value->second.symbol(),
                              "'" + v.name + "'", given, err))
        value->first = given;
      else
        diag.error(v.nameRange, names.set + " " + v.name + ": " + err);
    }
    netConstants[v.name] = *value;
    net.constants[v.name] = value->first;
  }
}

void Checker::checkNetworkSettings(const NetworkDecl &decl, NetworkInfo &net) {
  std::map<std::string, SourceRange> settingsSeen;
  auto before = [](const SourceLoc &a, const SourceLoc &b) {
    return std::tie(a.line, a.col) < std::tie(b.line, b.col);
  };
  for (const NamedExpr &s : decl.settings) {
    if (!settingsSeen.emplace(s.name, s.nameRange).second) {
      diag.error(s.nameRange, "'" + s.name + "' is set twice");
      diag.note(settingsSeen[s.name], "first set here");
      continue;
    }
    // The whole network has one dt and one seed: one written after a run
    // would apply to the runs before it too.
    if (!decl.runs.empty() &&
        before(decl.runs.front().range.begin, s.nameRange.begin)) {
      diag.error(s.nameRange, "'" + s.name +
                                  "' is set after a 'run'; network settings "
                                  "hold for the whole network and go before "
                                  "the run statements");
      diag.note(decl.runs.front().range, "first run here");
      continue;
    }
    if (s.name == "dt") {
      if (auto v = netQuantity(*s.value, Dim::time(), "dt")) {
        if (*v <= 0)
          diag.error(s.value->range, "dt must be positive");
        else
          net.dt = *v;
      }
    } else if (s.name == "seed") {
      // Digits alone are read exactly (a double holds integers to 2^53
      // only; --seed takes up to 2^64 - 1).
      const Expr &e = *s.value;
      if (e.kind == Expr::Kind::Number && e.unit.empty() && !e.text.empty() &&
          e.text.find_first_not_of("0123456789") == std::string::npos) {
        errno = 0;
        unsigned long long exact = std::strtoull(e.text.c_str(), nullptr, 10);
        if (errno == ERANGE)
          diag.error(e.range, "seed must be an integer from 0 to 2^64 - 1");
        else
          net.seed = uint64_t(exact);
      } else if (auto v = netQuantity(*s.value, Dim::none(), "seed")) {
        if (*v < 0 || *v != std::floor(*v) || *v > 1.8e19)
          diag.error(s.value->range, "seed must be a non-negative integer");
        else
          net.seed = static_cast<uint64_t>(*v);
      }
    } else {
      diag.error(s.nameRange, "unknown network setting '" + s.name +
                                  "' (expected 'dt', 'seed', or a "
                                  "population 'name = N of Model')");
    }
  }
}

void Checker::checkAfterRuns(const NetworkDecl &decl) {
  if (decl.runs.empty())
    return;
  const SourceRange &first = decl.runs.front().range;
  auto check = [&](const SourceRange &r, const std::string &what) {
    if (std::tie(r.begin.line, r.begin.col) <
        std::tie(first.begin.line, first.begin.col))
      return;
    diag.error(r, what + " after a 'run': the network is built once, before "
                         "the first run, so it would hold from t = 0; write "
                         "it before the first run (between runs only "
                         "'plasticity on/off' takes effect)");
    diag.note(first, "first run here");
  };
  for (const PopulationDecl &p : decl.populations)
    check(p.range, "population '" + p.name + "'");
  for (const ConnectDecl &c : decl.connects)
    check(c.range, "a 'connect'");
  for (const RecordDecl &r : decl.records)
    check(r.range, "a 'record'");
  for (const RecordTarget &t : decl.ablated)
    check(t.range, "an 'ablate'");
}

bool Checker::checkRuns(const NetworkDecl &decl, NetworkInfo &net,
                        std::vector<int64_t> &runStart) {
  if (decl.runs.empty())
    diag.error(decl.range,
               "network '" + decl.name + "' has no 'run <duration>' statement");
  // Runs one after another end at the step covering the sum of their
  // durations, as Brian2 counts them (three runs of 1.04 ms at 0.1 ms take
  // 11, 10 and 11 steps); switches of plasticity take effect at the step
  // where the next run starts.
  runStart = {0};
  bool runsOk = true;
  double end = 0;
  for (const RunDecl &r : decl.runs) {
    auto v = netQuantity(*r.duration, Dim::time(), "the duration");
    double steps = v ? rt::runSteps(end + *v, net.dt) : 0;
    if (!v) {
      runsOk = false;
    } else if (!(*v >= 0)) {
      diag.error(r.duration->range, "the duration must not be negative");
      runsOk = false;
    } else if (steps > 1e12) {
      diag.error(r.duration->range, "the duration is more than 1e12 steps");
      runsOk = false;
    } else {
      end += *v;
      runStart.push_back(std::max(runStart.back(), int64_t(steps)));
    }
  }
  if (runsOk && !decl.runs.empty() && runStart.back() == 0) {
    std::ostringstream os;
    os << "the runs last " << end * 1e3 << " ms in all, less than one step "
       << "(dt = " << net.dt * 1e3 << " ms)";
    diag.error(decl.runs.back().duration->range, os.str());
    runsOk = false;
  }
  if (runsOk && !decl.runs.empty())
    net.duration = end;
  return runsOk;
}

/// Whether an equation or an event's statement of `syn` writes its weight.
static bool writesWeight(const SynapseDecl &syn) {
  for (const VarDecl &v : syn.vars) {
    if (v.kind != VarDecl::Kind::Weight)
      continue;
    if (llvm::any_of(syn.odes,
                     [&](const OdeDecl &o) { return o.var == v.name; }))
      return true;
    for (const EventDecl &e : syn.events)
      if (llvm::any_of(e.body,
                       [&](const Stmt &s) { return s.target == v.name; }))
        return true;
  }
  return false;
}

void Checker::checkPlasticitySwitches(const NetworkDecl &decl, NetworkInfo &net,
                                      const std::vector<int64_t> &runStart,
                                      bool runsOk) {
  for (const PlasticityDecl &d : decl.plasticity) {
    if (d.afterRuns >= decl.runs.size() && !decl.runs.empty())
      diag.warning(d.range, "'plasticity' after the last 'run' has no "
                            "effect");
    for (const NameRef &name : d.projections) {
      int proj = -1;
      for (size_t j = 0; j < net.projections.size(); ++j)
        if (net.projections[j].name == name.name)
          proj = int(j);
      if (proj < 0) {
        diag.error(name.range, "unknown projection '" + name.name +
                                   "' (name it with 'connect ... as " +
                                   name.name + "')");
        continue;
      }
      if (const SynapseDecl *syn =
              net.projections[size_t(proj)].model
                  ? net.projections[size_t(proj)].model->synapse
                  : nullptr;
          syn && !writesWeight(*syn))
        diag.warning(name.range, "nothing changes the weight of '" + name.name +
                                     "' (no equation or statement writes it): "
                                     "'plasticity " +
                                     (d.on ? "on" : "off") +
                                     "' has no effect on it");
      if (runsOk && d.afterRuns < runStart.size())
        net.plasticSwitches.push_back(
            {{runStart[d.afterRuns], proj, d.on}, d.range});
    }
  }
}

std::optional<std::pair<double, double>>
Checker::cellSlice(const std::optional<std::pair<double, double>> &slice,
                   const std::optional<NameRef> &cell, const NetworkInfo &net,
                   int pop) {
  if (!cell)
    return slice;
  const PopulationInfo &p = net.populations[size_t(pop)];
  auto it = std::find(p.cells.begin(), p.cells.end(), cell->name);
  // Declared named but its names were refused (said there): no cascade.
  if (it == p.cells.end() && p.cells.empty() && p.decl->cells)
    return std::nullopt;
  if (it == p.cells.end()) {
    diag.error(cell->range,
               p.cells.empty()
                   ? "population '" + p.decl->name +
                         "' has no named neurons (declare it 'named "
                         "\"FILE\"')"
                   : "population '" + p.decl->name + "' has no neuron '" +
                         cell->name + "'");
    return std::nullopt;
  }
  double k = double(it - p.cells.begin());
  return std::make_pair(k, k + 1);
}

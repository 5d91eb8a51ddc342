//===- CheckNetworkInputs.cpp - Spike sources of a network ----------------===//
//
// Populations that give spikes instead of integrating a model:
// SpikeTimes (spikes listed by time, or read from a file), PoissonInput
// (each neuron spikes with probability rate * dt per step) and
// PoissonDrive (K inputs of its own for every target it is connected to).
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"
#include "neuro/Runtime/Steps.h"

#include <algorithm>
#include <cmath>
#include <tuple>

using namespace neuro;
using namespace neuro::sema;

std::optional<std::pair<size_t, size_t>> sema::sameStep(const Spikes &spikes,
                                                        double dt) {
  std::vector<std::tuple<int64_t, int64_t, size_t>> keys;
  for (size_t n = 0; n < spikes.size(); ++n)
    keys.emplace_back(spikes[n].second,
                      int64_t(std::min(rt::stepOf(spikes[n].first, dt), 4e18)),
                      n);
  std::sort(keys.begin(), keys.end());
  for (size_t k = 1; k < keys.size(); ++k)
    if (std::get<0>(keys[k]) == std::get<0>(keys[k - 1]) &&
        std::get<1>(keys[k]) == std::get<1>(keys[k - 1]))
      return std::make_pair(std::get<2>(keys[k - 1]), std::get<2>(keys[k]));
  return std::nullopt;
}

std::string sema::twiceInStep(const std::pair<double, int64_t> &a,
                              const std::pair<double, int64_t> &b, double dt) {
  return "neuron " + std::to_string(a.second) + " spikes twice in step " +
         std::to_string(int64_t(rt::stepOf(a.first, dt))) +
         " (t = " + fmt(a.first) + " s and " + fmt(b.first) +
         " s); a neuron spikes at most once per step of dt = " + fmt(dt) +
         " s, unless SpikeTimes is given same_step = \"all\"";
}

bool Checker::checkSpikeSource(const PopulationDecl &p, double dt,
                               PopulationInfo &pop) {
  if (!checkPopulationSize(p, pop))
    return false;
  if (p.model.name == "SpikeTimes")
    pop.generator = checkSpikeTimes(p, pop.size, dt, pop.spikePeriod);
  else
    pop.poissonRate = checkPoissonInput(p, dt);
  if (!pop.generator && !pop.poissonRate)
    return false;
  if (p.model.name == "PoissonDrive") {
    // K inputs per target; one neuron per target, counted as the drive is
    // connected.
    pop.driveInputs = pop.size;
    pop.size = 0;
    if (p.cells || p.sign)
      diag.error(p.range, "a PoissonDrive has no named neurons and no "
                          "sign of its own");
  }
  return true;
}

std::optional<double> Checker::checkPoissonInput(const PopulationDecl &p,
                                                 double dt) {
  const Expr *rate = nullptr;
  const std::string &kind = p.model.name;
  for (const NamedExpr &a : p.args) {
    if (a.name == "rate" && !rate)
      rate = a.value.get();
    else
      diag.error(a.nameRange,
                 kind + " takes 'rate' (once), not '" + a.name + "'");
  }
  if (!rate) {
    diag.error(p.range,
               kind + " needs rate = RATE, e.g. " + kind + "(rate = 15 Hz)");
    return std::nullopt;
  }
  // A rate per neuron or in time is a PoissonSource's (a neuron model).
  const std::string perNeuron =
      " (a PoissonSource, `import std.neurons.PoissonSource`, takes a rate "
      "per neuron or in time: PoissonSource(rate = ...))";
  if (rate->kind == Expr::Kind::Call && rate->name == "timed") {
    diag.error(rate->range, "the rate of " + kind +
                                " is one number; timed(...) gives parameters "
                                "of neuron models that change in a run" +
                                perNeuron);
    return std::nullopt;
  }
  if (refersTo(*rate, "i") ||
      (rate->kind == Expr::Kind::Call && rate->name == "values")) {
    diag.error(rate->range, "the rate of " + kind +
                                " is one number for all its sources" +
                                perNeuron);
    return std::nullopt;
  }
  auto v = netQuantity(*rate, Dim::none() / Dim::time(), "the rate");
  if (!v)
    return std::nullopt;
  if (!(*v >= 0) || !std::isfinite(*v)) {
    diag.error(rate->range,
               "the rate must be finite and >= 0, got " + fmt(*v) + " Hz");
    return std::nullopt;
  }
  if (*v * dt > 1) {
    diag.error(rate->range, "rate * dt = " + fmt(*v * dt) +
                                " exceeds 1: a source spikes at most once "
                                "per step; lower the rate or dt");
    return std::nullopt;
  }
  return v;
}

std::optional<Spikes> Checker::checkSpikeTimes(const PopulationDecl &p,
                                               int64_t size, double dt,
                                               double &period) {
  const Expr *indices = nullptr, *times = nullptr, *file = nullptr,
             *same = nullptr, *every = nullptr;
  for (const NamedExpr &a : p.args) {
    if (a.name == "indices" && !indices)
      indices = a.value.get();
    else if (a.name == "times" && !times)
      times = a.value.get();
    else if (a.name == "file" && !file)
      file = a.value.get();
    else if (a.name == "same_step" && !same)
      same = a.value.get();
    else if (a.name == "period" && !every)
      every = a.value.get();
    else
      diag.error(a.nameRange, "SpikeTimes takes 'indices' and 'times', or "
                              "'file', and 'same_step' and 'period' (once "
                              "each), not '" +
                                  a.name + "'");
  }
  auto periodic = [&](std::optional<Spikes> spikes) -> std::optional<Spikes> {
    if (!spikes || !every)
      return spikes;
    auto p = checkSpikePeriod(*every, *spikes, dt);
    if (!p)
      return std::nullopt;
    period = *p;
    return spikes;
  };
  // same_step = "all": every spike of a neuron that falls into one step is
  // emitted (NEST's multiplicity, NEURON's events); by default a second
  // one is an error (Brian2's SpikeGeneratorGroup).
  bool sameStepAll = false;
  if (same) {
    if (same->kind != Expr::Kind::String ||
        (same->text != "all" && same->text != "error")) {
      diag.error(same->range, "same_step is \"all\" (every spike of a neuron "
                              "in one step is emitted) or \"error\"");
      return std::nullopt;
    }
    sameStepAll = same->text == "all";
  }
  if (file) {
    if (file->kind != Expr::Kind::String || indices || times) {
      diag.error(file->range, "SpikeTimes(file = \"FILE\") takes a file "
                              "name in quotes and no 'indices' or 'times'");
      return std::nullopt;
    }
    return periodic(readSpikeTimesFile(p, *file, size, dt, sameStepAll));
  }
  if (!indices || !times || indices->kind != Expr::Kind::List ||
      times->kind != Expr::Kind::List) {
    diag.error(p.range, "SpikeTimes needs indices = [...] and "
                        "times = [...], lists of the same length, or "
                        "file = \"FILE\"");
    return std::nullopt;
  }
  if (indices->args.size() != times->args.size()) {
    diag.error(times->range, "'times' has " +
                                 std::to_string(times->args.size()) +
                                 " entries, 'indices' " +
                                 std::to_string(indices->args.size()));
    return std::nullopt;
  }
  Spikes spikes;
  bool ok = true;
  for (size_t n = 0; n < times->args.size(); ++n) {
    auto i = netQuantity(*indices->args[n], Dim::none(), "an index");
    auto t = netQuantity(*times->args[n], Dim::time(), "a spike time");
    if (!i || !t) {
      ok = false;
      continue;
    }
    if (*i < 0 || *i != std::floor(*i) || *i >= double(size)) {
      diag.error(indices->args[n]->range,
                 "index " + fmt(*i) + " is not a neuron of the " +
                     std::to_string(size) + " of '" + p.name + "'");
      ok = false;
    } else if (*t < 0) {
      diag.error(times->args[n]->range, "spike times must be >= 0");
      ok = false;
    } else {
      spikes.push_back({*t, static_cast<int64_t>(*i)});
    }
  }
  if (!ok)
    return std::nullopt;
  if (auto twice = sameStepAll ? std::nullopt : sameStep(spikes, dt)) {
    diag.error(times->args[twice->second]->range,
               twiceInStep(spikes[twice->first], spikes[twice->second], dt));
    diag.note(times->args[twice->first]->range, "its other spike");
    return std::nullopt;
  }
  return periodic(std::move(spikes));
}

std::optional<double>
Checker::checkSpikePeriod(const Expr &e, const Spikes &spikes, double dt) {
  auto v = netQuantity(e, Dim::time(), "the period");
  if (!v)
    return std::nullopt;
  // As Brian2: a positive whole number of steps (to 1e-4 dt), above every
  // spike time; each repeat is the first period shifted by whole steps.
  double steps = std::round(*v / dt);
  if (!(*v > 0) || !std::isfinite(*v) || steps < 1 ||
      std::abs(steps * dt - *v) > 1e-4 * dt) {
    diag.error(e.range, "the period must be a positive whole number of steps "
                        "(dt = " +
                            fmt(dt) + " s), got " + fmt(*v) + " s");
    return std::nullopt;
  }
  // Steps are counted in int64 (2^62 leaves room for the repeats' sums).
  if (steps > 0x1p62) {
    diag.error(e.range, "the period is " + fmt(steps) +
                            " steps, more than a run can count (2^62)");
    return std::nullopt;
  }
  for (const auto &[t, i] : spikes)
    if (rt::stepOf(t, dt) >= steps) {
      diag.error(e.range,
                 "every spike must fall in a step before the period's (" +
                     fmt(*v) + " s, step " + fmt(steps) + "); neuron " +
                     std::to_string(i) + " spikes at t = " + fmtExact(t) +
                     " s, in step " + fmt(rt::stepOf(t, dt)));
      return std::nullopt;
    }
  return steps * dt;
}

bool Checker::connectDrive(const ConnectDecl &c, const ModelInfo &syn,
                           bool rule, PopulationInfo &drive,
                           ProjectionInfo &proj) {
  const std::string &name = drive.decl->name;
  // Connected, if wrongly: not also "drives nothing".
  drive.size = std::max<int64_t>(drive.size, 1);
  if (rule || c.sourceSlice || c.sourceCell || c.where || c.file) {
    diag.error(c.range, "'" + name +
                            "' drives every target with its own inputs; a "
                            "connect from it takes no rule, slice or file");
    return false;
  }
  const SynapseDecl &s = *syn.synapse;
  bool perSynapse = !s.odes.empty();
  for (const VarDecl &v : s.vars)
    perSynapse |= v.kind == VarDecl::Kind::State ||
                  v.kind == VarDecl::Kind::PreVar ||
                  v.kind == VarDecl::Kind::Modulator;
  for (const EventDecl &e : s.events)
    perSynapse |= e.event == "post";
  for (const DrivesDecl &d : s.drives) {
    std::set<VarDecl::Kind> kinds;
    collectKinds(*d.value, syn, kinds);
    perSynapse |=
        kinds.count(VarDecl::Kind::Weight) || kinds.count(VarDecl::Kind::State);
  }
  if (perSynapse) {
    diag.error(c.synapse.range,
               "a synapse from Poisson drive '" + name +
                   "' stands for all the inputs of its target, so '" +
                   syn.name +
                   "' may only act on the target ('on pre', post states "
                   "and drives of them): no per-synapse states, "
                   "equations, 'on post' or summed drives");
    return false;
  }
  proj.rule = "one_to_one";
  proj.srcBegin = drive.connected;
  proj.srcEnd = drive.connected + (proj.dstEnd - proj.dstBegin);
  drive.size = drive.connected = proj.srcEnd;
  return true;
}

//===- AdoptState.cpp - A rebuilt network takes over the one that ran -----===//
//
// Simulator::adoptState, for the REPL's rebuilds: the time, the variables
// that still exist, spike counts, the spikes in flight of populations whose
// projections are the same, and what was recorded (RecorderAdopt.cpp);
// recentSpikes and carrySpikes hand spikes of earlier steps to another
// network.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/MemRef.h"
#include "neuro/Runtime/Simulator.h"

#include <algorithm>

using namespace neuro::rt;

/// Whether row `r` of `units` and row `o` of `old` have one unit (a row
/// whose unit is not known is taken as unchanged).
static bool sameUnit(const std::vector<std::string> &units, size_t r,
                     const std::vector<std::string> &old, size_t o) {
  return r >= units.size() || o >= old.size() || units[r] == old[o];
}

/// Whether projection j of `now` and o of `old` have the same synapses,
/// in the same order, with the same delays (stored ones compared synapse
/// by synapse).
static bool sameSynapses(const Simulator &now, int j, const Simulator &old,
                         int o) {
  if (now.numSynapses(j) != old.numSynapses(o) ||
      now.isProcedural(j) != old.isProcedural(o))
    return false;
  const ProjectionSpec &x = now.spec().projections[size_t(j)];
  const ProjectionSpec &y = old.spec().projections[size_t(o)];
  auto name = [](const Simulator &s, int pop) {
    return s.spec().populations[size_t(pop)].name;
  };
  // The same neuron indices of other populations are other synapses.
  if (name(now, x.src) != name(old, y.src) ||
      name(now, x.dst) != name(old, y.dst))
    return false;
  if (now.isProcedural(j) ? x.delaySteps != y.delaySteps ||
                                x.heterogeneousDelay != y.heterogeneousDelay
                          : now.synapseDelays(j) != old.synapseDelays(o))
    return false;
  std::vector<int64_t> preA, postA, preB, postB;
  now.synapseEnds(j, preA, postA);
  old.synapseEnds(o, preB, postB);
  return preA == preB && postA == postB;
}

/// Whether population `p` of `now` and `q` of `old` send through the same
/// projections: the same names and synapses (`same`, by sameSynapses).
static bool sameOutgoing(const Simulator &now, size_t p, const Simulator &old,
                         int q, const std::vector<bool> &same) {
  const ModelSpec &a = now.spec(), &b = old.spec();
  size_t mine = 0, theirs = 0;
  for (const ProjectionSpec &j : b.projections)
    theirs += j.src == q;
  for (size_t j = 0; j < a.projections.size(); ++j) {
    if (a.projections[j].src != int(p))
      continue;
    ++mine;
    int o = old.projectionIndex(a.projections[j].name);
    if (o < 0 || b.projections[size_t(o)].src != q || !same[j])
      return false;
  }
  return mine == theirs;
}

std::vector<std::string>
Simulator::adoptState(const Simulator &old, std::vector<std::string> *dropped,
                      std::vector<std::string> *lost) {
  std::vector<std::string> kept;
  std::vector<size_t> resized;
  if (!built || !old.built)
    return kept;
  old.net.syncHostRows();
  net.syncHostRows();
  net.kernelStale = net.singleSynapses();
  stepIndex = old.stepIndex;
  runEnd = old.runEnd;
  runEndStep = old.runEndStep;
  // Projections whose synapses are the same (compared once: their ends
  // are gathered for the comparison).
  std::vector<bool> same(net.projs.size());
  for (size_t j = 0; j < net.projs.size(); ++j) {
    int q = old.projectionIndex(model.projections[j].name);
    same[j] = q >= 0 && sameSynapses(*this, int(j), old, q);
  }
  for (size_t p = 0; p < net.pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    int q = old.populationIndex(spec.name);
    adoptPoisson(p, old, q);
    if (q < 0)
      continue;
    if (old.model.populations[size_t(q)].size != spec.size) {
      // Resized: its states start afresh; the recorded spikes of the
      // neurons it still has stay (adoptRecordings, below).
      resized.push_back(p);
      continue;
    }
    const Network::Population &from = old.net.pops[size_t(q)];
    Network::Population &to = net.pops[p];
    const PopulationSpec &was = old.model.populations[size_t(q)];
    for (size_t r = 0; r < spec.rows.size(); ++r) {
      int o = old.rowIndex(q, spec.rows[r]);
      if (o < 0 || !sameUnit(spec.units, r, was.units, size_t(o)))
        continue;
      std::copy_n(from.state.data() + int64_t(o) * spec.size, spec.size,
                  to.state.data() + int64_t(r) * spec.size);
      if (spec.rows[r].empty() || spec.rows[r][0] != '_')
        kept.push_back(spec.name + "." + spec.rows[r]);
    }
    // What the compiler derives from the states kept (parameters computed
    // from others, the entries of per-neuron propagators and the values of
    // the coefficients they were computed from) belongs to the equations
    // built now: computed again, over whatever was copied.
    if (spec.deriveFn) {
      NeuroMemRef2DF64 rows =
          memref2D(to.state.data(), int64_t(spec.rows.size()), spec.size);
      spec.deriveFn(&rows, int64_t(model.seed));
      net.kernelStale |= net.single();
    }
    recorder.setSpikeCount(p, old.recorder.spikeCount(size_t(q)));
    to.ring.clear();
    if (!sameOutgoing(*this, p, old, q, same)) {
      bool inFlight = false;
      for (int64_t s = stepIndex - from.ring.capacity(); s < stepIndex; ++s)
        inFlight |= !from.ring.at(s).empty();
      if (inFlight && dropped)
        dropped->push_back(spec.name);
      continue;
    }
    for (int64_t s = stepIndex - to.ring.capacity(); s < stepIndex; ++s)
      to.ring.push(s, from.ring.at(s));
  }
  // Synapse variables (and recordings) of projections whose synapses are
  // the same: another projection of as many synapses has others.
  for (size_t j = 0; j < net.projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    int q = old.projectionIndex(spec.name);
    if (!same[j])
      continue;
    // Procedural projections have no rows (and nothing that changes).
    if (net.projs[j].procedural || old.net.projs[size_t(q)].procedural)
      continue;
    int64_t n = numSynapses(int(j));
    const ProjectionSpec &was = old.model.projections[size_t(q)];
    for (size_t r = 0; r < spec.synRows.size(); ++r) {
      int o = old.synRowIndex(q, spec.synRows[r]);
      if (o < 0 || !sameUnit(spec.synUnits, r, was.synUnits, size_t(o)))
        continue;
      std::copy_n(old.net.hostSynapses(size_t(q)) + int64_t(o) * n, n,
                  net.hostSynapses(j) + int64_t(r) * n);
      if (spec.synRows[r][0] != '_')
        kept.push_back(spec.name + "." + spec.synRows[r]);
    }
    net.projs[j].mods[0] = old.net.projs[size_t(q)].mods[0];
  }
  // What was recorded carries over where the same is recorded here.
  std::vector<std::string> ignored;
  recorder.adoptRecordings(old.recorder, same, lost ? *lost : ignored);
  for (size_t p : resized)
    recorder.setSpikeCount(p, int64_t(recorder.spikes(p).size()));
  return kept;
}

void Simulator::adoptPoisson(size_t p, const Simulator &old, int q) {
  const PopulationSpec &spec = model.populations[p];
  if (!spec.generator || spec.poissonRate < 0 || spec.driveInputs > 0)
    return;
  // The same source goes on with its schedule; another (new, resized, of
  // another rate or seed) starts now, not with a burst of every spike that its
  // schedule from step 0 had before now.
  const PopulationSpec *was =
      q < 0 ? nullptr : &old.model.populations[size_t(q)];
  if (was && was->generator && was->poissonRate == spec.poissonRate &&
      was->driveInputs == 0 && was->size == spec.size &&
      old.model.seed == model.seed) {
    net.pops[p].nextSpikes = old.net.pops[size_t(q)].nextSpikes;
    net.pops[p].draws = old.net.pops[size_t(q)].draws;
    return;
  }
  // Its random numbers go on past any this stream (population index,
  // neuron) gave before: a source has drawn at most one number per step
  // and one more, so counters from step + 2 (or further, where an old
  // source of the name drew further) repeat none.
  std::vector<uint64_t> &draws = net.pops[p].draws;
  const std::vector<uint64_t> *before =
      was && was->generator ? &old.net.pops[size_t(q)].draws : nullptr;
  for (size_t i = 0; i < draws.size(); ++i)
    draws[i] =
        std::max<uint64_t>(before && i < before->size() ? (*before)[i] : 0,
                           uint64_t(stepIndex) + 2);
  net.skipPoisson(p, stepIndex);
}

std::vector<std::vector<int32_t>> Simulator::recentSpikes(int pop) const {
  const Network::Population &p = net.pops[size_t(pop)];
  std::vector<std::vector<int32_t>> lists;
  for (int64_t a = 1; a <= p.ring.maxDelay(); ++a)
    lists.push_back(p.ring.at(stepIndex - a));
  return lists;
}

bool Simulator::carrySpikes(int pop,
                            const std::vector<std::vector<int32_t>> &lists,
                            std::string &err) {
  const PopulationSpec &spec = model.populations[size_t(pop)];
  if (dist || (backend && !backend->readsHostRings())) {
    err = "spikes are carried into a simulation of one process on the CPU";
    return false;
  }
  for (const std::vector<int32_t> &list : lists)
    for (size_t k = 0; k < list.size(); ++k)
      if (list[k] < 0 || list[k] >= spec.size ||
          (k > 0 && list[k] < list[k - 1])) {
        err = "spikes carried into '" + spec.name +
              "' must be sorted neurons from 0 to " +
              std::to_string(spec.size - 1);
        return false;
      }
  DelayRing &ring = net.pops[size_t(pop)].ring;
  for (int64_t a = 1; a <= ring.maxDelay() && a <= int64_t(lists.size()); ++a)
    ring.push(stepIndex - a, lists[size_t(a - 1)]);
  return true;
}

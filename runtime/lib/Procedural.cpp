//===- Procedural.cpp - Projections kept as their rule --------------------===//
//
// Which projections can be kept as their rule, building one (each source's
// synapses drawn once, to count them, find the delays they use and check
// Dale's law), and drawing the synapses of a step's spikes again for
// delivery. The draws are those of the stored form (Connect.cpp,
// Initialize.cpp): connectivity keyed by (projection, source), weights,
// per-synapse values and delays by (projection, row, CSR index).
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Procedural.h"

#include "SimulatorInternal.h"

#include "neuro/Runtime/Streams.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace neuro::rt;
using namespace neuro::rt::detail;

std::string neuro::rt::proceduralBlocker(const ModelSpec &model, size_t j) {
  const ProjectionSpec &p = model.projections[j];
  switch (p.rule) {
  case ProjectionSpec::FixedInDegree:
    return "in_degree draws the sources of each target, so the synapses of "
           "one source depend on the draws of every target";
  case ProjectionSpec::Expression:
    return "a probability given per pair (an expression for p, or where) "
           "reads the neurons as they are when the network is built, and "
           "would be evaluated for every target of each spike";
  case ProjectionSpec::FromFile:
    return "its synapses are listed in a file";
  default:
    break;
  }
  if (p.synInitFn || p.delayFromInit)
    return "its weights, per-synapse values or delays are expressions of "
           "the pair (only constants, uniform() and normal() can be drawn "
           "again)";
  if (p.synapsesWritten)
    return "its synapses change (plasticity or per-synapse states): they "
           "must be stored";
  if (p.deliverPost)
    return "its synapse has 'on post'";
  if (p.update)
    return "its synapses have clock-driven equations";
  if (p.sum)
    return "its synapses' drives are summed every step";
  if (p.needsSources)
    return "its kernels read the source of each synapse";
  if (!p.deliver)
    return "its synapse has no 'on pre' to deliver";
  for (const InitSpec &init : p.synInit)
    if (init.kind == InitSpec::Timed)
      return "a per-synapse value follows a table in time";
  for (const StateRecordSpec &rec : model.stateRecords)
    if (rec.projection == int(j))
      return "its synapses are recorded";
  return "";
}

int64_t Network::drawnDelaySteps(size_t j, int64_t id) const {
  const ProjectionSpec &spec = model.projections[j];
  double seconds =
      initValue(spec.delayInit, model.seed,
                streams::synapseInit(uint32_t(j), streams::kMaxRows - 1), id);
  // As groupByDelay rounds them; the caller checks the limit.
  double d = std::round(std::max(0.0, seconds) / model.dt);
  return d <= double(kMaxDelaySteps) ? int64_t(d) : kMaxDelaySteps + 1;
}

std::string neuro::rt::detail::drawnDelayError(const ModelSpec &model, size_t j,
                                               int64_t id) {
  const ProjectionSpec &spec = model.projections[j];
  double seconds =
      initValue(spec.delayInit, model.seed,
                streams::synapseInit(uint32_t(j), streams::kMaxRows - 1), id);
  return "projection '" + spec.name + "': " + tooLongDelay(seconds, model.dt);
}

void Network::regenerateRow(size_t j, int64_t i,
                            std::vector<int32_t> &targets) const {
  distinctTargets(j, i, targets);
  // Several synapses per pair, one after another.
  repeatEach(targets, model.projections[j].multiplicity);
}

void Network::distinctTargets(size_t j, int64_t i,
                              std::vector<int32_t> &targets) const {
  // What connect(), embedSlices() and ablate() keep of row i.
  const ProjectionSpec &spec = model.projections[j];
  targets.clear();
  int64_t srcBegin = spec.srcBegin, srcEnd = model.srcEndOf(spec);
  int64_t dstBegin = spec.dstBegin, nDst = model.dstEndOf(spec) - dstBegin;
  const std::vector<int64_t> &deadSrc =
      model.populations[size_t(spec.src)].ablated;
  const std::vector<int64_t> &deadDst =
      model.populations[size_t(spec.dst)].ablated;
  if (i < srcBegin || i >= srcEnd ||
      std::binary_search(deadSrc.begin(), deadSrc.end(), i))
    return;
  bool autapses = spec.allowAutapses || spec.src != spec.dst;
  int64_t selfShift = srcBegin - dstBegin, r = i - srcBegin;
  uint32_t stream = streams::connectivity(uint32_t(j));
  switch (spec.rule) {
  case ProjectionSpec::FixedProbability:
    fixedProbabilityRow(r, nDst, spec.p, autapses, model.seed, stream,
                        selfShift, targets);
    break;
  case ProjectionSpec::FixedOutDegree:
    fixedOutDegreeRow(r, nDst, spec.degree, autapses, model.seed, stream,
                      selfShift, targets);
    break;
  case ProjectionSpec::OneToOne:
    if (r < nDst)
      targets.push_back(int32_t(r));
    break;
  default:
    return;
  }
  int64_t nSrcAll = model.populations[size_t(spec.src)].size;
  bool embedded =
      !(srcBegin == 0 && srcEnd - srcBegin == nSrcAll && dstBegin == 0);
  size_t kept = 0;
  for (int32_t t : targets) {
    int64_t target = t + dstBegin;
    if (embedded && !spec.allowAutapses && spec.src == spec.dst && target == i)
      continue;
    if (std::binary_search(deadDst.begin(), deadDst.end(), target))
      continue;
    targets[kept++] = int32_t(target);
  }
  targets.resize(kept);
}

/// "Dale's law: projection 'P', synapse S (neuron i of 'E' -> neuron t of
/// 'I'), weight 'w' is -0.1 when built, but 'E' is excitatory".
static std::string daleError(const ModelSpec &model, const ProjectionSpec &spec,
                             int64_t id, int64_t i, int32_t t, double w) {
  const std::string &src = model.populations[size_t(spec.src)].name;
  char value[64];
  std::snprintf(value, sizeof value, "%g", w);
  size_t row = size_t(spec.weightRow);
  const std::string unit =
      row < spec.synUnits.size() && spec.synUnits[row] != "1"
          ? " " + spec.synUnits[row]
          : "";
  return "Dale's law: projection '" + spec.name + "', synapse " +
         std::to_string(id) + " (neuron " + std::to_string(i) + " of '" + src +
         "' -> neuron " + std::to_string(t) + " of '" +
         model.populations[size_t(spec.dst)].name + "'), weight '" +
         spec.synRows[size_t(spec.weightRow)] + "' is " + value + unit +
         " when built, but '" + src + "' is " +
         (spec.sign > 0 ? "excitatory" : "inhibitory");
}

/// Whether every row of procedural projection `spec` has a length known
/// without drawing it (out-degree and one-to-one between whole
/// populations, no target ablated), and that length for source i.
static bool rowLengthsKnown(const ModelSpec &model,
                            const ProjectionSpec &spec) {
  // p = 1 connects every pair: no draw decides a row's length. Several
  // synapses per pair (n = K) take the drawing path, which spells them out.
  bool everyPair =
      spec.rule == ProjectionSpec::FixedProbability && spec.p >= 1.0;
  bool rule = spec.rule == ProjectionSpec::FixedOutDegree ||
              spec.rule == ProjectionSpec::OneToOne || everyPair;
  return rule && spec.multiplicity <= 1 && spec.srcBegin == 0 &&
         spec.dstBegin == 0 &&
         model.srcEndOf(spec) == model.populations[size_t(spec.src)].size &&
         model.populations[size_t(spec.dst)].ablated.empty();
}

static int64_t knownRowLength(const ModelSpec &model,
                              const ProjectionSpec &spec, int64_t i) {
  const std::vector<int64_t> &dead =
      model.populations[size_t(spec.src)].ablated;
  if (std::binary_search(dead.begin(), dead.end(), i))
    return 0;
  int64_t nDst = model.dstEndOf(spec);
  if (spec.rule == ProjectionSpec::OneToOne)
    return i < nDst ? 1 : 0;
  // As sampleDistinct: the degree, or every target but the source itself
  // (p = 1: every one).
  bool autapses = spec.allowAutapses || spec.src != spec.dst;
  int64_t pool = !autapses && i < nDst ? nDst - 1 : nDst;
  if (spec.rule == ProjectionSpec::FixedProbability)
    return pool;
  return std::max<int64_t>(0, std::min(spec.degree, pool));
}

/// The range of steps every drawn value of `init` (seconds) rounds into,
/// when it is bounded and within the limit of a delay.
static bool delayStepRange(const InitSpec &init, double dt, int64_t &lo,
                           int64_t &hi) {
  double a = init.a, b = init.b;
  if (init.kind == InitSpec::Constant ||
      (init.kind == InitSpec::Normal && b == 0))
    b = a;
  else if (init.kind != InitSpec::Uniform)
    return false;
  double first = std::round(std::max(0.0, a) / dt);
  double last = std::round(std::max(0.0, b) / dt);
  if (!(last <= double(Network::kMaxDelaySteps)))
    return false;
  lo = int64_t(first);
  hi = int64_t(last);
  return true;
}

/// Whether every value `init` draws has `sign` (Dale's law), from its
/// bounds.
static bool signHolds(const InitSpec &init, int sign) {
  double lo = init.a, hi = init.kind == InitSpec::Uniform ? init.b : init.a;
  if (init.kind == InitSpec::Timed ||
      (init.kind == InitSpec::Normal && init.b != 0))
    return false;
  return sign > 0 ? lo >= 0 : hi <= 0;
}

bool Network::connectProcedural(size_t j, std::string &err) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  proj = Projection();
  proj.procedural = true;
  int64_t nSrcAll = model.populations[size_t(spec.src)].size;
  proj.csr.rowPtr.assign(size_t(nSrcAll) + 1, 0);
  bool checkSign = spec.sign != 0 && spec.weightRow >= 0 &&
                   size_t(spec.weightRow) < spec.synInit.size();
  uint32_t weights =
      streams::synapseInit(uint32_t(j), uint32_t(spec.weightRow));
  std::vector<uint8_t> used; // by delay in steps
  std::vector<int32_t> row;
  // Rows of known lengths, delays and weights within known bounds: nothing
  // to draw (a delay of the range no synapse has makes an empty group).
  int64_t lo = 0, hi = -1;
  bool known = rowLengthsKnown(model, spec) &&
               (!spec.heterogeneousDelay ||
                delayStepRange(spec.delayInit, model.dt, lo, hi)) &&
               (!checkSign ||
                signHolds(spec.synInit[size_t(spec.weightRow)], spec.sign));
  if (known) {
    for (int64_t i = 0; i < nSrcAll; ++i)
      proj.csr.rowPtr[size_t(i) + 1] =
          proj.csr.rowPtr[size_t(i)] + knownRowLength(model, spec, i);
    if (proj.csr.rowPtr.back() > 0 && hi >= 0) {
      used.assign(size_t(hi) + 1, 0);
      std::fill(used.begin() + lo, used.end(), 1);
    }
  }
  // The row's distinct targets: a pair's synapses are not spelled out (one
  // source onto every target with many synapses per pair would hold them
  // all).
  int64_t mult = std::max<int64_t>(1, spec.multiplicity);
  for (int64_t i = 0; !known && i < nSrcAll; ++i) {
    distinctTargets(j, i, row);
    int64_t base = proj.csr.rowPtr[size_t(i)];
    int64_t length = int64_t(row.size()) * mult;
    proj.csr.rowPtr[size_t(i) + 1] = base + length;
    for (int64_t q = 0; q < length; ++q) {
      int64_t id = base + q;
      if (spec.heterogeneousDelay) {
        int64_t d = drawnDelaySteps(j, id);
        if (d > kMaxDelaySteps) {
          err = drawnDelayError(model, j, id);
          return false;
        }
        if (used.size() <= size_t(d))
          used.resize(size_t(d) + 1, 0);
        used[size_t(d)] = 1;
      }
      if (checkSign) {
        double w = initValue(spec.synInit[size_t(spec.weightRow)], model.seed,
                             weights, id);
        if (spec.sign > 0 ? w < 0 : w > 0) {
          err = daleError(model, spec, id, i, row[size_t(q / mult)], w);
          return false;
        }
      }
    }
  }
  proj.delays.clear();
  if (!spec.heterogeneousDelay)
    proj.delays.push_back(spec.delaySteps);
  for (size_t d = 0; d < used.size(); ++d)
    if (used[d])
      proj.delays.push_back(int64_t(d));
  if (proj.delays.empty()) // no synapse: one group, never delivered
    proj.delays.push_back(0);
  proj.groupOf.assign(size_t(proj.delays.back()) + 1, -1);
  for (size_t g = 0; g < proj.delays.size(); ++g)
    proj.groupOf[size_t(proj.delays[g])] = int32_t(g);
  proj.mods.assign(spec.modulators.size() + 1, 0.0);
  proj.mods[0] = spec.plastic ? 1.0 : 0.0;
  return true;
}

void Network::regenerateTargets(size_t j, const int32_t *spikes, size_t count,
                                Regenerated &out, int64_t from,
                                int64_t to) const {
  const Projection &proj = projs[j];
  size_t groups = proj.delays.size(), stride = groups + 1;
  int64_t mult = std::max<int64_t>(1, model.projections[j].multiplicity);
  out.cols.clear();
  out.ids.clear();
  out.starts.assign(count * stride, 0);
  thread_local std::vector<int32_t> row, group;
  thread_local std::vector<int64_t> next;
  // Over ranks, only the synapses onto this rank's targets.
  auto [lo, hi] = ownedTargets(j);
  for (size_t m = 0; m < count; ++m) {
    int64_t i = spikes[m];
    // Positions q of the row (a pair's synapses one after another: q / mult
    // is the target's place among the distinct targets).
    distinctTargets(j, i, row);
    int64_t base = proj.csr.rowPtr[size_t(i)], at = int64_t(out.cols.size());
    int64_t first = std::max<int64_t>(0, from);
    int64_t last = std::min(int64_t(row.size()) * mult, to);
    // fn(q, target) for each synapse of [first, last) onto an owned
    // target: one division per pair, not per synapse.
    auto forOwned = [&](auto &&fn) {
      for (int64_t q = first; q < last;) {
        int32_t t = row[size_t(q / mult)];
        int64_t end = std::min(last, (q / mult + 1) * mult);
        if (t < lo || t >= hi) {
          q = end;
          continue;
        }
        for (; q < end; ++q)
          fn(q, t);
      }
    };
    int64_t *starts = out.starts.data() + m * stride;
    if (groups == 1) {
      forOwned([&](int64_t q, int32_t t) {
        out.cols.push_back(t);
        out.ids.push_back(base + q);
      });
      starts[0] = at;
      starts[1] = int64_t(out.cols.size());
      continue;
    }
    // A stable counting sort by delay group: by target within each.
    group.clear();
    std::fill(starts, starts + stride, 0);
    forOwned([&](int64_t q, int32_t) {
      group.push_back(proj.groupOf[size_t(drawnDelaySteps(j, base + q))]);
      ++starts[group.back() + 1];
    });
    starts[0] = at;
    for (size_t g = 1; g < stride; ++g)
      starts[g] += starts[g - 1];
    next.assign(starts, starts + groups);
    out.cols.resize(out.cols.size() + group.size());
    out.ids.resize(out.cols.size());
    size_t n = 0;
    forOwned([&](int64_t q, int32_t t) {
      int64_t slot = next[size_t(group[n++])]++;
      out.cols[size_t(slot)] = t;
      out.ids[size_t(slot)] = base + q;
    });
  }
}

void Network::regenerate(size_t j, const std::vector<int32_t> &spikes,
                         Regenerated &out, int64_t from, int64_t to) const {
  const ProjectionSpec &spec = model.projections[j];
  // The targets of blocks of spikes on the pool's threads, each block into
  // its own buffers, joined in spike order: the same synapses in the same
  // order whatever the number of threads.
  std::vector<int64_t> blocks =
      splitRange(pool.get(), int64_t(spikes.size()), 8);
  if (blocks.size() <= 2) {
    regenerateTargets(j, spikes.data(), spikes.size(), out, from, to);
  } else {
    std::vector<Regenerated> parts(blocks.size() - 1);
    runTasks(pool.get(), int64_t(parts.size()), [&](int64_t b) {
      size_t first = size_t(blocks[size_t(b)]);
      regenerateTargets(j, spikes.data() + first,
                        size_t(blocks[size_t(b) + 1]) - first, parts[size_t(b)],
                        from, to);
    });
    out.cols.clear();
    out.ids.clear();
    out.starts.clear();
    for (const Regenerated &part : parts) {
      int64_t at = int64_t(out.cols.size());
      out.cols.insert(out.cols.end(), part.cols.begin(), part.cols.end());
      out.ids.insert(out.ids.end(), part.ids.begin(), part.ids.end());
      for (int64_t s : part.starts)
        out.starts.push_back(s + at);
    }
  }
  // The synapse rows, drawn as initSynapses draws them, on the threads.
  size_t n = out.cols.size(), nRows = spec.synRows.size();
  if (singleSynapses())
    out.syn32.resize(nRows * n);
  else
    out.syn.resize(nRows * n);
  for (size_t r = 0; r < nRows; ++r) {
    const InitSpec &init = spec.synInit[r];
    uint32_t stream = streams::synapseInit(uint32_t(j), uint32_t(r));
    parallelFor(pool.get(), int64_t(n), 4096, [&](int64_t begin, int64_t end) {
      for (int64_t q = begin; q < end; ++q) {
        double v = initValue(init, model.seed, stream, out.ids[size_t(q)]);
        if (singleSynapses())
          out.syn32[r * n + size_t(q)] = float(v);
        else
          out.syn[r * n + size_t(q)] = v;
      }
    });
  }
}

bool neuro::rt::detail::drawnPerSource(const ProjectionSpec &spec) {
  bool rule = spec.rule == ProjectionSpec::FixedProbability ||
              spec.rule == ProjectionSpec::FixedOutDegree ||
              spec.rule == ProjectionSpec::OneToOne;
  if (!rule || spec.synInitFn || spec.delayFromInit)
    return false;
  for (const InitSpec &init : spec.synInit)
    if (init.kind == InitSpec::Timed)
      return false;
  return true;
}

//===- CheckFinite.cpp - Stopping a run that goes numerically wrong -------===//
//
// After each batch of steps the Simulator scans the rows the kernels write
// (neuron states, and per-synapse variables that change) and stops at the
// first NaN or infinity with the population or projection, the neuron or
// synapse, the variable and the time; propagators are checked once built.
// A recorded let is not a state: it is recorded as it is, NaN included (as
// Brian2 records a subexpression), and stops nothing while the states it
// is computed from stay finite.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Network.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

using namespace neuro::rt;

namespace {
/// A row of double or (single precision) float values, read as doubles.
struct RowValues {
  const double *d = nullptr;
  const float *f = nullptr;
  double operator[](int64_t i) const { return f ? double(f[i]) : d[i]; }
};
} // namespace

bool Network::checkFinite(double time, std::string &err,
                          bool constantSynapses) const {
  // The rows the kernels update.
  auto rowOf = [&](const AlignedVector<double> &d,
                   const AlignedVector<float> &f, int64_t offset, bool narrow) {
    return narrow ? RowValues{nullptr, f.data() + offset}
                  : RowValues{d.data() + offset, nullptr};
  };
  // The first neuron gone wrong; reported after the synapses are looked
  // at too (a weight a rule drove to inf makes its targets' v NaN).
  std::string neuronErr = [&]() -> std::string {
    for (size_t p = 0; p < pops.size(); ++p) {
      const PopulationSpec &spec = model.populations[p];
      // The neuron's other variables gone wrong by the check (a NaN spreads
      // from where it arose to what reads it within a step or two).
      auto alsoNotFinite = [&](size_t r, int64_t i) {
        std::string others;
        for (size_t q = 0; q < spec.rows.size(); ++q)
          if (q != r && !spec.rows[q].empty() && spec.rows[q][0] != '_' &&
              !spec.isSampled(spec.rows[q]) &&
              !std::isfinite(rowOf(pops[p].state, pops[p].state32,
                                   int64_t(q) * pops[p].rowWidth, single())[i]))
            others += (others.empty() ? "'" : ", '") + spec.rows[q] + "'";
        return others.empty() ? std::string()
                              : " (also not finite there: " + others + ")";
      };
      for (size_t r = 0; r < spec.rows.size(); ++r) {
        const std::string &row = spec.rows[r];
        if ((!row.empty() && row[0] == '_') || spec.isSampled(row))
          continue;
        // The neurons whose rows this process keeps (all, or its own).
        const Population &pop = pops[p];
        RowValues values =
            rowOf(pop.state, pop.state32, int64_t(r) * pop.rowWidth, single());
        for (int64_t i = 0; i < pop.rowWidth; ++i) {
          if (std::isfinite(values[i]))
            continue;
          char buf[64];
          std::snprintf(buf, sizeof(buf), "%g", time);
          return "numerical error: population '" + spec.name + "', neuron " +
                 std::to_string(pop.rowBegin + i) + ", variable '" + row +
                 "' is " + (std::isnan(values[i]) ? "nan" : "inf") +
                 " at t = " + buf + " s" + alsoNotFinite(r, i);
        }
      }
    }
    return {};
  }();
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Projection &proj = projs[j];
    if (!spec.synapsesWritten && !constantSynapses)
      continue;
    int64_t nSyn = proj.csr.numSynapses();
    for (size_t r = 0; r < spec.synRows.size(); ++r) {
      const std::string &row = spec.synRows[r];
      if (!row.empty() && row[0] == '_')
        continue;
      RowValues values =
          rowOf(proj.syn, proj.syn32, int64_t(r) * nSyn, singleSynapses());
      // Dale's law for finite weights (an infinite one is a numerical
      // error), looked for while no neuron has gone wrong.
      auto wrong = [&](int64_t s) {
        return neuronErr.empty() && int(r) == spec.weightRow &&
               std::isfinite(values[s]) &&
               (spec.sign > 0   ? values[s] < 0
                : spec.sign < 0 ? values[s] > 0
                                : false);
      };
      // The first synapse that fails, over blocks on the pool's threads.
      std::vector<int64_t> blocks = splitRange(pool.get(), nSyn, 1 << 16);
      std::vector<int64_t> firstBad(blocks.size(), nSyn);
      runTasks(pool.get(), int64_t(blocks.size()) - 1, [&](int64_t b) {
        for (int64_t s = blocks[size_t(b)]; s < blocks[size_t(b) + 1]; ++s)
          if (!std::isfinite(values[s]) || wrong(s)) {
            firstBad[size_t(b)] = s;
            return;
          }
      });
      int64_t s = *std::min_element(firstBad.begin(), firstBad.end());
      if (s == nSyn)
        continue;
      bool wrongSign = wrong(s);
      // The source of synapse s: the row of its delay group holding it.
      int64_t source = Network::synapseSource(proj, s);
      // Over several processes a synapse's index here is not the whole
      // projection's: it is named by its ends only.
      std::string synapse =
          dist ? "a synapse (" : "synapse " + std::to_string(s) + " (";
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%g", time);
      if (wrongSign) {
        char value[64];
        std::snprintf(value, sizeof(value), "%g", values[s]);
        const std::string unit =
            r < spec.synUnits.size() && spec.synUnits[r] != "1"
                ? " " + spec.synUnits[r]
                : "";
        err = "Dale's law: projection '" + spec.name + "', " + synapse +
              "neuron " + std::to_string(source) + " of '" +
              model.populations[size_t(spec.src)].name + "' -> neuron " +
              std::to_string(proj.csr.cols[size_t(s)]) + " of '" +
              model.populations[size_t(spec.dst)].name + "'), weight '" + row +
              "' is " + value + unit + " at t = " + buf + " s, but '" +
              model.populations[size_t(spec.src)].name + "' is " +
              (spec.sign > 0 ? "excitatory" : "inhibitory");
        return false;
      }
      std::string where =
          "projection '" + spec.name + "', " + synapse + "neuron " +
          std::to_string(source) + " of '" +
          model.populations[size_t(spec.src)].name + "' -> neuron " +
          std::to_string(proj.csr.cols[size_t(s)]) + " of '" +
          model.populations[size_t(spec.dst)].name + "'), variable '" + row +
          "' is " + (std::isnan(values[s]) ? "nan" : "inf");
      err = neuronErr.empty()
                ? "numerical error: " + where + " at t = " + buf + " s"
                : neuronErr + "; not finite either: " + where;
      return false;
    }
  }
  err = neuronErr;
  return neuronErr.empty();
}

bool Network::checkPropagators(std::string &err) const {
  // Rows _P<k>_<j> / _Q<k>_<j> hold exact propagators per neuron.
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    for (size_t r = 0; r < spec.rows.size(); ++r) {
      const std::string &row = spec.rows[r];
      if (row.size() < 3 || row[0] != '_' || (row[1] != 'P' && row[1] != 'Q') ||
          !std::isdigit(static_cast<unsigned char>(row[2])))
        continue;
      const Population &pop = pops[p];
      const double *values = pop.state.data() + int64_t(r) * pop.rowWidth;
      for (int64_t i = 0; i < pop.rowWidth; ++i)
        if (!std::isfinite(values[i])) {
          err = "population '" + spec.name + "', neuron " +
                std::to_string(pop.rowBegin + i) +
                ": the exact propagator of its equations is not finite; "
                "check its per-neuron parameters (a time constant of 0?)";
          return false;
        }
    }
  }
  return true;
}

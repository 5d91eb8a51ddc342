//===- Validate.cpp - Checks of a ModelSpec before it is built ------------===//
//
// Network::validate: everything a ModelSpec says is checked before any
// memory is allocated (names, sizes, rows and their initial values,
// indices, slices, fixed degrees, delays, kernels present, recordings), so
// that a hand-written or damaged spec gives a message, never a crash.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Procedural.h"
#include "neuro/Runtime/Streams.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

using namespace neuro::rt;

namespace {

/// Checks one InitSpec; `what` names the row in messages.
bool validateInit(const InitSpec &init, const std::string &what,
                  std::string &err) {
  if (init.kind == InitSpec::Constant)
    return true;
  if (init.kind == InitSpec::Timed) {
    if (init.values && !init.values->empty() && init.every >= 1 &&
        init.columns >= 1 && init.values->size() % size_t(init.columns) == 0)
      return true;
    err = what + ": invalid table of timed values";
    return false;
  }
  if (init.kind == InitSpec::Normal) {
    if (std::isfinite(init.a) && std::isfinite(init.b) && init.b >= 0)
      return true;
    char buf[128];
    std::snprintf(buf, sizeof(buf), "normal(%g, %g)", init.a, init.b);
    err = what + ": invalid " + buf;
    return false;
  }
  if (init.kind != InitSpec::Uniform) {
    err = what + ": unknown init kind " + std::to_string(int(init.kind));
    return false;
  }
  if (!std::isfinite(init.a) || !std::isfinite(init.b) || init.a > init.b) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "uniform(%g, %g)", init.a, init.b);
    err = what + ": invalid " + buf;
    return false;
  }
  return true;
}

/// Checks a list of row names against its inits; `owner` prefixes messages.
bool validateRows(const std::vector<std::string> &rows,
                  const std::vector<InitSpec> &init, const std::string &owner,
                  std::string &err) {
  if (rows.size() != init.size()) {
    err = owner + ": " + std::to_string(init.size()) + " initializers for " +
          std::to_string(rows.size()) + " rows";
    return false;
  }
  if (int64_t(rows.size()) > streams::kMaxRows) {
    err = owner + ": " + std::to_string(rows.size()) + " rows, at most " +
          std::to_string(streams::kMaxRows) + " are supported";
    return false;
  }
  std::set<std::string> seen;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].empty()) {
      err = owner + ": row " + std::to_string(r) + " has no name";
      return false;
    }
    if (!seen.insert(rows[r]).second) {
      err = owner + ": duplicate row '" + rows[r] + "'";
      return false;
    }
    if (!validateInit(init[r], owner + ", row '" + rows[r] + "'", err))
      return false;
  }
  return true;
}

/// Checks population `p`; `names` collects the names seen so far.
bool validatePopulation(const ModelSpec &model, int64_t p,
                        std::set<std::string> &popNames, std::string &err) {
  const PopulationSpec &pop = model.populations[size_t(p)];
  std::string owner = "population " + std::to_string(p);
  if (pop.name.empty()) {
    err = owner + " has no name";
    return false;
  }
  // The name becomes part of output file names.
  if (pop.name.find_first_of("/\\") != std::string::npos ||
      pop.name.find('\0') != std::string::npos || pop.name == "." ||
      pop.name == "..") {
    err = owner + ": invalid name '" + pop.name + "'";
    return false;
  }
  owner = "population '" + pop.name + "'";
  if (!popNames.insert(pop.name).second) {
    err = "duplicate population name '" + pop.name + "'";
    return false;
  }
  if (pop.size <= 0 || pop.size > std::numeric_limits<int32_t>::max()) {
    err = owner + ": invalid size " + std::to_string(pop.size);
    return false;
  }
  if (!validateRows(pop.rows, pop.init, owner, err))
    return false;
  for (int64_t n : pop.ablated)
    if (n < 0 || n >= pop.size) {
      err = owner + ": ablated neuron " + std::to_string(n) + " out of range";
      return false;
    }
  for (const InitSpec &init : pop.init)
    if (init.kind == InitSpec::Timed && init.columns != 1 &&
        init.columns != pop.size) {
      err = owner + ": timed values need 1 column or " +
            std::to_string(pop.size) + ", have " + std::to_string(init.columns);
      return false;
    }
  if (pop.generator) {
    if (pop.schedulePeriod < 0) {
      err = owner + ": negative spike period";
      return false;
    }
    for (auto &[step, index] : pop.schedule)
      if (index < 0 || index >= pop.size || step < 0 ||
          (pop.schedulePeriod > 0 && step >= pop.schedulePeriod)) {
        err = owner + ": scheduled spike of neuron " + std::to_string(index) +
              " at step " + std::to_string(step) + " out of range";
        return false;
      }
    // Sorted (a pair listed twice is two spikes).
    if (!std::is_sorted(pop.schedule.begin(), pop.schedule.end())) {
      err = owner + ": scheduled spikes are not sorted by step";
      return false;
    }
  } else if (!pop.step) {
    err = owner + ": no step kernel";
    return false;
  }
  return true;
}

/// Checks projection `j`; `names` collects the names seen so far.
bool validateProjection(const ModelSpec &model, int64_t j,
                        std::set<std::string> &projNames, std::string &err) {
  int64_t nPops = int64_t(model.populations.size());
  const ProjectionSpec &proj = model.projections[size_t(j)];
  std::string owner = proj.name.empty() ? "projection " + std::to_string(j)
                                        : "projection '" + proj.name + "'";
  if (!proj.name.empty() && !projNames.insert(proj.name).second) {
    err = "duplicate projection name '" + proj.name + "'";
    return false;
  }
  if (proj.src < 0 || proj.src >= nPops) {
    err = owner + ": source population index " + std::to_string(proj.src) +
          " out of range (" + std::to_string(nPops) + " populations)";
    return false;
  }
  if (proj.dst < 0 || proj.dst >= nPops) {
    err = owner + ": target population index " + std::to_string(proj.dst) +
          " out of range (" + std::to_string(nPops) + " populations)";
    return false;
  }
  if (proj.multiplicity < 1 || proj.multiplicity > 10000) {
    err = owner + ": " + std::to_string(proj.multiplicity) +
          " synapses per pair (1 to 10000)";
    return false;
  }
  if (!(proj.p >= 0.0 && proj.p <= 1.0)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", proj.p);
    err = owner + ": connection probability " + buf + " not in [0, 1]";
    return false;
  }
  if (proj.delaySteps < 0 || proj.delaySteps > Network::kMaxDelaySteps) {
    err = owner + ": delay of " + std::to_string(proj.delaySteps) +
          " steps not in [0, " + std::to_string(Network::kMaxDelaySteps) + "]";
    return false;
  }
  if (proj.heterogeneousDelay &&
      !validateInit(proj.delayInit, owner + ", delays", err))
    return false;
  {
    int64_t srcSize = model.populations[size_t(proj.src)].size;
    int64_t dstSize = model.populations[size_t(proj.dst)].size;
    int64_t se = model.srcEndOf(proj), de = model.dstEndOf(proj);
    if (proj.srcBegin < 0 || se <= proj.srcBegin || se > srcSize ||
        proj.dstBegin < 0 || de <= proj.dstBegin || de > dstSize) {
      err = owner + ": source or target slice out of range";
      return false;
    }
    bool shared = proj.src == proj.dst &&
                  slicesOverlap(proj.srcBegin, se, proj.dstBegin, de);
    bool in = proj.rule == ProjectionSpec::FixedInDegree;
    if ((in || proj.rule == ProjectionSpec::FixedOutDegree) &&
        !checkFixedDegree(in, proj.degree, se - proj.srcBegin,
                          de - proj.dstBegin, proj.allowAutapses || !shared,
                          err)) {
      err = owner + ": " + err;
      return false;
    }
    // one_to_one pairs the k-th source with the k-th target: with the same
    // neurons on both sides every pair is an autapse.
    if (proj.rule == ProjectionSpec::OneToOne && !proj.allowAutapses &&
        proj.src == proj.dst && proj.srcBegin == proj.dstBegin) {
      err = owner +
            ": one_to_one connects each neuron to itself, which no_autapses "
            "forbids: no synapse would be made";
      return false;
    }
  }
  if (!validateRows(proj.synRows, proj.synInit, owner, err))
    return false;
  for (const InitSpec &init : proj.synInit)
    if (init.kind == InitSpec::Timed) {
      err = owner + ": synapse variables cannot follow timed values";
      return false;
    }
  if (!proj.deliver) {
    err = owner + ": no deliver kernel";
    return false;
  }
  if (proj.rule == ProjectionSpec::Expression && !proj.connect) {
    err = owner + ": no connection kernel";
    return false;
  }
  if (proj.rule == ProjectionSpec::FromFile && proj.file.empty()) {
    err = owner + ": no file of synapses";
    return false;
  }
  for (const ProjectionSpec::Modulator &m : proj.modulators) {
    if (m.population < 0 || m.population >= nPops || m.row < 0 ||
        size_t(m.row) >= model.populations[size_t(m.population)].rows.size()) {
      err = owner + ": modulator source out of range";
      return false;
    }
  }
  return true;
}

/// Checks the plasticity switches and the spike and state recordings.
bool validateRecords(const ModelSpec &model, std::string &err) {
  int64_t nPops = int64_t(model.populations.size());
  for (const ModelSpec::PlasticSwitch &sw : model.plasticSwitches)
    if (sw.projection < 0 ||
        size_t(sw.projection) >= model.projections.size() || sw.step < 0) {
      err = "plasticity switch: projection or step out of range";
      return false;
    }
  for (size_t r = 0; r < model.records.size(); ++r) {
    int pop = model.records[r].population;
    if (pop < 0 || pop >= nPops) {
      err = "record " + std::to_string(r) + ": population index " +
            std::to_string(pop) + " out of range (" + std::to_string(nPops) +
            " populations)";
      return false;
    }
    const RecordSpec &rec = model.records[r];
    int64_t size = model.populations[size_t(pop)].size;
    int64_t end = rec.end == -1 ? size : rec.end;
    if (rec.begin < 0 || end <= rec.begin || end > size) {
      err = "record " + std::to_string(r) + ": neurons [" +
            std::to_string(rec.begin) + ", " + std::to_string(rec.end) +
            ") are not a range within the population's " + std::to_string(size);
      return false;
    }
    for (size_t q = 0; q < r; ++q) {
      const RecordSpec &other = model.records[q];
      int64_t otherEnd = other.end == -1 ? size : other.end;
      if (other.population == pop &&
          (other.begin != rec.begin || otherEnd != end)) {
        err = "record " + std::to_string(r) + ": the spikes of '" +
              model.populations[size_t(pop)].name +
              "' are recorded for another range by record " +
              std::to_string(q) + " (one range per population)";
        return false;
      }
    }
  }
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    std::string owner = "state record " + std::to_string(r);
    size_t numRows = 0;
    if (rec.projection >= 0) {
      if (size_t(rec.projection) >= model.projections.size()) {
        err = owner + ": projection out of range";
        return false;
      }
      numRows = model.projections[size_t(rec.projection)].synRows.size();
      if (rec.begin < 0 || (rec.end != -1 && rec.end <= rec.begin)) {
        err = owner + ": invalid synapse range";
        return false;
      }
    } else {
      if (rec.population < 0 || int64_t(rec.population) >= nPops) {
        err = owner + ": population out of range";
        return false;
      }
      const PopulationSpec &pop = model.populations[size_t(rec.population)];
      numRows = pop.rows.size();
      if (rec.begin < 0 || rec.end <= rec.begin || rec.end > pop.size) {
        err = owner + ": invalid neuron range";
        return false;
      }
    }
    if (rec.every < 1 || rec.rows.empty()) {
      err = owner + ": invalid interval or no rows";
      return false;
    }
    for (int row : rec.rows)
      if (row < 0 || size_t(row) >= numRows) {
        err = owner + ": row " + std::to_string(row) + " out of range";
        return false;
      }
  }
  return true;
}

} // namespace

bool Network::validate(std::string &err) const {
  if (!(model.dt > 0) || !std::isfinite(model.dt)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", model.dt);
    err = std::string("invalid dt ") + buf + " s: must be positive and finite";
    return false;
  }
  if (model.steps < 0) {
    err = "invalid number of steps " + std::to_string(model.steps);
    return false;
  }
  int64_t nPops = int64_t(model.populations.size());
  int64_t nProjs = int64_t(model.projections.size());
  if (nPops > streams::kMaxObjects || nProjs > streams::kMaxObjects) {
    err = "too many populations or projections (at most " +
          std::to_string(streams::kMaxObjects) + " each)";
    return false;
  }
  std::set<std::string> popNames;
  for (int64_t p = 0; p < nPops; ++p)
    if (!validatePopulation(model, p, popNames, err))
      return false;
  std::set<std::string> projNames;
  for (int64_t j = 0; j < nProjs; ++j)
    if (!validateProjection(model, j, projNames, err))
      return false;
  if (!validateRecords(model, err))
    return false;
  for (size_t j = 0; j < size_t(nProjs); ++j) {
    std::string why = model.projections[j].procedural
                          ? proceduralBlocker(model, j)
                          : std::string();
    if (!why.empty()) {
      err = "projection '" + model.projections[j].name +
            "' cannot be procedural: " + why;
      return false;
    }
  }
  return true;
}

//===- CApi.cpp - The C API of shared libraries built by neuroc build -----===//
//
// `neuroc build --shared` links this with the kernels and the generated
// neuroAotModel() into a shared library; the generated header declares
// these functions (see emitCHeader in codegen/lib/Driver/AOT.cpp). Every
// function reports failure by its return value and keeps the message for
// neuro_error(); none throws.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

const neuro::rt::ModelSpec &neuroAotModel();

struct neuro_sim {
  std::unique_ptr<neuro::rt::Simulator> sim;
  std::string error;
};

namespace {

/// The row of "POP.VAR" or "PROJ.VAR": its values and count, or null;
/// `pop` and `row` say which population row it is (-1: a synapse row).
double *lookup(neuro_sim *s, const char *name, int64_t &count,
               int *pop = nullptr, int *row = nullptr) {
  std::string text = name ? name : "";
  auto dot = text.find('.');
  if (dot == std::string::npos) {
    s->error = neuro::rt::quoted(text) + " is not POP.VAR";
    return nullptr;
  }
  std::string owner = text.substr(0, dot), var = text.substr(dot + 1);
  neuro::rt::Simulator &sim = *s->sim;
  if (int p = sim.populationIndex(owner); p >= 0) {
    int r = sim.rowIndex(p, var);
    if (r >= 0) {
      neuro::rt::StateView v = sim.state(p);
      count = v.cols;
      if (pop && row) {
        *pop = p;
        *row = r;
      }
      return v.row(r);
    }
  } else if (int j = sim.projectionIndex(owner); j >= 0) {
    if (!sim.checkStored(j, s->error))
      return nullptr;
    int r = sim.synRowIndex(j, var);
    if (r >= 0) {
      neuro::rt::StateView v = sim.synapseState(j);
      count = v.cols;
      return v.row(r);
    }
  } else {
    s->error = "no population or projection '" + owner + "'";
    return nullptr;
  }
  s->error = "'" + owner + "' has no variable '" + var + "'";
  return nullptr;
}

/// The row of `name` when it holds exactly `n` values, else null (with the
/// reason in s->error).
double *rowOfSize(neuro_sim *s, const char *name, int64_t n, int *pop = nullptr,
                  int *row = nullptr) {
  if (!s || !s->sim)
    return nullptr;
  int64_t count = 0;
  double *data = lookup(s, name, count, pop, row);
  if (data && n != count) {
    s->error = std::string(name) + " has " + std::to_string(count) +
               " values, not " + std::to_string(n);
    return nullptr;
  }
  return data;
}

} // namespace

extern "C" {

neuro_sim *neuro_create(uint64_t seed, int threads) {
  auto s = std::make_unique<neuro_sim>();
  try {
    neuro::rt::ModelSpec spec = neuroAotModel();
    spec.seed = seed;
    s->sim = std::make_unique<neuro::rt::Simulator>(std::move(spec));
    s->sim->setThreads(threads > 0 ? unsigned(threads) : 0);
    if (!s->sim->build(s->error))
      s->sim.reset();
  } catch (const std::exception &e) {
    s->error = e.what();
    s->sim.reset();
  }
  return s.release();
}

const char *neuro_error(const neuro_sim *s) {
  return s ? s->error.c_str() : "no simulator";
}

int neuro_run(neuro_sim *s, double seconds) {
  if (!s || !s->sim)
    return -1;
  int64_t steps = 0;
  if (!s->sim->stepsFor(seconds, steps, s->error))
    return -1;
  return s->sim->run(steps, s->error) ? 0 : -1;
}

double neuro_time(const neuro_sim *s) {
  return s && s->sim ? s->sim->currentTime() : 0.0;
}

int64_t neuro_count(neuro_sim *s, const char *name) {
  if (!s || !s->sim)
    return -1;
  int64_t n = 0;
  return lookup(s, name, n) ? n : -1;
}

int neuro_get(neuro_sim *s, const char *name, double *out, int64_t n) {
  double *data = rowOfSize(s, name, n);
  if (!data)
    return -1;
  if (!out && n > 0) {
    s->error = "neuro_get: the buffer for " + std::string(name) + " is NULL";
    return -1;
  }
  if (n > 0)
    std::memcpy(out, data, size_t(n) * sizeof(double));
  return 0;
}

int neuro_set(neuro_sim *s, const char *name, const double *values, int64_t n) {
  int pop = -1, row = -1;
  double *data = rowOfSize(s, name, n, &pop, &row);
  if (!data)
    return -1;
  if (!values && n > 0) {
    s->error = "neuro_set: the values for " + std::string(name) + " are NULL";
    return -1;
  }
  auto write = [&] {
    if (n > 0)
      std::memcpy(data, values, size_t(n) * sizeof(double));
  };
  // What is computed from a parameter follows it (propagators, derived
  // parameters); values it cannot follow are not kept.
  if (pop < 0)
    write();
  else if (!s->sim->changeRow(pop, row, write, s->error))
    return -1;
  return 0;
}

int64_t neuro_spike_count(neuro_sim *s, const char *population) {
  if (!s || !s->sim)
    return -1;
  int p = s->sim->populationIndex(population ? population : "");
  if (p < 0) {
    s->error =
        std::string("no population '") + (population ? population : "") + "'";
    return -1;
  }
  return s->sim->spikeCount(p);
}

int neuro_checkpoint(neuro_sim *s, const char *path) {
  if (!s || !s->sim)
    return -1;
  return s->sim->saveCheckpoint(path ? path : "", s->error) ? 0 : -1;
}

int neuro_restore(neuro_sim *s, const char *path) {
  if (!s || !s->sim)
    return -1;
  return s->sim->restoreCheckpoint(path ? path : "", s->error) ? 0 : -1;
}

void neuro_destroy(neuro_sim *s) { delete s; }

} // extern "C"

//===- Simulation.cpp - neuro._core: running a compiled model -------------===//
//
// rt::Simulator for Python: built from a Model's spec with the run options
// of `neuroc run` (seed, threads, --set values, connection probabilities),
// run in slices of steps so that Ctrl-C stops it at a step, its state and
// synapse rows as numpy arrays that share the simulator's memory, spikes
// and recordings as numpy arrays, files and checkpoints.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"

#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Units.h"

#include "cuda/Backend.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

namespace py = pybind11;
using namespace neuro;
using namespace neuro::python;

namespace {

rt::Simulator &built(Simulation &s) {
  if (s.running)
    throwRuntime("the simulation is running in another thread: use it "
                 "there, or after its run() returns");
  return *s.sim;
}

/// Refuses other threads' calls while it lives (built() raises for them):
/// around what releases the GIL or calls back into Python.
struct Busy {
  std::atomic<bool> &flag;
  explicit Busy(std::atomic<bool> &f) : flag(f) { flag = true; }
  ~Busy() { flag = false; }
  Busy(const Busy &) = delete;
  Busy &operator=(const Busy &) = delete;
};

/// The files the model read (tables, replayed spikes), which no recording
/// may replace.
std::vector<std::string> modelInputs(Simulation &s) {
  return s.model->compiled->compiler().readFiles({});
}

int population(const rt::Simulator &sim, const std::string &name) {
  int p = sim.populationIndex(name);
  if (p < 0)
    throwValue("no population '" + name + "'");
  return p;
}

int projection(const rt::Simulator &sim, const std::string &name) {
  int j = sim.projectionIndex(name);
  if (j < 0)
    throwValue("no projection '" + name + "'");
  return j;
}

/// Reading the synapses of procedural projection `j` is an error.
void refuseProcedural(const rt::Simulator &sim, int j) {
  std::string err;
  if (!sim.checkStored(j, err))
    throwValue(err);
}

/// A [rows][cols] float64 array over `view`'s memory; the capsule keeps
/// the simulator alive while the array lives.
py::array rowsArray(const std::shared_ptr<rt::Simulator> &sim,
                    rt::StateView view) {
  auto *keep = new std::shared_ptr<rt::Simulator>(sim);
  py::capsule owner(keep, [](void *p) {
    delete static_cast<std::shared_ptr<rt::Simulator> *>(p);
  });
  return py::array_t<double>(
      {view.rows, view.cols},
      {view.cols * int64_t(sizeof(double)), int64_t(sizeof(double))}, view.data,
      owner);
}

/// Sets the connection rule's number (`p`, `in_degree`, `out_degree`) of
/// projection `name` in `spec`.
void setRule(rt::ModelSpec &spec, const std::string &name,
             const std::string &key, double value) {
  for (rt::ProjectionSpec &p : spec.projections) {
    if (p.name != name)
      continue;
    using R = rt::ProjectionSpec;
    if (key == "p" && p.rule == R::FixedProbability && !p.connect) {
      if (!(value >= 0 && value <= 1))
        throwValue("'" + name + ".p' must lie in [0, 1]");
      p.p = value;
      return;
    }
    bool in = key == "in_degree" && p.rule == R::FixedInDegree;
    bool out = key == "out_degree" && p.rule == R::FixedOutDegree;
    if (in || out) {
      if (!(value >= 0) || value != double(int64_t(value)))
        throwValue("'" + name + "." + key + "' must be a whole number >= 0");
      p.degree = int64_t(value);
      return;
    }
    throwValue("projection '" + name + "' has no rule '" + key +
               "' to change (a constant p, in_degree or out_degree of the "
               "same rule can be)");
  }
  throwValue("no projection '" + name + "'");
}

/// Attaches the model's device (its target's) to `s`'s simulator, as
/// neuroc does: the GPU backend's variables are read from the environment.
/// The device takes the network's state in its current step.
void attachDevice(Simulation &s) {
  std::string err;
  rt::cuda::DeviceOptions deviceOptions;
  for (const char *var : rt::cuda::DeviceOptions::kVariables)
    if (!deviceOptions.set(var, std::getenv(var), err))
      throwValue(err);
  std::optional<std::string> device =
      s.model->compiled->attach(*s.sim, deviceOptions, err);
  if (!device && !err.empty())
    throwRuntime(err);
}

/// Builds `sim` on a thread of its own while this one checks for Ctrl-C
/// (and other signals) ten times a second: a KeyboardInterrupt stops the
/// build at its next check and is raised. Without a thread to spare, the
/// build runs here, without the checks.
bool buildInterruptibly(rt::Simulator &sim, std::string &err) {
  std::atomic<bool> stop{false};
  bool done = false, ok = false, interrupted = false;
  std::exception_ptr failure;
  std::mutex m;
  std::condition_variable cv;
  struct Detach {
    rt::Simulator &sim;
    ~Detach() { sim.setBuildInterrupt(nullptr); }
  } detach{sim};
  sim.setBuildInterrupt(&stop);
  {
    py::gil_scoped_release release;
    std::thread worker;
    try {
      worker = std::thread([&] {
        try {
          ok = sim.build(err);
        } catch (...) {
          failure = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_one();
      });
    } catch (const std::system_error &) {
      sim.setBuildInterrupt(nullptr);
      return sim.build(err);
    }
    std::unique_lock<std::mutex> lock(m);
    while (!done) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      if (done || interrupted)
        continue;
      lock.unlock();
      {
        py::gil_scoped_acquire acquire;
        if (PyErr_CheckSignals() != 0) {
          interrupted = true;
          stop = true;
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (interrupted)
    throw py::error_already_set();
  if (failure)
    std::rethrow_exception(failure);
  return ok;
}

std::shared_ptr<Simulation> makeSimulation(
    const std::shared_ptr<Model> &model, std::optional<uint64_t> seed,
    unsigned threads,
    const std::vector<std::pair<std::string, std::string>> &sets,
    const std::map<std::string, std::map<std::string, double>> &rules) {
  if (!model || !model->compiled)
    throw py::type_error("a Simulation needs a compiled model "
                         "(neuro.compile(...))");
  rt::ModelSpec spec = model->compiled->spec();
  if (seed)
    spec.seed = *seed;
  // What a simulation cannot set, the model is compiled with (the
  // arguments of neuro.compile, not neuroc's flags).
  rt::SetAdvice advice;
  advice.compileIn = "overrides={'NAME': VALUE} in neuro.compile()";
  advice.tunable = "tunable=['NAME'] in neuro.compile()";
  advice.buildSet = advice.compileIn;
  for (const auto &[name, value] : sets) {
    // A name the population's model does not have at all: say so, not
    // that it could be made tunable.
    if (auto dot = name.find('.'); dot != std::string::npos) {
      std::string pop = name.substr(0, dot), var = name.substr(dot + 1);
      for (const rt::PopulationSpec &p : spec.populations) {
        if (p.name != pop || p.generator ||
            std::find(p.rows.begin(), p.rows.end(), var) != p.rows.end())
          continue;
        std::vector<std::string> params =
            model->compiled->compiler().modelParameters(spec.name, pop);
        if (std::find(params.begin(), params.end(), var) == params.end())
          throwValue("'" + pop + "' has no variable '" + var +
                     "' (set= takes its states and parameters)");
      }
    }
    std::string err;
    if (!rt::applySet(spec, name, value, err, advice))
      throwValue(err);
  }
  for (const auto &[name, keys] : rules)
    for (const auto &[key, value] : keys)
      setRule(spec, name, key, value);
  // As `neuroc run --threads`: no more than the hardware has (or
  // NEURO_MAX_THREADS), with a warning.
  unsigned most = rt::RunEnvironment::read().maxThreads;
  if (threads > most) {
    std::string note = "threads=" + std::to_string(threads) +
                       " is more than the " + std::to_string(most) +
                       " threads a run may use here (the hardware threads, or "
                       "NEURO_MAX_THREADS); running on " +
                       std::to_string(most);
    if (PyErr_WarnEx(PyExc_RuntimeWarning, note.c_str(), 1) != 0)
      throw py::error_already_set();
    threads = most;
  }
  auto s = std::make_shared<Simulation>();
  s->model = model;
  s->sim = std::make_shared<rt::Simulator>(std::move(spec));
  s->sim->setThreads(threads);
  std::string err;
  bool ok = buildInterruptibly(*s->sim, err);
  if (!ok) {
    // At the declaration that gave the value, when the message names one;
    // the model's own diagnostics stay as the compilation left them.
    std::string &located = model->locatedBuildErrors[err];
    std::string &text = model->diagText;
    size_t before = text.size();
    if (located.empty() && model->compiled->reportBuildError(err)) {
      model->diagnostics->flush();
      located = llvm::StringRef(text).substr(before).rtrim().str();
      text.resize(before);
    }
    throwRuntime(located.empty() ? "building the network failed: " + err
                                 : located);
  }
  attachDevice(*s);
  return s;
}

/// Runs `steps` steps in slices of about a tenth of a second, checking for
/// Ctrl-C (and other signals) between them; a KeyboardInterrupt leaves the
/// simulation at the step it reached.
void runSteps(Simulation &s, int64_t steps) {
  rt::Simulator &sim = built(s);
  if (steps < 0)
    throwValue("cannot run a negative number of steps");
  // The whole run's end, not a slice's, against float32 steps.
  if (std::string err; !sim.checkStepLimit(sim.currentStep() + steps, err))
    throwRuntime(err);
  // From one step: a step may take seconds (a large network), and Ctrl-C
  // waits for the slice.
  int64_t slice = 1;
  while (steps > 0) {
    int64_t n = std::min(slice, steps);
    std::string err;
    bool ok;
    auto start = std::chrono::steady_clock::now();
    {
      // built() refused a second run while the GIL was held; from here
      // until the flag clears (with the GIL held again), so do the other
      // threads' calls.
      Busy running(s.running);
      py::gil_scoped_release release;
      ok = sim.run(n, err);
    }
    if (!ok)
      throwRuntime(err);
    steps -= n;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (PyErr_CheckSignals() != 0)
      throw py::error_already_set();
    // Aim at slices of 0.1 s of wall time.
    if (seconds < 0.05)
      slice = std::min<int64_t>(slice * 2, int64_t(1) << 30);
    else if (seconds > 0.2)
      slice = std::max<int64_t>(1, int64_t(double(slice) * 0.1 / seconds));
  }
}

py::tuple spikes(Simulation &s, const std::string &name) {
  rt::Simulator &sim = built(s);
  int p = population(sim, name);
  if (!sim.isRecorded(p))
    throwValue("the spikes of '" + name +
               "' are not recorded (record_spikes(\"" + name + "\"))");
  const std::vector<rt::SpikeRecord> &list = sim.spikes(p);
  py::array_t<int32_t> i(py::ssize_t(list.size()));
  py::array_t<double> t(py::ssize_t(list.size()));
  auto iv = i.mutable_unchecked<1>();
  auto tv = t.mutable_unchecked<1>();
  for (size_t k = 0; k < list.size(); ++k) {
    iv(py::ssize_t(k)) = list[k].i;
    tv(py::ssize_t(k)) = list[k].t;
  }
  return py::make_tuple(i, t);
}

/// State recording `rec`: its times and [samples][vars][columns] values.
py::tuple recording(Simulation &s, int rec) {
  rt::Simulator &sim = built(s);
  const rt::ModelSpec &spec = sim.spec();
  if (rec < 0 || size_t(rec) >= spec.stateRecords.size())
    throwValue("no state recording " + std::to_string(rec));
  const std::vector<double> &times = sim.stateSampleTimes(rec);
  const std::vector<double> &values = sim.stateSamples(rec);
  int64_t samples = int64_t(times.size());
  int64_t vars = int64_t(spec.stateRecords[size_t(rec)].rows.size());
  // Samples streamed out leave none here, with the recording's width.
  int64_t cols = samples && vars ? int64_t(values.size()) / (samples * vars)
                                 : sim.stateSampleWidth(rec);
  py::array_t<double> t(samples, times.data());
  py::array_t<double> v({samples, vars, cols});
  std::copy(values.begin(), values.begin() + samples * vars * cols,
            v.mutable_data());
  return py::make_tuple(t, v);
}

py::list recordings(const rt::ModelSpec &spec) {
  py::list out;
  for (const rt::StateRecordSpec &r : spec.stateRecords) {
    py::dict d;
    bool syn = r.projection >= 0;
    const std::vector<std::string> &rows =
        syn ? spec.projections[size_t(r.projection)].synRows
            : spec.populations[size_t(r.population)].rows;
    d["owner"] = syn ? spec.projections[size_t(r.projection)].name
                     : spec.populations[size_t(r.population)].name;
    d["synapses"] = syn;
    py::list vars;
    for (int row : r.rows)
      vars.append(rows[size_t(row)]);
    d["vars"] = vars;
    d["begin"] = r.begin;
    d["end"] = r.end;
    d["every"] = r.every;
    out.append(d);
  }
  return out;
}

void record(Simulation &s, const std::string &owner,
            const std::vector<std::string> &vars, int64_t begin, int64_t end,
            int64_t every) {
  rt::Simulator &sim = built(s);
  rt::StateRecordSpec rec;
  int j = sim.projectionIndex(owner);
  rec.projection = j;
  rec.population =
      j >= 0 ? sim.spec().projections[size_t(j)].dst : population(sim, owner);
  for (const std::string &v : vars) {
    int r = j >= 0 ? sim.synRowIndex(j, v) : sim.rowIndex(rec.population, v);
    if (r < 0 || v[0] == '_')
      throwValue("'" + owner + "' has no variable '" + v + "'" +
                 (j >= 0 ? std::string()
                         : " (a let is computed for recording where the "
                           "model records it: `record " +
                               v + " of " + owner + "`)"));
    rec.rows.push_back(r);
  }
  int64_t size = j >= 0 ? sim.numSynapses(j)
                        : sim.spec().populations[size_t(rec.population)].size;
  rec.begin = begin;
  rec.end = end < 0 ? size : end;
  rec.every = every;
  std::string err;
  if (!sim.recordStates(rec, err))
    throwValue(err);
}

py::tuple connections(Simulation &s, const std::string &name) {
  rt::Simulator &sim = built(s);
  int j = projection(sim, name);
  refuseProcedural(sim, j);
  std::vector<int64_t> pre, post;
  sim.synapseEnds(j, pre, post);
  std::vector<int32_t> delays = sim.synapseDelays(j);
  py::array_t<int64_t> a(py::ssize_t(pre.size()), pre.data());
  py::array_t<int64_t> b(py::ssize_t(post.size()), post.data());
  py::array_t<double> d(py::ssize_t(delays.size()));
  for (size_t k = 0; k < delays.size(); ++k)
    d.mutable_at(py::ssize_t(k)) = double(delays[k]) * sim.spec().dt;
  return py::make_tuple(a, b, d);
}

void check(bool ok, const std::string &err) {
  if (!ok)
    throwRuntime(err);
}

/// Checkpoints hold the host's buffers: as `neuroc run`, only on the CPU.

} // namespace

void neuro::python::bindSimulation(py::module_ &m) {
  py::class_<Simulation, std::shared_ptr<Simulation>>(m, "Simulation")
      .def(py::init(&makeSimulation))
      .def("run_steps", &runSteps)
      .def_property_readonly(
          "step", [](Simulation &s) { return built(s).currentStep(); })
      .def_property_readonly(
          "t", [](Simulation &s) { return built(s).currentTime(); })
      .def_property_readonly("dt",
                             [](Simulation &s) { return built(s).spec().dt; })
      .def_property_readonly(
          "steps", [](Simulation &s) { return built(s).spec().steps; })
      .def_property_readonly("seed",
                             [](Simulation &s) { return built(s).spec().seed; })
      .def_property_readonly("threads",
                             [](Simulation &s) { return built(s).threads(); })
      .def("steps_to_run",
           [](Simulation &s, double seconds) {
             int64_t steps = 0;
             std::string err;
             if (!built(s).stepsFor(seconds, steps, err))
               throwValue(err);
             return steps;
           })
      .def("steps_for",
           [](Simulation &s, double seconds) {
             int64_t steps = 0;
             std::string err;
             if (!rt::durationSteps(seconds, built(s).spec().dt, steps, err))
               throwValue(err);
             return steps;
           })
      .def("state",
           [](Simulation &s, const std::string &pop) {
             rt::Simulator &sim = built(s);
             return rowsArray(s.sim, sim.state(population(sim, pop)));
           })
      .def("synapse_state",
           [](Simulation &s, const std::string &proj) {
             rt::Simulator &sim = built(s);
             int j = projection(sim, proj);
             refuseProcedural(sim, j);
             return rowsArray(s.sim, sim.synapseState(j));
           })
      .def("change_row",
           [](Simulation &s, const std::string &pop, int row,
              const py::function &write) {
             std::string err;
             rt::Simulator &sim = built(s);
             int p = population(sim, pop);
             bool ok;
             {
               // The write is Python's, which may let other threads run.
               Busy busy(s.running);
               ok = sim.changeRow(
                   p, row, [&] { write(); }, err);
             }
             check(ok, err);
           })
      .def("set_busy",
           [](Simulation &s, bool busy) {
             // While reset() builds the next network: this one refuses
             // other threads' calls.
             if (busy)
               built(s);
             s.running = busy;
           })
      .def("recent_spikes",
           [](Simulation &s, const std::string &pop) {
             rt::Simulator &sim = built(s);
             py::list lists;
             for (const std::vector<int32_t> &l :
                  sim.recentSpikes(population(sim, pop)))
               lists.append(
                   py::array_t<int32_t>(py::ssize_t(l.size()), l.data()));
             return lists;
           })
      .def("carry_spikes",
           [](Simulation &s, const std::string &pop,
              const std::vector<std::vector<int32_t>> &lists) {
             std::string err;
             rt::Simulator &sim = built(s);
             check(sim.carrySpikes(population(sim, pop), lists, err), err);
           })
      .def("spikes", &spikes)
      .def("spike_count",
           [](Simulation &s, const std::string &pop) {
             return built(s).spikeCount(population(*s.sim, pop));
           })
      .def("is_recorded",
           [](Simulation &s, const std::string &pop) {
             return built(s).isRecorded(population(*s.sim, pop));
           })
      .def(
          "record_spikes",
          [](Simulation &s, const std::string &pop, int64_t begin,
             int64_t end) {
            std::string err;
            if (!built(s).recordSpikes(
                    rt::RecordSpec{population(*s.sim, pop), begin, end}, err))
              throwValue(err);
          },
          py::arg("population"), py::arg("begin") = 0, py::arg("end") = -1)
      .def("record", &record)
      .def("recording", &recording)
      .def("recordings",
           [](Simulation &s) { return recordings(built(s).spec()); })
      .def("connections", &connections)
      .def("num_synapses",
           [](Simulation &s, const std::string &proj) {
             return built(s).numSynapses(projection(*s.sim, proj));
           })
      .def("set_plastic",
           [](Simulation &s, const std::string &proj, bool on) {
             built(s).setPlastic(projection(*s.sim, proj), on);
           })
      .def("is_plastic",
           [](Simulation &s, const std::string &proj) {
             return built(s).isPlastic(projection(*s.sim, proj));
           })
      .def_property_readonly(
          "synaptic_events",
          [](Simulation &s) { return built(s).synapticEvents(); })
      .def_property_readonly("t_build",
                             [](Simulation &s) { return built(s).tBuild(); })
      .def_property_readonly("t_sim",
                             [](Simulation &s) { return built(s).tSim(); })
      .def("save",
           [](Simulation &s, const std::string &path) {
             std::string err;
             check(built(s).saveCheckpoint(path, err), err);
           })
      .def("restore",
           [](Simulation &s, const std::string &path) {
             std::string err;
             check(built(s).restoreCheckpoint(path, err), err);
             // On a GPU: the device takes the restored network afresh.
             if (s.model->compiled->compiler().options().target != Target::CPU)
               attachDevice(s);
           })
      .def("stream_to",
           [](Simulation &s, const std::string &dir) {
             std::string err;
             // Refused while running elsewhere before the lock makes the
             // folder.
             rt::Simulator &sim = built(s);
             // One writer per folder, other simulations and runs included.
             auto lock = std::make_unique<rt::OutputLock>();
             check(lock->acquire(dir, err), err);
             check(sim.checkOutputs(dir, modelInputs(s), err), err);
             check(sim.streamTo(dir, err), err);
             s.streamLock = std::move(lock);
           })
      .def("write",
           [](Simulation &s, const std::string &dir) {
             std::string err;
             // Refused while running elsewhere before the lock makes the
             // folder.
             rt::Simulator &sim = built(s);
             // Streaming, the simulation holds its folder's lock already
             // (write() finishes there only).
             rt::OutputLock lock;
             check(s.streamLock || lock.acquire(dir, err), err);
             check(s.streamLock || sim.checkOutputs(dir, modelInputs(s), err),
                   err);
             check(sim.writeSpikes(dir, err) && sim.writeStates(dir, err), err);
           })
      .def_property_readonly(
          "streaming", [](Simulation &s) { return built(s).isStreaming(); });
}

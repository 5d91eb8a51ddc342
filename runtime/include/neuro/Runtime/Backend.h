//===- Backend.h - What runs the phases of a step ---------------*- C++ -*-===//
//
// The Simulator owns the schedule of a step (Simulator.h) and calls one
// hook of its backend per phase; the backend runs the kernels of that
// phase wherever the network's rows live. CpuBackend (backends/cpu) runs
// them on the host's threads; cuda::DeviceBackend (backends/cuda, the
// NeuroCudaBackend library) on a GPU, where it keeps the spike lists and
// hands them over in batches.
//
// Every hook returns false with a message when the device fails; the host
// never does.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_BACKEND_H
#define NEURO_RUNTIME_BACKEND_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace neuro::rt {

class Network;
class Recorder;

class Backend {
public:
  virtual ~Backend();

  /// Inputs of step k, before phase (0), in the steps they happen.
  /// State record `rec` samples now (the start of step k) into the
  /// Recorder, or into the backend's own staging (handed over by monitor()
  /// or sync()).
  virtual bool sampleState(size_t rec, int64_t k, std::string &err) = 0;
  /// The host wrote row `row` of population `pop` (a row that follows a
  /// table in time), in the rows the kernels update.
  virtual bool uploadRow(size_t pop, size_t row, std::string &err) = 0;
  /// The host wrote projection `proj`'s mods (its plasticity flag).
  virtual bool uploadMods(size_t proj, std::string &err) = 0;
  /// The host may have written any state or synapse row (a caller's view
  /// of them, between runs): the kernels' copies take them (nothing to do
  /// where the kernels run on the host's rows).
  virtual bool uploadHostRows(std::string &) { return true; }

  /// (0) Summed drives (`afterStep` false, before stepPopulations), then
  /// the clock-driven synapse equations of the projections whose
  /// ProjectionSpec::updateAfterStep is `afterStep` (true: after it).
  virtual bool updateProjections(int64_t k, bool afterStep,
                                 std::string &err) = 0;
  /// (1)+(2) Integration and threshold: the spikes of step k.
  virtual bool stepPopulations(int64_t k, std::string &err) = 0;
  /// (3) `on pre` for the spikes whose delay has elapsed ...
  virtual bool deliver(int64_t k, std::string &err) = 0;
  /// ... then `on post` for the targets that spiked in step k.
  virtual bool deliverPost(int64_t k, std::string &err) = 0;
  /// (4) Resets of the neurons that spiked in step k.
  virtual bool reset(int64_t k, std::string &err) = 0;
  /// (5) The spikes of step k to the Recorder (Recorder::addSpikes): at
  /// once, or, on a device, with those of the next steps, by sync() at the
  /// latest.
  virtual bool monitor(int64_t k, std::string &err) = 0;

  /// Brings what the host reads up to date: the spikes, spike counts,
  /// state samples and synaptic events of every step so far, and the state
  /// rows and the synapse rows kernels write.
  virtual bool sync(std::string &err) = 0;

  /// Kernels launched on a device by the hooks above so far (0 where the
  /// steps run on the host's threads).
  virtual int64_t launches() const { return 0; }
  /// Whether deliveries read the host's spike rings (DelayRing), spikes of
  /// steps before 0 included; a device keeps rings of its own.
  virtual bool readsHostRings() const { return true; }
};

/// What the Simulator hands a backend it installs: its network, its
/// recorder and the current step. Nothing else of the Simulator is a
/// backend's.
struct BackendContext {
  Network &net;
  Recorder &recorder;
  int64_t step = 0;
};

/// Makes a backend for a built network (null and `err` when it cannot).
using BackendFactory = std::function<std::unique_ptr<Backend>(
    const BackendContext &context, std::string &err)>;

} // namespace neuro::rt

#endif // NEURO_RUNTIME_BACKEND_H

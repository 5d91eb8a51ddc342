//===- Backend.h - The phases of a step on the host's threads ---*- C++ -*-===//
//
// CpuBackend runs each phase of the Simulator's schedule with the kernels
// compiled for the host, on the network's buffers: (0) the projections'
// clock-driven updates and summed drives, (1)+(2) integration and
// threshold of every population in ranges of neurons on the pool's
// threads, (3) delivery of the spikes whose delay has elapsed (projections
// split by target range on the pool's threads), then `on post`, (4)
// resets, (5) the step's spike lists to the Recorder. The spike lists of
// a step go into each population's DelayRing, where delivery reads them.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_CPU_BACKEND_H
#define NEURO_RUNTIME_CPU_BACKEND_H

#include "neuro/Runtime/Backend.h"
#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Recorder.h"

#include <vector>

namespace neuro::rt {

class CpuBackend final : public Backend {
public:
  /// Steps `net` (built, with its pool) and hands its spikes to `recorder`.
  CpuBackend(Network &net, Recorder &recorder);

  bool sampleState(size_t rec, int64_t k, std::string &err) override;
  bool uploadRow(size_t pop, size_t row, std::string &err) override;
  bool uploadMods(size_t proj, std::string &err) override;
  bool updateProjections(int64_t k, bool afterStep, std::string &err) override;
  bool stepPopulations(int64_t k, std::string &err) override;
  bool deliver(int64_t k, std::string &err) override;
  bool deliverPost(int64_t k, std::string &err) override;
  bool reset(int64_t k, std::string &err) override;
  bool monitor(int64_t k, std::string &err) override;
  bool sync(std::string &err) override;

private:
  /// Neurons [begin, end) of population `pop`, one task of phase (1)+(2);
  /// `spikes` receives the task's spikes of the step, ascending.
  struct StepTask {
    int pop = 0;
    int64_t begin = 0, end = 0;
    std::vector<int32_t> spikes;
  };
  /// Splits each population into ranges of neurons for the pool's threads.
  void planStepTasks();
  /// Views of projection `j`'s buffers for its kernels (modulators
  /// averaged first).
  struct SynapseArgs {
    NeuroMemRefI32 srcs, cols;
    NeuroMemRef2DF64 syn, post, pre;
    NeuroMemRefF64 mods;
  };
  SynapseArgs synapseArgs(size_t j);
  /// (3) for procedural projection `j` (Procedural.h): the synapses of
  /// each step's spikes are drawn again once, when the shortest of its
  /// delays elapses, and kept until the longest has; each delay group is
  /// delivered from them as from the stored rows.
  void deliverProcedural(size_t j, int64_t k);
  /// (3) for stored projection `j`: each delay group's spikes of their
  /// step, on the pool's threads by target range where it is split.
  void deliverStored(size_t j, int64_t k);

  Network &net;
  Recorder &recorder;
  std::vector<StepTask> stepTasks; ///< by population, ranges ascending
  /// Whether the step runs its tasks on the pool (enough neurons to gain),
  /// and the least work split over threads (Backend.cpp).
  bool stepOnPool = true;
  int64_t minNeuronsPerTask, minEventsToSplit;
  /// By procedural projection, a ring of the synapses of the spikes of the
  /// last steps (slot: step modulo the longest delay + 1).
  std::vector<std::vector<Network::Regenerated>> regenerated;
  /// The row of each spiking source for the kernels (stride 2): its
  /// synapses are [rows[2 i], rows[2 i + 1]) of a Regenerated.
  std::vector<int64_t> spikeRows;
  /// For each delivery part (one: whole rows), the same for the stored
  /// rows of the sources that spiked when their row pointers are compacted
  /// (RowIndex): [rows[2 i], rows[2 i + 1]) of source i's synapses in that
  /// part. Each part's thread writes and reads its own.
  std::vector<std::vector<int64_t>> partRows;
  /// The most synapses of one step's spikes a procedural projection keeps
  /// drawn (about 20 bytes each; NEURO_REGENERATE_LIMIT, 2^24 by default),
  /// and a run of a step's spikes beyond it (or a piece of one spike's
  /// row).
  int64_t regenerateLimit;
  std::vector<int32_t> burst;
  Network::Regenerated burstRows;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_CPU_BACKEND_H

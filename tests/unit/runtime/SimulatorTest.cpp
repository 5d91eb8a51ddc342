//===- SimulatorTest.cpp - End-to-end tests of the step loop --------------===//
//
// Hand-written kernels with the exact signatures of ABI.h stand in for the
// compiler's output.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Simulator.h"

#include "NpyReader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using namespace neuro::rt;
using namespace neuro::rt::test;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Kernel helpers and test kernels
//===----------------------------------------------------------------------===//

double &at(NeuroMemRef2DF64 *m, int64_t r, int64_t c) {
  return m->aligned[m->offset + r * m->strides[0] + c * m->strides[1]];
}
int8_t &at(NeuroMemRefI8 *m, int64_t i) {
  return m->aligned[m->offset + i * m->stride];
}
int32_t at(NeuroMemRefI32 *m, int64_t i) {
  return m->aligned[m->offset + i * m->stride];
}
int64_t at(NeuroMemRefI64 *m, int64_t i) {
  return m->aligned[m->offset + i * m->stride];
}

/// Names of kernel calls in order, for the schedule test.
std::vector<std::string> callLog;
/// Descriptor problems seen by the checking kernels.
std::vector<std::string> abiErrors;
/// Step, neuron and value the "poison" kernel writes into row 1.
int64_t poisonStep = -1;
int64_t poisonNeuron = 0;
double poisonValue = 0;

bool aligned64(const void *p) { return uintptr_t(p) % 64 == 0; }

void check2D(NeuroMemRef2DF64 *m, const char *what) {
  if (!m->allocated || !m->aligned)
    abiErrors.push_back(std::string(what) + ": null pointer");
  if (m->allocated != m->aligned || m->offset != 0)
    abiErrors.push_back(std::string(what) + ": allocated/aligned/offset");
  if (m->strides[0] != m->sizes[1] || m->strides[1] != 1)
    abiErrors.push_back(std::string(what) + ": strides");
}

template <typename M> void check1D(M *m, int64_t size, const char *what) {
  if (!m->allocated || !m->aligned)
    abiErrors.push_back(std::string(what) + ": null pointer");
  if (m->allocated != m->aligned || m->offset != 0 || m->stride != 1)
    abiErrors.push_back(std::string(what) + ": layout");
  if (m->size != size)
    abiErrors.push_back(std::string(what) + ": size " +
                        std::to_string(m->size) +
                        " != " + std::to_string(size));
}

extern "C" {

/// Neuron i spikes in every step k with (k + 1) % (i + 1) == 0; row 0 (if
/// any) counts the steps.
void testPeriodicStep(NeuroMemRef2DF64 *state, NeuroMemRefI8 *spiked,
                      int64_t step, int64_t, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    at(spiked, i) = (step + 1) % (i + 1) == 0;
  if (state->sizes[0] > 0)
    for (int64_t i = begin; i < end; ++i)
      at(state, 0, i) += 1;
}

/// Never spikes, changes nothing.
void testSilentStep(NeuroMemRef2DF64 *, NeuroMemRefI8 *spiked, int64_t, int64_t,
                    int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    at(spiked, i) = 0;
}

/// post row 0 of each target += syn row 0 of the synapse.
void testAddWeight(NeuroMemRefI32 *spikes, NeuroMemRefI64 *rowPtr,
                   int64_t stride, int64_t part, NeuroMemRefI32 *cols,
                   NeuroMemRef2DF64 *syn, NeuroMemRef2DF64 *post,
                   NeuroMemRef2DF64 *, NeuroMemRefF64 *, int64_t, int64_t) {
  for (int64_t k = 0; k < spikes->size; ++k) {
    int64_t r = at(spikes, k) * stride + part;
    for (int64_t j = at(rowPtr, r); j < at(rowPtr, r + 1); ++j)
      at(post, 0, at(cols, j)) += at(syn, 0, j);
  }
}

// Schedule test, population "C" with rows {v, d, o, r}.

/// v = 100 + step; even neurons spike in every step.
void testOrderStep(NeuroMemRef2DF64 *state, NeuroMemRefI8 *spiked, int64_t step,
                   int64_t, int64_t begin, int64_t end) {
  callLog.push_back("step C");
  for (int64_t i = begin; i < end; ++i) {
    at(state, 0, i) = 100.0 + double(step);
    at(spiked, i) = i % 2 == 0;
  }
}

/// Targets copy v into d (what delivery sees) and set o = 1.
void testOrderDeliver(NeuroMemRefI32 *spikes, NeuroMemRefI64 *rowPtr,
                      int64_t stride, int64_t part, NeuroMemRefI32 *cols,
                      NeuroMemRef2DF64 *, NeuroMemRef2DF64 *post,
                      NeuroMemRef2DF64 *, NeuroMemRefF64 *, int64_t, int64_t) {
  callLog.push_back("deliver C->C");
  for (int64_t k = 0; k < spikes->size; ++k) {
    int64_t r = at(spikes, k) * stride + part;
    for (int64_t j = at(rowPtr, r); j < at(rowPtr, r + 1); ++j) {
      at(post, 1, at(cols, j)) = at(post, 0, at(cols, j));
      at(post, 2, at(cols, j)) = 1;
    }
  }
}

/// Spiking neurons copy d into r (what reset sees), set o = 2, v = -7.
void testOrderReset(NeuroMemRefI32 *spikes, NeuroMemRef2DF64 *state, int64_t,
                    int64_t) {
  callLog.push_back("reset C");
  for (int64_t k = 0; k < spikes->size; ++k) {
    int32_t s = at(spikes, k);
    at(state, 3, s) = at(state, 1, s);
    at(state, 2, s) = 2;
    at(state, 0, s) = -7;
  }
}

void testLoggedSilentStep(NeuroMemRef2DF64 *state, NeuroMemRefI8 *spiked,
                          int64_t step, int64_t, int64_t begin, int64_t end) {
  callLog.push_back("step D");
  testSilentStep(state, spiked, step, 0, begin, end);
}

/// Row 0 is NaN always (internal rows are not checked); at poisonStep,
/// row 1 of poisonNeuron becomes poisonValue.
void testPoisonStep(NeuroMemRef2DF64 *state, NeuroMemRefI8 *spiked,
                    int64_t step, int64_t, int64_t begin, int64_t end) {
  testSilentStep(state, spiked, step, 0, begin, end);
  for (int64_t i = begin; i < end; ++i)
    at(state, 0, i) = std::numeric_limits<double>::quiet_NaN();
  if (step == poisonStep && poisonNeuron >= begin && poisonNeuron < end)
    at(state, 1, poisonNeuron) = poisonValue;
}

/// Checks every descriptor it gets; spikes like testPeriodicStep.
void testCheckingStep(NeuroMemRef2DF64 *state, NeuroMemRefI8 *spiked,
                      int64_t step, int64_t, int64_t begin, int64_t end) {
  check2D(state, "step state");
  if (!aligned64(state->aligned) || !aligned64(spiked->aligned))
    abiErrors.push_back("step buffers not 64-byte aligned");
  check1D(spiked, state->sizes[1], "step spiked");
  if (begin < 0 || begin >= end || end > state->sizes[1])
    abiErrors.push_back("step range outside the population");
  if (begin % 64 != 0)
    abiErrors.push_back("step range not on a multiple of 64");
  testPeriodicStep(state, spiked, step, 0, begin, end);
}

void testCheckingDeliver(NeuroMemRefI32 *spikes, NeuroMemRefI64 *rowPtr,
                         int64_t stride, int64_t part, NeuroMemRefI32 *cols,
                         NeuroMemRef2DF64 *syn, NeuroMemRef2DF64 *post,
                         NeuroMemRef2DF64 *, NeuroMemRefF64 *, int64_t,
                         int64_t) {
  if (stride < 1 || part < 0 || part >= std::max<int64_t>(stride - 1, 1))
    abiErrors.push_back("deliver stride/part");
  check1D(spikes, spikes->size, "deliver spikes");
  if (spikes->size == 0)
    abiErrors.push_back("deliver called without spikes");
  check1D(rowPtr, rowPtr->size, "deliver rowPtr");
  check1D(cols, cols->size, "deliver cols");
  // Only the listed sources' entries are read (they may be the only ones
  // written): each names synapses within cols.
  for (int64_t m = 0; m < spikes->size; ++m) {
    int64_t at0 = at(spikes, m) * stride + part;
    if (at0 + 1 >= rowPtr->size) {
      abiErrors.push_back("deliver rowPtr shorter than a spike's row");
      continue;
    }
    int64_t lo = at(rowPtr, at0), hi = at(rowPtr, at0 + 1);
    if (lo < 0 || lo > hi || hi > cols->size)
      abiErrors.push_back("deliver row outside cols");
  }
  check2D(syn, "deliver syn");
  if (syn->sizes[1] != cols->size)
    abiErrors.push_back("deliver syn columns != synapses");
  check2D(post, "deliver post");
  for (int64_t k = 1; k < spikes->size; ++k)
    if (at(spikes, k - 1) >= at(spikes, k))
      abiErrors.push_back("spike list not sorted");
}

void testCheckingReset(NeuroMemRefI32 *spikes, NeuroMemRef2DF64 *state, int64_t,
                       int64_t) {
  check1D(spikes, spikes->size, "reset spikes");
  if (spikes->size == 0)
    abiErrors.push_back("reset called without spikes");
  check2D(state, "reset state");
}

} // extern "C"

//===----------------------------------------------------------------------===//
// Model builders
//===----------------------------------------------------------------------===//

PopulationSpec population(const std::string &name, int64_t size,
                          std::vector<std::string> rows, NeuroStepFn step,
                          NeuroResetFn reset = nullptr) {
  PopulationSpec pop;
  pop.name = name;
  pop.size = size;
  pop.init.assign(rows.size(), InitSpec::constant(0));
  pop.rows = std::move(rows);
  pop.step = step;
  pop.reset = reset;
  return pop;
}

ProjectionSpec projection(const std::string &name, int src, int dst, double p,
                          int64_t delay, NeuroDeliverFn deliver,
                          double weight = 1.0) {
  ProjectionSpec proj;
  proj.name = name;
  proj.src = src;
  proj.dst = dst;
  proj.p = p;
  proj.delaySteps = delay;
  proj.synRows = {"w"};
  proj.synInit = {InitSpec::constant(weight)};
  proj.deliver = deliver;
  return proj;
}

/// A (5 periodic neurons, recorded) -> B (3 silent neurons, row "in"),
/// all-to-all with weight 1 and `delay` steps.
ModelSpec periodicModel(int64_t delay, int64_t steps) {
  ModelSpec m;
  m.name = "periodic";
  m.dt = 1e-4;
  m.steps = steps;
  m.seed = 1;
  m.populations.push_back(
      population("A", 5, {"count", "_lastspike"}, testPeriodicStep));
  m.populations.push_back(population("B", 3, {"in"}, testSilentStep));
  m.projections.push_back(
      projection("A_to_B", 0, 1, 1.0, delay, testAddWeight));
  m.records.push_back({0});
  return m;
}

/// Spikes of A in steps 0 .. k inclusive (neuron i spikes floor((k+1)/(i+1))
/// times).
int64_t periodicSpikesThrough(int64_t k, int64_t n = 5) {
  int64_t total = 0;
  for (int64_t i = 0; i < n; ++i)
    total += (k + 1) / (i + 1);
  return total;
}

//===----------------------------------------------------------------------===//
// Tests
//===----------------------------------------------------------------------===//

TEST(SimulatorTest, SpikeCountsAndTimes) {
  Simulator sim(periodicModel(0, 20));
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  EXPECT_EQ(sim.currentStep(), 0);
  ASSERT_TRUE(sim.run(err)) << err;
  EXPECT_EQ(sim.currentStep(), 20);
  EXPECT_DOUBLE_EQ(sim.currentTime(), 20 * 1e-4);

  EXPECT_EQ(sim.spikeCount(0), periodicSpikesThrough(19));
  EXPECT_EQ(sim.spikeCount(1), 0);
  EXPECT_TRUE(sim.isRecorded(0));
  EXPECT_FALSE(sim.isRecorded(1));
  EXPECT_TRUE(sim.spikes(1).empty());

  std::vector<SpikeRecord> expected;
  for (int64_t k = 0; k < 20; ++k)
    for (int32_t i = 0; i < 5; ++i)
      if ((k + 1) % (i + 1) == 0)
        expected.push_back({i, double(k + 1) * 1e-4});
  const std::vector<SpikeRecord> &got = sim.spikes(0);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t n = 0; n < got.size(); ++n) {
    EXPECT_EQ(got[n].i, expected[n].i) << n;
    EXPECT_EQ(got[n].t, expected[n].t) << n; // exactly (k + 1) * dt
  }
  // The first spike of neuron 0 is in step 0 and stamped with t = dt.
  EXPECT_EQ(got.front().i, 0);
  EXPECT_EQ(got.front().t, 1e-4);

  // The step kernel ran 20 times on every neuron.
  ConstStateView a = static_cast<const Simulator &>(sim).state(0);
  ASSERT_EQ(a.rows, 2);
  ASSERT_EQ(a.cols, 5);
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_EQ(a(0, i), 20.0);
  EXPECT_EQ(sim.spikesAtStep(0, 19), (std::vector<int32_t>{0, 1, 3, 4}));
}

// With threads, a population is split into ranges of neurons that tile it
// (boundaries on multiples of 64) and the spike lists, counts and states are
// those of one thread.
TEST(SimulatorTest, ThreadsSplitPopulationsWithoutChangingResults) {
  auto model = [] {
    ModelSpec m = periodicModel(2, 30);
    m.populations[0] =
        population("A", 10007, {"count", "_lastspike"}, testCheckingStep);
    m.populations[1].size = 5003;
    return m;
  };
  abiErrors.clear();
  Simulator one(model());
  Simulator three(model());
  three.setThreads(3);
  EXPECT_EQ(one.threads(), 1u);
  EXPECT_EQ(three.threads(), 3u);
  std::string err;
  ASSERT_TRUE(one.build(err)) << err;
  ASSERT_TRUE(three.build(err)) << err;
  ASSERT_TRUE(one.run(err)) << err;
  ASSERT_TRUE(three.run(err)) << err;
  EXPECT_TRUE(abiErrors.empty()) << abiErrors.front();
  EXPECT_EQ(three.spikeCount(0), periodicSpikesThrough(29, 10007));
  EXPECT_EQ(three.spikeCount(0), one.spikeCount(0));
  ASSERT_EQ(three.spikes(0).size(), one.spikes(0).size());
  for (size_t n = 0; n < one.spikes(0).size(); ++n) {
    ASSERT_EQ(three.spikes(0)[n].i, one.spikes(0)[n].i) << n;
    ASSERT_EQ(three.spikes(0)[n].t, one.spikes(0)[n].t) << n;
  }
  for (int p = 0; p < 2; ++p) {
    ConstStateView a = static_cast<const Simulator &>(one).state(p);
    ConstStateView b = static_cast<const Simulator &>(three).state(p);
    ASSERT_EQ(a.numElements(), b.numElements());
    for (int64_t e = 0; e < a.numElements(); ++e)
      ASSERT_EQ(a.data[e], b.data[e]) << "population " << p << ", " << e;
  }
  // Every neuron was stepped 30 times, exactly once per step.
  ConstStateView a = static_cast<const Simulator &>(three).state(0);
  for (int64_t i = 0; i < 10007; ++i)
    ASSERT_EQ(a(0, i), 30.0) << i;
  // 0: one thread per 100,000 neurons, at most one per hardware thread;
  // 15,010 neurons get one.
  Simulator automatic(model());
  automatic.setThreads(0);
  EXPECT_EQ(automatic.threads(), 1u);
}

// A projection onto at least 2 * kTargetsPerPart neurons is delivered in
// target ranges on the pool's threads: every target gets the same sum, in
// the same order, as with one thread; and with several delays too.
TEST(SimulatorTest, PartitionedDeliveryEqualsSerial) {
  auto model = [](bool heterogeneous) {
    ModelSpec m = periodicModel(2, 40);
    m.populations[0].size = 3001;
    m.populations[1].size = 3 * Simulator::kTargetsPerPart + 77;
    m.projections[0].p = 0.02;
    m.projections[0].partitionable = true;
    // Weights that make the order of additions matter.
    m.projections[0].synInit = {InitSpec::uniform(1e-3, 1e3)};
    if (heterogeneous) {
      m.projections[0].heterogeneousDelay = true;
      m.projections[0].delayInit = InitSpec::uniform(0.0, 5e-4);
    }
    return m;
  };
  // Split however few events a step delivers.
  setenv("NEURO_SPLIT_SMALL", "1", 1);
  for (bool heterogeneous : {false, true}) {
    Simulator one(model(heterogeneous));
    Simulator three(model(heterogeneous));
    three.setThreads(3);
    std::string err;
    ASSERT_TRUE(one.build(err)) << err;
    ASSERT_TRUE(three.build(err)) << err;
    ASSERT_TRUE(one.run(err)) << err;
    ASSERT_TRUE(three.run(err)) << err;
    EXPECT_EQ(one.synapticEvents(), three.synapticEvents());
    EXPECT_GT(one.synapticEvents(), 10000);
    EXPECT_EQ(three.deliveryParts(0), 3);
    ConstStateView a = static_cast<const Simulator &>(one).state(1);
    ConstStateView b = static_cast<const Simulator &>(three).state(1);
    double total = 0;
    for (int64_t i = 0; i < a.cols; ++i) {
      ASSERT_EQ(a(0, i), b(0, i)) << "target " << i;
      total += a(0, i);
    }
    EXPECT_GT(total, 0.0);
  }
  unsetenv("NEURO_SPLIT_SMALL");
}

// Streaming: recordings leave memory at each flush and the files hold every
// spike and sample, as writeSpikes would have written them.
TEST(SimulatorTest, StreamedRecordingsMatchTheInMemoryOnes) {
  namespace fs = std::filesystem;
  auto model = [] {
    ModelSpec m = periodicModel(0, 3000);
    m.stateRecords.push_back({0, -1, {0}, 0, 5, 1});
    return m;
  };
  fs::path dir = fs::temp_directory_path() / "neuro-stream-test";
  fs::remove_all(dir);
  std::string err;
  Simulator kept(model()), streamed(model());
  ASSERT_TRUE(kept.build(err)) << err;
  ASSERT_TRUE(streamed.build(err)) << err;
  ASSERT_TRUE(streamed.streamTo((dir / "s").string(), err)) << err;
  EXPECT_TRUE(streamed.isStreaming());
  ASSERT_TRUE(kept.run(1500, err)) << err;
  ASSERT_TRUE(streamed.run(1500, err)) << err;
  ASSERT_TRUE(kept.run(1500, err)) << err;
  ASSERT_TRUE(streamed.run(1500, err)) << err;
  // Each run() ends with a flush: nothing is left in memory.
  EXPECT_TRUE(streamed.spikes(0).empty());
  EXPECT_TRUE(streamed.stateSamples(0).empty());
  EXPECT_EQ(kept.stateSamples(0).size(), 3000u * 5);
  ASSERT_TRUE(kept.writeSpikes((dir / "k").string(), err)) << err;
  ASSERT_TRUE(kept.writeStates((dir / "k").string(), err)) << err;
  ASSERT_TRUE(streamed.writeSpikes("", err)) << err;
  ASSERT_TRUE(streamed.writeStates("", err)) << err;
  for (const char *file : {"spikes_A.npy", "A_t.npy", "A_count.npy"}) {
    NpyFile a, b;
    ASSERT_TRUE(readNpy((dir / "k" / file).string(), a, err)) << err;
    ASSERT_TRUE(readNpy((dir / "s" / file).string(), b, err)) << err;
    EXPECT_EQ(a.dict, b.dict) << file;
    EXPECT_EQ(a.data, b.data) << file;
  }
  EXPECT_TRUE(fs::exists(dir / "s" / "recordings.json"));
  fs::remove_all(dir);
}

TEST(SimulatorTest, DeliveryAfterExactlyDelaySteps) {
  for (int64_t delay : {0, 1, 2, 7}) {
    Simulator sim(periodicModel(delay, 0));
    std::string err;
    ASSERT_TRUE(sim.build(err)) << err;
    EXPECT_EQ(sim.numSynapses(), 15);
    int in = sim.rowIndex(1, "in");
    ASSERT_EQ(in, 0);
    for (int64_t k = 0; k < 25; ++k) {
      ASSERT_TRUE(sim.run(1, err)) << err;
      // After step k, B received every spike of steps <= k - delay, once per
      // synapse (all-to-all, weight 1).
      int64_t expected = k - delay >= 0 ? periodicSpikesThrough(k - delay) : 0;
      for (int64_t j = 0; j < 3; ++j)
        ASSERT_EQ(sim.state(1)(in, j), double(expected))
            << "delay " << delay << " step " << k << " target " << j;
      // Each delivered spike reaches 3 targets.
      ASSERT_EQ(sim.synapticEvents(), 3 * expected) << "step " << k;
    }
  }
}

TEST(SimulatorTest, NetworksLargerThanMemoryAreRefused) {
  ModelSpec spec = periodicModel(0, 0);
  spec.populations[0].size = 1000000;
  spec.populations[1].size = 1000000;
  spec.projections[0].p = 1.0; // 1e12 synapses
  Simulator sim(spec);
  std::string err;
  EXPECT_FALSE(sim.build(err));
  EXPECT_NE(err.find("the network needs about"), std::string::npos) << err;
  EXPECT_NE(err.find("GB of memory, more than 80% ("), std::string::npos)
      << err;
}

TEST(SimulatorTest, NormalInitHasItsMeanAndDeviation) {
  ModelSpec spec = periodicModel(0, 0);
  const int64_t n = 20000;
  spec.populations[0].size = n;
  spec.populations[0].init[0] = InitSpec::normal(-0.065, 0.005);
  Simulator sim(spec);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  ConstStateView s = static_cast<const Simulator &>(sim).state(0);
  double sum = 0, sq = 0;
  int64_t within1 = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = s(0, i);
    sum += x;
    sq += x * x;
    within1 += std::abs(x + 0.065) < 0.005;
  }
  double mean = sum / n, var = sq / n - mean * mean;
  // Standard errors: of the mean sd/sqrt(n), of the variance ~ sd^2 sqrt(2/n).
  EXPECT_NEAR(mean, -0.065, 5 * 0.005 / std::sqrt(double(n)));
  EXPECT_NEAR(var, 25e-6, 5 * 25e-6 * std::sqrt(2.0 / n));
  // 68.3 % within one standard deviation.
  EXPECT_NEAR(double(within1) / n, 0.6827, 0.02);
}

TEST(SimulatorTest, SeveralDelaysFromOneSource) {
  ModelSpec m = periodicModel(0, 0);
  m.populations.push_back(population("B2", 2, {"in"}, testSilentStep));
  m.projections.push_back(
      projection("A_to_B2", 0, 2, 1.0, 5, testAddWeight, 0.5));
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  for (int64_t k = 0; k < 12; ++k) {
    ASSERT_TRUE(sim.run(1, err)) << err;
    EXPECT_EQ(sim.state(1)(0, 0), double(periodicSpikesThrough(k)));
    double late = k >= 5 ? 0.5 * double(periodicSpikesThrough(k - 5)) : 0;
    EXPECT_EQ(sim.state(2)(0, 1), late) << "step " << k;
  }
}

TEST(SimulatorTest, ScheduleIsStepDeliverReset) {
  ModelSpec m;
  m.name = "order";
  m.dt = 1e-3;
  m.steps = 3;
  m.populations.push_back(
      population("C", 6, {"v", "d", "o", "r"}, testOrderStep, testOrderReset));
  m.populations.push_back(
      population("D", 2, {}, testLoggedSilentStep, testOrderReset));
  m.projections.push_back(projection("C_to_C", 0, 0, 1.0, 0, testOrderDeliver));
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  callLog.clear();
  ASSERT_TRUE(sim.run(1, err)) << err;
  // All populations step, then projections deliver, then resets; D never
  // spikes, so its reset is not called.
  EXPECT_EQ(callLog, (std::vector<std::string>{"step C", "step D",
                                               "deliver C->C", "reset C"}));
  ASSERT_TRUE(sim.run(2, err)) << err;
  EXPECT_EQ(callLog.size(), 12u);

  StateView c = sim.state(0);
  for (int64_t i = 0; i < 6; ++i) {
    // Delivery saw the state after the step of step 2.
    EXPECT_EQ(c(1, i), 102.0) << i;
    if (i % 2 == 0) {
      EXPECT_EQ(c(0, i), -7.0) << i;  // reset overwrote v
      EXPECT_EQ(c(2, i), 2.0) << i;   // reset overwrote what deliver wrote
      EXPECT_EQ(c(3, i), 102.0) << i; // reset saw what deliver wrote
    } else {
      EXPECT_EQ(c(0, i), 102.0) << i;
      EXPECT_EQ(c(2, i), 1.0) << i;
      EXPECT_EQ(c(3, i), 0.0) << i;
    }
  }
  EXPECT_EQ(sim.spikeCount(0), 9);
  EXPECT_EQ(sim.spikeCount(1), 0);
}

TEST(SimulatorTest, DescriptorsFollowTheABI) {
  ModelSpec m;
  m.name = "abi";
  m.dt = 1e-4;
  m.steps = 12;
  m.populations.push_back(
      population("P", 7, {"x", "y"}, testCheckingStep, testCheckingReset));
  m.populations.push_back(
      population("Q", 3, {}, testCheckingStep, testCheckingReset));
  // Random, empty and row-less projections: pointers must never be null.
  m.projections.push_back(projection("PP", 0, 0, 0.5, 1, testCheckingDeliver));
  m.projections.push_back(projection("PQ", 0, 1, 0.0, 0, testCheckingDeliver));
  ProjectionSpec noRows = projection("QP", 1, 0, 1.0, 3, testCheckingDeliver);
  noRows.synRows.clear();
  noRows.synInit.clear();
  m.projections.push_back(noRows);
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  abiErrors.clear();
  ASSERT_TRUE(sim.run(err)) << err;
  EXPECT_TRUE(abiErrors.empty()) << abiErrors.front();
  EXPECT_EQ(sim.numSynapses(1), 0);
  EXPECT_EQ(sim.numSynapses(2), 21);
  EXPECT_EQ(sim.numSynapses(),
            sim.numSynapses(0) + sim.numSynapses(1) + sim.numSynapses(2));
  EXPECT_EQ(sim.synapseState(2).rows, 0);
  EXPECT_EQ(sim.synapseState(0).cols, sim.numSynapses(0));
}

TEST(SimulatorTest, NanIsReportedAtTheNextCheck) {
  ModelSpec m;
  m.name = "poison";
  m.dt = 1e-4;
  m.steps = 150;
  m.populations.push_back(
      population("E", 20, {"_lastspike", "v"}, testPoisonStep));
  poisonStep = 49;
  poisonNeuron = 12;
  poisonValue = std::numeric_limits<double>::quiet_NaN();
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  EXPECT_FALSE(sim.run(err));
  EXPECT_EQ(err, "numerical error: population 'E', neuron 12, variable 'v' "
                 "is nan at t = 0.01 s");
  EXPECT_EQ(sim.currentStep(), 100);
}

TEST(SimulatorTest, InfIsReportedAtTheEndOfARun) {
  ModelSpec m;
  m.name = "poison";
  m.dt = 1e-4;
  m.steps = 30;
  m.populations.push_back(
      population("E", 20, {"_lastspike", "v"}, testPoisonStep));
  for (double bad : {std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    poisonStep = 10;
    poisonNeuron = 3;
    poisonValue = bad;
    Simulator sim(m);
    std::string err;
    ASSERT_TRUE(sim.build(err)) << err;
    EXPECT_FALSE(sim.run(err));
    EXPECT_EQ(err, "numerical error: population 'E', neuron 3, variable 'v' "
                   "is inf at t = 0.003 s");
    EXPECT_EQ(sim.currentStep(), 30);
  }
  // Internal rows alone never fail a run.
  poisonStep = -1;
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  EXPECT_TRUE(sim.run(err)) << err;
}

TEST(SimulatorTest, RunsContinue) {
  Simulator whole(periodicModel(2, 40)), parts(periodicModel(2, 40));
  std::string err;
  ASSERT_TRUE(whole.build(err)) << err;
  ASSERT_TRUE(parts.build(err)) << err;
  ASSERT_TRUE(whole.run(err)) << err;
  ASSERT_TRUE(parts.run(13, err)) << err;
  ASSERT_TRUE(parts.run(0, err)) << err;
  ASSERT_TRUE(parts.run(27, err)) << err;
  EXPECT_EQ(parts.currentStep(), 40);
  EXPECT_EQ(parts.spikeCount(0), whole.spikeCount(0));
  ASSERT_EQ(parts.spikes(0).size(), whole.spikes(0).size());
  for (size_t n = 0; n < whole.spikes(0).size(); ++n) {
    EXPECT_EQ(parts.spikes(0)[n].i, whole.spikes(0)[n].i);
    EXPECT_EQ(parts.spikes(0)[n].t, whole.spikes(0)[n].t);
  }
  for (int64_t j = 0; j < 3; ++j)
    EXPECT_EQ(parts.state(1)(0, j), whole.state(1)(0, j));
  EXPECT_GE(whole.tBuild(), 0.0);
  EXPECT_GT(whole.tSim(), 0.0);

  // Building again starts over.
  ASSERT_TRUE(parts.build(err)) << err;
  EXPECT_EQ(parts.currentStep(), 0);
  EXPECT_EQ(parts.spikeCount(0), 0);
  EXPECT_TRUE(parts.spikes(0).empty());
  EXPECT_EQ(parts.state(1)(0, 0), 0.0);
  EXPECT_EQ(parts.tSim(), 0.0);

  EXPECT_FALSE(parts.run(-1, err));
  EXPECT_NE(err.find("negative"), std::string::npos) << err;
}

TEST(SimulatorTest, RunBeforeBuildFails) {
  Simulator sim(periodicModel(0, 5));
  std::string err;
  EXPECT_FALSE(sim.run(err));
  EXPECT_EQ(err, "model 'periodic' is not built");
  EXPECT_FALSE(sim.writeSpikes("unused", err));
  EXPECT_EQ(sim.state(0).data, nullptr);
  EXPECT_EQ(sim.numSynapses(), 0);
}

TEST(SimulatorTest, Lookups) {
  ModelSpec m = periodicModel(0, 0);
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  EXPECT_EQ(sim.populationIndex("A"), 0);
  EXPECT_EQ(sim.populationIndex("B"), 1);
  EXPECT_EQ(sim.populationIndex("Z"), -1);
  EXPECT_EQ(sim.projectionIndex("A_to_B"), 0);
  EXPECT_EQ(sim.projectionIndex("nope"), -1);
  EXPECT_EQ(sim.rowIndex(0, "_lastspike"), 1);
  EXPECT_EQ(sim.rowIndex(0, "v"), -1);
  EXPECT_EQ(sim.rowIndex(9, "count"), -1);
  EXPECT_EQ(sim.synRowIndex(0, "w"), 0);
  EXPECT_EQ(sim.synRowIndex(0, "x"), -1);
  EXPECT_EQ(sim.rowPointers(0), (std::vector<int64_t>{0, 3, 6, 9, 12, 15}));
  EXPECT_TRUE(sim.rowPointers(5).empty());
  EXPECT_TRUE(sim.connectivity(5).cols.empty());
  EXPECT_EQ(sim.state(7).data, nullptr);
  EXPECT_EQ(sim.spikeCount(-1), 0);
  EXPECT_EQ(sim.spec().name, "periodic");
}

TEST(SimulatorTest, UniformInitIsDeterministic) {
  auto makeModel = [](uint64_t seed, bool extra) {
    ModelSpec m;
    m.name = "init";
    m.seed = seed;
    PopulationSpec pop = population("E", 2000, {"v", "g"}, testSilentStep);
    pop.init = {InitSpec::uniform(-0.06, -0.05), InitSpec::uniform(0, 1)};
    if (extra) { // rows and populations added later change nothing above
      pop.rows.push_back("h");
      pop.init.push_back(InitSpec::uniform(0, 1));
    }
    m.populations.push_back(pop);
    if (extra)
      m.populations.push_back(population("F", 10, {"v"}, testSilentStep));
    ProjectionSpec proj = projection("E_to_E", 0, 0, 0.01, 0, testAddWeight);
    proj.allowAutapses = false;
    proj.synInit = {InitSpec::uniform(1, 2)};
    m.projections.push_back(proj);
    return m;
  };

  Simulator a(makeModel(42, false)), b(makeModel(42, false)),
      c(makeModel(43, false)), d(makeModel(42, true));
  std::string err;
  for (Simulator *s : {&a, &b, &c, &d})
    ASSERT_TRUE(s->build(err)) << err;

  ConstStateView va = static_cast<const Simulator &>(a).state(0);
  StateView vb = b.state(0), vc = c.state(0), vd = d.state(0);
  double sum = 0;
  int64_t sameAsOtherSeed = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    ASSERT_GE(va(0, i), -0.06);
    ASSERT_LT(va(0, i), -0.05);
    ASSERT_EQ(va(0, i), vb(0, i));
    ASSERT_EQ(va(1, i), vb(1, i));
    ASSERT_EQ(va(0, i), vd(0, i));
    ASSERT_EQ(va(1, i), vd(1, i));
    sameAsOtherSeed += va(0, i) == vc(0, i);
    sum += va(1, i);
  }
  EXPECT_EQ(sameAsOtherSeed, 0);
  // Rows use distinct streams: v and g are not the same draws rescaled.
  EXPECT_NE((va(0, 0) + 0.06) / 0.01, va(1, 0));
  // Mean of 2000 uniforms on [0, 1): 0.5 within 5 standard errors.
  EXPECT_NEAR(sum / 2000, 0.5, 5 * std::sqrt(1.0 / 12 / 2000));

  // Connectivity and synapse state are reproducible too.
  EXPECT_EQ(a.connectivity(0).cols, b.connectivity(0).cols);
  EXPECT_EQ(a.connectivity(0).cols, d.connectivity(0).cols);
  EXPECT_NE(a.connectivity(0).cols, c.connectivity(0).cols);
  StateView sa = a.synapseState(0), sb = b.synapseState(0);
  ASSERT_GT(sa.cols, 0);
  for (int64_t j = 0; j < sa.cols; ++j) {
    ASSERT_EQ(sa(0, j), sb(0, j));
    ASSERT_GE(sa(0, j), 1.0);
    ASSERT_LT(sa(0, j), 2.0);
  }
  // No autapses were requested.
  const CSR &csr = a.connectivity(0);
  std::vector<int64_t> rows = a.rowPointers(0);
  ASSERT_EQ(rows.size(), 2001u);
  for (int64_t i = 0; i < 2000; ++i)
    for (int64_t s = rows[size_t(i)]; s < rows[size_t(i) + 1]; ++s)
      ASSERT_NE(csr.cols[size_t(s)], i);
}

TEST(SimulatorTest, ConstantInitAndStateWrites) {
  ModelSpec m = periodicModel(0, 0);
  m.populations[1].init = {InitSpec::constant(-0.065)};
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  for (int64_t j = 0; j < 3; ++j)
    EXPECT_EQ(sim.state(1)(0, j), -0.065);
  // Writes through the view reach the kernels.
  sim.synapseState(0)(0, 0) = 10; // synapse 0: A[0] -> B[0]
  ASSERT_TRUE(sim.run(1, err)) << err;
  EXPECT_EQ(sim.state(1)(0, 0), -0.065 + 10);
  EXPECT_EQ(sim.state(1)(0, 1), -0.065 + 1);
}

class SimulatorFilesTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir =
        fs::temp_directory_path() /
        ("neuro-sim-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path dir;
};

TEST_F(SimulatorFilesTest, WriteSpikes) {
  ModelSpec m = periodicModel(1, 30);
  m.records.push_back({0}); // duplicates are recorded once
  Simulator sim(m);
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  ASSERT_TRUE(sim.run(err)) << err;
  fs::path out = dir / "nested" / "out";
  ASSERT_TRUE(sim.writeSpikes(out.string(), err)) << err;

  EXPECT_TRUE(fs::exists(out / "spikes_A.npy"));
  EXPECT_FALSE(fs::exists(out / "spikes_B.npy"));
  test::NpyFile f;
  ASSERT_TRUE(test::readNpy((out / "spikes_A.npy").string(), f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': [('i', '<i4'), ('t', '<f8')], "
                    "'fortran_order': False, 'shape': (" +
                        std::to_string(periodicSpikesThrough(29)) + ",), }");
  std::vector<SpikeRecord> back = test::decodeSpikes(f.data);
  const std::vector<SpikeRecord> &mem = sim.spikes(0);
  ASSERT_EQ(back.size(), mem.size());
  for (size_t n = 0; n < back.size(); ++n) {
    EXPECT_EQ(back[n].i, mem[n].i);
    EXPECT_EQ(back[n].t, mem[n].t);
  }

  // Writing again into the existing directory works.
  EXPECT_TRUE(sim.writeSpikes(out.string(), err)) << err;
}

TEST_F(SimulatorFilesTest, WriteSpikesReportsThePath) {
  Simulator sim(periodicModel(0, 3));
  std::string err;
  ASSERT_TRUE(sim.build(err)) << err;
  ASSERT_TRUE(sim.run(err)) << err;
  fs::create_directories(dir);
  fs::path blocker = dir / "file";
  std::ofstream(blocker) << "x";
  EXPECT_FALSE(sim.writeSpikes(blocker.string(), err));
  EXPECT_NE(err.find(blocker.string()), std::string::npos) << err;
  EXPECT_FALSE(sim.writeSpikes((blocker / "sub").string(), err));
  EXPECT_NE(err.find((blocker / "sub").string()), std::string::npos) << err;
}

struct BadSpecCase {
  const char *what;
  void (*mutate)(ModelSpec &);
  const char *message;
};

TEST(SimulatorTest, ValidationReportsWhatIsWrong) {
  const BadSpecCase cases[] = {
      {"dt", [](ModelSpec &m) { m.dt = 0; }, "invalid dt 0 s"},
      {"nan dt", [](ModelSpec &m) { m.dt = std::nan(""); }, "invalid dt"},
      {"steps", [](ModelSpec &m) { m.steps = -2; },
       "invalid number of steps -2"},
      {"size", [](ModelSpec &m) { m.populations[1].size = 0; },
       "population 'B': invalid size 0"},
      {"init count", [](ModelSpec &m) { m.populations[0].init.pop_back(); },
       "population 'A': 1 initializers for 2 rows"},
      {"uniform",
       [](ModelSpec &m) { m.populations[1].init[0] = InitSpec::uniform(1, 0); },
       "population 'B', row 'in': invalid uniform(1, 0)"},
      {"step", [](ModelSpec &m) { m.populations[0].step = nullptr; },
       "population 'A': no step kernel"},
      {"name", [](ModelSpec &m) { m.populations[1].name = "A"; },
       "duplicate population name 'A'"},
      {"path name", [](ModelSpec &m) { m.populations[1].name = "../x"; },
       "population 1: invalid name '../x'"},
      {"duplicate row",
       [](ModelSpec &m) { m.populations[0].rows[1] = "count"; },
       "population 'A': duplicate row 'count'"},
      {"src", [](ModelSpec &m) { m.projections[0].src = 2; },
       "projection 'A_to_B': source population index 2 out of range"},
      {"dst", [](ModelSpec &m) { m.projections[0].dst = -1; },
       "projection 'A_to_B': target population index -1 out of range"},
      {"p", [](ModelSpec &m) { m.projections[0].p = 1.5; },
       "projection 'A_to_B': connection probability 1.5 not in [0, 1]"},
      {"delay", [](ModelSpec &m) { m.projections[0].delaySteps = -1; },
       "projection 'A_to_B': delay of -1 steps"},
      {"syn init", [](ModelSpec &m) { m.projections[0].synInit.clear(); },
       "projection 'A_to_B': 0 initializers for 1 rows"},
      {"deliver", [](ModelSpec &m) { m.projections[0].deliver = nullptr; },
       "projection 'A_to_B': no deliver kernel"},
      {"in degree",
       [](ModelSpec &m) {
         m.projections[0].rule = ProjectionSpec::FixedInDegree;
         m.projections[0].degree = 6;
       },
       "projection 'A_to_B': in_degree = 6 needs 6 distinct sources for each "
       "target, but the source has 5 neurons"},
      {"out degree",
       [](ModelSpec &m) {
         m.projections[0].rule = ProjectionSpec::FixedOutDegree;
         m.projections[0].degree = 4;
       },
       "projection 'A_to_B': out_degree = 4 needs 4 distinct targets for each "
       "source, but the target has 3 neurons"},
      {"unsorted",
       [](ModelSpec &m) {
         m.populations[0].step = nullptr;
         m.populations[0].generator = true;
         m.populations[0].schedule = {{3, 0}, {1, 2}};
       },
       "population 'A': scheduled spikes are not sorted by step"},
      {"record", [](ModelSpec &m) { m.records[0].population = 4; },
       "record 0: population index 4 out of range"},
      {"record range",
       [](ModelSpec &m) {
         m.records[0].begin = 3;
         m.records[0].end = 3;
       },
       "record 0: neurons [3, 3) are not a range within the population's"},
  };
  for (const BadSpecCase &c : cases) {
    ModelSpec m = periodicModel(1, 10);
    c.mutate(m);
    Simulator sim(m);
    std::string err;
    EXPECT_FALSE(sim.build(err)) << c.what;
    EXPECT_NE(err.find(c.message), std::string::npos)
        << c.what << ": got '" << err << "'";
    EXPECT_FALSE(sim.isBuilt()) << c.what;
  }
}

} // namespace

//===- runtime_bench.cpp - Google Benchmarks of runtime building blocks ---===//
//
// Not part of the test run: `build/bin/neuro-runtime-bench`. Measures the
// random number generator and connectivity generation that network build
// time depends on, and the thread pool's fork-join that each phase of a
// step on several threads pays.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Connectivity.h"
#include "neuro/Runtime/DelayRing.h"
#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/ThreadPool.h"

#include <benchmark/benchmark.h>

#include <atomic>

using namespace neuro::rt;

static void BM_PhiloxUniform(benchmark::State &state) {
  PhiloxStream stream(1234, 7, 42);
  double sum = 0.0;
  for (auto _ : state)
    sum += stream.nextUniform();
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PhiloxUniform);

/// The CUBA projections: n x n pairs at p = 0.02.
static void BM_FixedProbability(benchmark::State &state) {
  int64_t n = state.range(0);
  int64_t synapses = 0;
  for (auto _ : state) {
    CSR csr = buildFixedProbability(n, n, 0.02, true, 1, 3);
    synapses = csr.numSynapses();
    benchmark::DoNotOptimize(csr.cols.data());
  }
  state.SetItemsProcessed(state.iterations() * synapses);
  state.counters["synapses"] = double(synapses);
}
BENCHMARK(BM_FixedProbability)
    ->Arg(4000)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond);

static void BM_DelayRing(benchmark::State &state) {
  DelayRing ring(16);
  std::vector<int32_t> spikes = {1, 5, 9, 200, 4000};
  int64_t step = 0;
  size_t total = 0;
  for (auto _ : state) {
    ring.push(step, spikes);
    total += ring.at(step - 16).size();
    ++step;
  }
  benchmark::DoNotOptimize(total);
}
BENCHMARK(BM_DelayRing);

// One fork-join of the pool with nothing to do: what each phase of a step
// split over threads costs at least.
static void BM_PoolForkJoin(benchmark::State &state) {
  neuro::rt::ThreadPool pool(unsigned(state.range(0)));
  std::atomic<int64_t> sum{0};
  for (auto _ : state)
    pool.run(int64_t(state.range(0)),
             [&](int64_t t) { sum.fetch_add(t, std::memory_order_relaxed); });
  benchmark::DoNotOptimize(sum.load());
}
BENCHMARK(BM_PoolForkJoin)->Arg(1)->Arg(2)->UseRealTime();

BENCHMARK_MAIN();

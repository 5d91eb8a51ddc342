//===- ThreadPool.cpp - Fork-join worker threads --------------------------===//

#include "neuro/Runtime/ThreadPool.h"

#include <algorithm>
#include <system_error>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

using namespace neuro::rt;

namespace {

/// Iterations a worker polls for the next phase before it sleeps: a few
/// tens of microseconds, longer than the gap between phases of a step.
constexpr int kSpins = 1 << 14;

/// Pauses between polls, yielding the core every 64th: where the machine
/// has more runnable threads than cores (several processes, each with its
/// threads), the thread that is polled for gets to run.
inline void relax(int spins) {
#if defined(__x86_64__) || defined(__i386__)
  if (spins % 64 != 63) {
    _mm_pause();
    return;
  }
#endif
  std::this_thread::yield();
}

} // namespace

unsigned ThreadPool::hardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

ThreadPool::ThreadPool(unsigned threads) {
  workers.reserve(threads > 1 ? threads - 1 : 0);
  for (unsigned t = 1; t < threads; ++t) {
    try {
      workers.emplace_back([this] { loop(); });
    } catch (const std::system_error &) {
      // The system has no more threads to give (its process or thread
      // limit): the pool runs on those it got; every split of the work
      // gives the same results.
      break;
    }
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop.store(true, std::memory_order_relaxed);
    generation.fetch_add(1, std::memory_order_release);
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::work() {
  for (int64_t t = next.fetch_add(1, std::memory_order_relaxed); t < numTasks;
       t = next.fetch_add(1, std::memory_order_relaxed)) {
    try {
      callFn(fnState, t);
    } catch (...) {
      // The first failure (std::bad_alloc in a build) is rethrown by run
      // once every thread is done with the caller's data; the tasks not
      // started are skipped.
      std::lock_guard<std::mutex> lock(mutex);
      if (!failure)
        failure = std::current_exception();
      next.store(numTasks, std::memory_order_relaxed);
    }
  }
}

void ThreadPool::loop() {
  uint64_t seen = 0;
  for (;;) {
    int spins = 0;
    while (generation.load(std::memory_order_acquire) == seen) {
      if (++spins < kSpins) {
        relax(spins);
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] {
        return generation.load(std::memory_order_acquire) != seen;
      });
    }
    seen = generation.load(std::memory_order_acquire);
    if (stop.load(std::memory_order_relaxed))
      return;
    work();
    finished.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::runErased(int64_t tasks, void (*call)(void *, int64_t),
                           void *fn) {
  numTasks = tasks;
  callFn = call;
  fnState = fn;
  next.store(0, std::memory_order_relaxed);
  finished.store(0, std::memory_order_relaxed);
  {
    // Under the mutex, so that a worker about to sleep sees the change.
    std::lock_guard<std::mutex> lock(mutex);
    generation.fetch_add(1, std::memory_order_release);
  }
  wake.notify_all();
  work();
  for (int spins = 0;
       finished.load(std::memory_order_acquire) != workers.size(); ++spins)
    relax(spins);
  if (failure) {
    std::exception_ptr e = std::exchange(failure, nullptr);
    std::rethrow_exception(e);
  }
}

std::vector<int64_t> neuro::rt::splitRange(const ThreadPool *pool, int64_t n,
                                           int64_t minBlock) {
  int64_t threads = pool ? int64_t(pool->size()) : 1;
  int64_t blocks = threads > 1 ? 8 * threads : 1;
  blocks = std::max<int64_t>(
      1, std::min(blocks, n / std::max<int64_t>(minBlock, 1)));
  std::vector<int64_t> bounds(size_t(blocks) + 1);
  for (int64_t b = 0; b <= blocks; ++b)
    bounds[size_t(b)] = n * b / blocks;
  return bounds;
}

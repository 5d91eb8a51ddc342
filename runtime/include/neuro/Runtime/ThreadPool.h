//===- ThreadPool.h - Fork-join worker threads -------------------*- C++
//-*-===//
//
// A fixed set of worker threads that run the tasks of one phase of a step
// (or of building a network: splitRange, forBlocks) and return to the
// caller when all are done. The caller takes tasks too.
// Workers spin briefly between phases (a step is microseconds long) and then
// sleep, so an idle simulator does not hold cores; every waiting thread
// yields its core now and then while it spins, so that with more threads
// than cores (several processes on one machine) the thread being waited
// for runs. Which thread runs which
// task is unspecified: tasks must write disjoint data, and results then do
// not depend on the number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_THREADPOOL_H
#define NEURO_RUNTIME_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace neuro::rt {

class ThreadPool {
public:
  /// `threads` threads in all, the caller included (at least 1); fewer
  /// where the system cannot start more (size() says how many).
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads in all, the caller included.
  unsigned size() const { return unsigned(workers.size()) + 1; }

  /// Calls fn(t) for every t in [0, tasks) and returns when all calls are
  /// done. Not reentrant.
  template <typename Fn> void run(int64_t tasks, Fn &&fn) {
    if (workers.empty() || tasks <= 1) {
      for (int64_t t = 0; t < tasks; ++t)
        fn(t);
      return;
    }
    using F = std::remove_reference_t<Fn>;
    runErased(
        tasks, [](void *f, int64_t t) { (*static_cast<F *>(f))(t); },
        const_cast<void *>(static_cast<const void *>(&fn)));
  }

  /// The number of hardware threads (at least 1).
  static unsigned hardwareThreads();

private:
  void runErased(int64_t tasks, void (*call)(void *, int64_t), void *fn);
  void work();
  void loop();

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int64_t> next{0};
  std::atomic<unsigned> finished{0};
  std::atomic<bool> stop{false};
  /// What a task threw (under `mutex`), rethrown by run.
  std::exception_ptr failure;
  int64_t numTasks = 0;
  void (*callFn)(void *, int64_t) = nullptr;
  void *fnState = nullptr;
};

/// [0, n) split into consecutive blocks for the threads of `pool` (null:
/// one block): the bounds, first 0 and last n, blocks of at least
/// `minBlock` items, a few per thread so that uneven blocks even out.
/// Every parallel step of a build writes what each item gives alone, so
/// its result does not depend on the split.
std::vector<int64_t> splitRange(const ThreadPool *pool, int64_t n,
                                int64_t minBlock);

/// Calls fn(t) for t in [0, tasks) on the threads of `pool` (null: in
/// order on this thread).
template <typename Fn> void runTasks(ThreadPool *pool, int64_t tasks, Fn &&fn) {
  if (pool)
    pool->run(tasks, fn);
  else
    for (int64_t t = 0; t < tasks; ++t)
      fn(t);
}

/// Calls fn(begin, end) for each block of `bounds` (splitRange) on the
/// threads of `pool`.
template <typename Fn>
void forBlocks(ThreadPool *pool, const std::vector<int64_t> &bounds, Fn &&fn) {
  runTasks(pool, int64_t(bounds.size()) - 1,
           [&](int64_t b) { fn(bounds[size_t(b)], bounds[size_t(b) + 1]); });
}

/// fn(begin, end) over blocks of [0, n) on the threads of `pool`.
template <typename Fn>
void parallelFor(ThreadPool *pool, int64_t n, int64_t minBlock, Fn &&fn) {
  forBlocks(pool, splitRange(pool, n, minBlock), fn);
}

} // namespace neuro::rt

#endif // NEURO_RUNTIME_THREADPOOL_H

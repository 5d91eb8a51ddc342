//===- ThreadPool.h - Fork-join worker threads for the step loop -*- C++
//-*-===//
//
// A fixed set of worker threads that run the tasks of one phase of a step
// and return to the caller when all are done. The caller takes tasks too.
// Workers spin briefly between phases (a step is microseconds long) and then
// sleep, so an idle simulator does not hold cores. Which thread runs which
// task is unspecified: tasks must write disjoint data, and results then do
// not depend on the number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_THREADPOOL_H
#define NEURO_RUNTIME_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace neuro::rt {

class ThreadPool {
public:
  /// `threads` threads in all, the caller included (at least 1).
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
  int64_t numTasks = 0;
  void (*callFn)(void *, int64_t) = nullptr;
  void *fnState = nullptr;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_THREADPOOL_H

//===- ThreadPoolTest.cpp - Fork-join worker threads ----------------------===//

#include "neuro/Runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <new>
#include <set>
#include <thread>
#include <vector>

using namespace neuro::rt;

namespace {

// Every task of every run is done exactly once, whatever the number of
// threads and tasks, and the caller sees all writes when run() returns.
TEST(ThreadPoolTest, EachTaskOnceAndVisible) {
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t tasks : {0, 1, 2, 5, 64, 1000}) {
      for (int round = 0; round < 50; ++round) {
        std::vector<int> count(size_t(tasks), 0);
        pool.run(tasks, [&](int64_t t) { count[size_t(t)] += round + 1; });
        for (int64_t t = 0; t < tasks; ++t)
          ASSERT_EQ(count[size_t(t)], round + 1)
              << threads << " threads, " << tasks << " tasks, task " << t;
      }
    }
  }
}

// With more than one thread, tasks do run on other threads (the pool is
// not silently serial), and only on the pool's threads.
TEST(ThreadPoolTest, UsesItsWorkers) {
  ThreadPool pool(2);
  std::set<std::thread::id> seen;
  for (int round = 0; round < 200 && seen.size() < 2; ++round) {
    std::vector<std::thread::id> ids(64);
    pool.run(64, [&](int64_t t) {
      // Long enough that the caller cannot take every task alone.
      volatile double x = 0;
      for (int i = 0; i < 20000; ++i)
        x = x + 1.0;
      ids[size_t(t)] = std::this_thread::get_id();
    });
    seen.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(seen.size(), 2u);
}

// A pool that sleeps between runs wakes for the next one.
TEST(ThreadPoolTest, WakesAfterSleeping) {
  ThreadPool pool(3);
  std::atomic<int> sum{0};
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    pool.run(30, [&](int64_t t) { sum += int(t); });
  }
  EXPECT_EQ(sum.load(), 3 * (29 * 30 / 2));
}

// A task that throws (std::bad_alloc in a build) on any thread: run waits
// for every thread to leave the caller's data, skips the tasks not
// started, and rethrows it; the pool runs the next call whole. (The
// exception left run while workers still wrote to freed buffers, and one
// thrown on a worker ended the process.)
TEST(ThreadPoolTest, ATaskThatThrowsIsRethrownOnceAllStop) {
  ThreadPool pool(3);
  for (int64_t bad : {0, 7, 63}) {
    std::atomic<int> running{0}, after{0};
    EXPECT_THROW(pool.run(64,
                          [&](int64_t t) {
                            ++running;
                            std::this_thread::sleep_for(
                                std::chrono::microseconds(200));
                            if (t == bad)
                              throw std::bad_alloc();
                            --running;
                          }),
                 std::bad_alloc);
    // Only the throwing task is still counted: none is left running.
    EXPECT_EQ(running.load(), 1);
    pool.run(10, [&](int64_t) { ++after; });
    EXPECT_EQ(after.load(), 10);
  }
}

} // namespace

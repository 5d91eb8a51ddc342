//===- ThreadPoolTest.cpp - Fork-join worker threads ----------------------===//

#include "neuro/Runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
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

} // namespace

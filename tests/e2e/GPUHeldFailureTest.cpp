//===- GPUHeldFailureTest.cpp - A device whose first failure is held ------===//
//
// Over several processes the GPU backend holds its device's first failure
// until the next exchange (holdFailures): that call and every later one
// return true and do nothing, and the message is kept for the exchange,
// where every process learns it.
//
//===----------------------------------------------------------------------===//

#include "cuda/Device.h"

#include "gtest/gtest.h"

#include <cstdint>

using namespace neuro::rt::cuda;

namespace {

TEST(GPUHeldFailure, TheFirstFailureIsKeptAndLaterCallsDoNothing) {
  std::string failure;
  std::unique_ptr<Device> dev = holdFailures(
      hostDevice([](const std::string &) -> HostKernel { return nullptr; }),
      failure);
  std::string err;
  CUdeviceptr p = 0;
  ASSERT_TRUE(dev->alloc(sizeof(int64_t), p, err));
  int64_t seven = 7, back = 0;
  ASSERT_TRUE(dev->upload(p, &seven, sizeof seven, err));
  ASSERT_TRUE(dev->download(&back, p, sizeof back, err));
  EXPECT_EQ(back, 7);
  EXPECT_EQ(failure, "");

  // A launch of a kernel the device lacks fails: held, not returned.
  KernelArgs args(0);
  EXPECT_TRUE(dev->launch("neuro_step_missing", 1, args, err));
  EXPECT_EQ(failure, "the kernels have no 'neuro_step_missing'");
  EXPECT_EQ(err, "");

  // Everything after it is skipped, and the first message stays.
  int64_t eight = 8;
  back = 0;
  EXPECT_TRUE(dev->upload(p, &eight, sizeof eight, err));
  EXPECT_TRUE(dev->download(&back, p, sizeof back, err));
  EXPECT_EQ(back, 0);
  EXPECT_TRUE(dev->launch("neuro_reset_missing", 1, args, err));
  EXPECT_TRUE(dev->finish(err));
  EXPECT_EQ(failure, "the kernels have no 'neuro_step_missing'");
}

} // namespace

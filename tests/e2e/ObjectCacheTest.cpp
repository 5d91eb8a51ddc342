//===- ObjectCacheTest.cpp - Damaged cache entries are compiled again -----===//

#include "neuro/Codegen/ObjectCache.h"
#include "neuro/Codegen/Compiler.h"
#include "neuro/Runtime/Simulator.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

using namespace neuro;
namespace fs = std::filesystem;

namespace {

const char *kModel = R"(
neuron N {
  state v: mV = 0 mV
  dv/dt = (10 mV - v) / 10 ms
  spike when v > 5 mV { v = 0 mV }
}
network Net {
  POP = 3 of N
  run 20 ms
}
)";

/// The model with population POP renamed: other kernels, another key.
std::string model(const std::string &pop) {
  std::string s = kModel;
  s.replace(s.find("POP"), 3, pop);
  return s;
}

class ObjectCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir =
        fs::temp_directory_path() /
        ("neuro-cache-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  /// Compiles `source` with the cache in `cache`, runs it and returns its
  /// spike count; `hit` says whether the kernels came from the cache.
  int64_t run(const std::string &source, const fs::path &cache, bool &hit) {
    std::string text;
    llvm::raw_string_ostream diagnostics(text);
    Compiler c(diagnostics);
    c.setCacheDir(cache.string());
    c.loadString("m.neuro", source);
    rt::ModelSpec spec;
    bool ok =
        c.parse() && c.check() && c.generate() && c.compileNetwork("", spec);
    EXPECT_TRUE(ok) << text;
    if (!ok)
      return -1;
    hit = c.cacheHit();
    rt::Simulator sim(spec);
    std::string err;
    EXPECT_TRUE(sim.build(err) && sim.run(err)) << err;
    return sim.spikeCount(0);
  }

  /// The one entry in `cache`.
  fs::path entry(const fs::path &cache) {
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(cache))
      files.push_back(e.path());
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? fs::path() : files[0];
  }

  fs::path dir;
};

TEST_F(ObjectCacheTest, FlippedBitsAreCompiledAgain) {
  bool hit = true;
  int64_t spikes = run(model("P"), dir, hit);
  EXPECT_FALSE(hit);
  EXPECT_GT(spikes, 0);
  EXPECT_EQ(run(model("P"), dir, hit), spikes);
  EXPECT_TRUE(hit);
  fs::path file = entry(dir);
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A bit in the middle of the object, in the trailer, and the entry cut.
  for (size_t at : {bytes.size() / 2, bytes.size() - 3, bytes.size() - 30}) {
    std::string damaged = bytes;
    damaged[at] ^= 0x10;
    if (at == bytes.size() - 30)
      damaged.resize(at);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << damaged;
    EXPECT_EQ(run(model("P"), dir, hit), spikes) << at;
    EXPECT_FALSE(hit) << at;
    // Replaced by a good entry.
    EXPECT_EQ(run(model("P"), dir, hit), spikes) << at;
    EXPECT_TRUE(hit) << at;
  }
}

TEST_F(ObjectCacheTest, AnEntryThatIsNoFileIsAMiss) {
  // A FIFO would block the read and /dev/zero never end it: both are
  // misses, compiled again and replaced by a good entry.
  bool hit = true;
  int64_t spikes = run(model("P"), dir, hit);
  fs::path file = entry(dir);
  for (bool fifo : {true, false}) {
    fs::remove(file);
    if (fifo)
      ASSERT_EQ(mkfifo(file.c_str(), 0600), 0);
    else
      fs::create_symlink("/dev/zero", file);
    EXPECT_EQ(run(model("P"), dir, hit), spikes) << fifo;
    EXPECT_FALSE(hit) << fifo;
    EXPECT_EQ(run(model("P"), dir, hit), spikes) << fifo;
    EXPECT_TRUE(hit) << fifo;
  }
}

TEST_F(ObjectCacheTest, AnEntryThatDoesNotBindIsCompiledAgain) {
  // Another model's object stored, with a valid checksum, under this
  // model's key: its kernels are missing, so it is compiled again.
  bool hit = true;
  int64_t spikes = run(model("P"), dir / "p", hit);
  run(model("Q"), dir / "q", hit);
  std::string keyP = entry(dir / "p").stem().string();
  std::string keyQ = entry(dir / "q").stem().string();
  ASSERT_NE(keyP, keyQ);
  std::unique_ptr<llvm::MemoryBuffer> q =
      ObjectCache((dir / "q").string()).lookup(keyQ);
  ASSERT_TRUE(q);
  ObjectCache((dir / "p").string()).store(keyP, q->getMemBufferRef());
  EXPECT_EQ(run(model("P"), dir / "p", hit), spikes);
  EXPECT_FALSE(hit);
  EXPECT_EQ(run(model("P"), dir / "p", hit), spikes);
  EXPECT_TRUE(hit);
}

} // namespace

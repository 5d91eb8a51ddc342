//===- NpyTest.cpp - Tests of the .npy writers ----------------------------===//

#include "neuro/Runtime/Npy.h"

#include "NpyReader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

using namespace neuro::rt;
using namespace neuro::rt::test;
namespace fs = std::filesystem;

namespace {

class NpyTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir =
        fs::temp_directory_path() /
        ("neuro-npy-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path dir;
};

TEST(NpyHeaderTest, LayoutAndPadding) {
  std::string h = npyHeader("'<f8'", {3});
  ASSERT_GE(h.size(), 10u);
  EXPECT_EQ(h.size() % 64, 0u);
  EXPECT_EQ(h.substr(0, 6), std::string("\x93NUMPY", 6));
  EXPECT_EQ(h[6], 1);
  EXPECT_EQ(h[7], 0);
  size_t len = size_t((unsigned char)h[8]) | size_t((unsigned char)h[9]) << 8;
  EXPECT_EQ(len, h.size() - 10);
  EXPECT_EQ(h.back(), '\n');
  std::string dict = h.substr(10);
  EXPECT_EQ(dict.rfind("{'descr': '<f8', 'fortran_order': False, "
                       "'shape': (3,), }",
                       0),
            0u);
  // Only spaces between the dict and the final newline.
  size_t end = dict.find('}');
  for (size_t k = end + 1; k + 1 < dict.size(); ++k)
    EXPECT_EQ(dict[k], ' ');

  EXPECT_NE(npyHeader("'<f8'", {2, 5}).find("'shape': (2, 5), }"),
            std::string::npos);
  EXPECT_NE(npyHeader("'<f8'", {}).find("'shape': (), }"), std::string::npos);
}

TEST(NpyHeaderTest, ParsesWhatTheWritersWrite) {
  NpyHeader h;
  std::string why;
  std::string bytes = npyHeader("[('i', '<i4'), ('t', '<f8')]", {7});
  ASSERT_TRUE(parseNpyHeader(bytes, h, why)) << why;
  EXPECT_TRUE(h.structured);
  EXPECT_FALSE(h.fortranOrder);
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].name, "i");
  EXPECT_EQ(h.fields[0].type, "<i4");
  EXPECT_EQ(h.fields[1].name, "t");
  EXPECT_EQ(h.fields[1].type, "<f8");
  EXPECT_EQ(h.shape, (std::vector<uint64_t>{7}));
  EXPECT_EQ(h.dataOffset, bytes.size());

  ASSERT_TRUE(parseNpyHeader(npyHeader("'<f8'", {2, 5}), h, why)) << why;
  EXPECT_FALSE(h.structured);
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(h.fields[0].name, "");
  EXPECT_EQ(h.shape, (std::vector<uint64_t>{2, 5}));

  // A dict cut short, a header longer than the bytes, another version.
  std::string cut = npyHeader("'<f8'", {3});
  cut[cut.find('}')] = ' ';
  EXPECT_FALSE(parseNpyHeader(cut, h, why));
  EXPECT_EQ(why, "the header ends early");
  EXPECT_FALSE(parseNpyHeader(bytes.substr(0, 40), h, why));
  EXPECT_EQ(why, "truncated header");
  std::string v9 = bytes;
  v9[6] = 9;
  EXPECT_FALSE(parseNpyHeader(v9, h, why));
  EXPECT_EQ(why, "unknown version 9");
}

TEST_F(NpyTest, SpikesRoundTrip) {
  std::vector<SpikeRecord> spikes = {{0, 0.0001}, {12, 0.0123}, {-1, -2.5}};
  std::string path = (dir / "s.npy").string(), err;
  ASSERT_TRUE(writeSpikesNpy(path, spikes, err)) << err;

  test::NpyFile f;
  ASSERT_TRUE(test::readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': [('i', '<i4'), ('t', '<f8')], "
                    "'fortran_order': False, 'shape': (3,), }");
  EXPECT_EQ(f.dataOffset % 64, 0u);
  ASSERT_EQ(f.data.size(), 3u * 12u);
  std::vector<SpikeRecord> back = test::decodeSpikes(f.data);
  ASSERT_EQ(back.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(back[k].i, spikes[k].i);
    EXPECT_EQ(back[k].t, spikes[k].t);
  }
  // Explicit little-endian bytes of the second record.
  const unsigned char *r = f.data.data() + 12;
  EXPECT_EQ(r[0], 12);
  EXPECT_EQ(r[1] | r[2] | r[3], 0);
}

TEST_F(NpyTest, EmptySpikes) {
  std::string path = (dir / "empty.npy").string(), err;
  ASSERT_TRUE(writeSpikesNpy(path, std::vector<SpikeRecord>{}, err)) << err;
  test::NpyFile f;
  ASSERT_TRUE(test::readNpy(path, f, err)) << err;
  EXPECT_NE(f.dict.find("'shape': (0,)"), std::string::npos);
  EXPECT_TRUE(f.data.empty());
  EXPECT_EQ(fs::file_size(path), f.dataOffset);
}

TEST_F(NpyTest, ManySpikesSpanSeveralChunks) {
  std::vector<SpikeRecord> spikes;
  for (int32_t k = 0; k < 20000; ++k)
    spikes.push_back({k % 97, k * 1e-4});
  std::string path = (dir / "many.npy").string(), err;
  ASSERT_TRUE(writeSpikesNpy(path, spikes, err)) << err;
  test::NpyFile f;
  ASSERT_TRUE(test::readNpy(path, f, err)) << err;
  std::vector<SpikeRecord> back = test::decodeSpikes(f.data);
  ASSERT_EQ(back.size(), spikes.size());
  for (size_t k = 0; k < spikes.size(); ++k) {
    ASSERT_EQ(back[k].i, spikes[k].i);
    ASSERT_EQ(back[k].t, spikes[k].t);
  }
}

TEST_F(NpyTest, F64Arrays) {
  std::vector<double> v = {1.5, -0.0, 3e300, std::nan(""), 7};
  std::string path = (dir / "v.npy").string(), err;
  ASSERT_TRUE(writeNpyF64(path, v.data(), {5}, err)) << err;
  test::NpyFile f;
  ASSERT_TRUE(test::readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (5,), }");
  std::vector<double> back = test::decodeF64(f.data);
  ASSERT_EQ(back.size(), 5u);
  EXPECT_EQ(back[0], 1.5);
  EXPECT_TRUE(std::signbit(back[1]));
  EXPECT_EQ(back[2], 3e300);
  EXPECT_TRUE(std::isnan(back[3]));
  EXPECT_EQ(back[4], 7);

  std::vector<double> m = {1, 2, 3, 4, 5, 6};
  std::string path2 = (dir / "m.npy").string();
  ASSERT_TRUE(writeNpyF64(path2, m.data(), {2, 3}, err)) << err;
  ASSERT_TRUE(test::readNpy(path2, f, err)) << err;
  EXPECT_NE(f.dict.find("'shape': (2, 3), }"), std::string::npos);
  EXPECT_EQ(test::decodeF64(f.data), m);
}

TEST_F(NpyTest, RejectsNegativeShape) {
  double x = 0;
  std::string err;
  EXPECT_FALSE(writeNpyF64((dir / "bad.npy").string(), &x, {-1}, err));
  EXPECT_NE(err.find("negative dimension"), std::string::npos) << err;
}

TEST_F(NpyTest, ReportsUnwritablePath) {
  std::string path = (dir / "no" / "such" / "dir" / "s.npy").string(), err;
  EXPECT_FALSE(writeSpikesNpy(path, {{1, 0.5}}, err));
  EXPECT_NE(err.find(path), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(NpyTest, ReportsFullDevice) {
  // /dev/full accepts open() but every write fails with ENOSPC; buffered
  // writes surface the error at fflush/fclose at the latest.
  if (!fs::exists("/dev/full"))
    GTEST_SKIP() << "no /dev/full";
  std::string err;
  EXPECT_FALSE(writeSpikesNpy("/dev/full", {{1, 0.5}}, err));
  EXPECT_NE(err.find("/dev/full"), std::string::npos) << err;
}

// A streamed file is a valid .npy after every sync, holding exactly the
// rows synced so far; rows appended but not synced are not counted.
TEST_F(NpyTest, StreamCountsSyncedRows) {
  std::string path = (dir / "grow.npy").string();
  std::string err;
  NpyStream stream;
  ASSERT_TRUE(stream.open(path, "'<f8'", {3}, 3 * sizeof(double), err)) << err;
  NpyFile f;
  ASSERT_TRUE(readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, "
                    "3), }");
  EXPECT_EQ(f.dataOffset % 64, 0u);
  EXPECT_TRUE(f.data.empty());

  double rows[6] = {1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(stream.append(rows, 2, err)) << err;
  ASSERT_TRUE(stream.sync(err)) << err;
  double more[3] = {7, 8, 9};
  ASSERT_TRUE(stream.append(more, 1, err)) << err;
  // Not synced: the header still says 2 rows (the data may or may not be
  // on disk yet).
  ASSERT_TRUE(readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, "
                    "3), }");
  ASSERT_TRUE(stream.close(err)) << err;
  ASSERT_TRUE(readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, "
                    "3), }");
  ASSERT_EQ(f.data.size(), 9 * sizeof(double));
  for (int k = 0; k < 9; ++k) {
    double v;
    std::memcpy(&v, f.data.data() + 8 * k, 8);
    EXPECT_EQ(v, double(k + 1));
  }
  EXPECT_EQ(stream.rows(), 3);
}

// Spike records stream as packed 12-byte records.
TEST_F(NpyTest, StreamOneDimensional) {
  std::string path = (dir / "spikes.npy").string();
  std::string err;
  NpyStream stream;
  ASSERT_TRUE(stream.open(path, "[('i', '<i4'), ('t', '<f8')]", {}, 12, err));
  unsigned char rec[24] = {};
  int32_t i0 = 7, i1 = 9;
  double t0 = 0.5, t1 = 1.25;
  std::memcpy(rec, &i0, 4);
  std::memcpy(rec + 4, &t0, 8);
  std::memcpy(rec + 12, &i1, 4);
  std::memcpy(rec + 16, &t1, 8);
  ASSERT_TRUE(stream.append(rec, 2, err));
  ASSERT_TRUE(stream.close(err));
  NpyFile f;
  ASSERT_TRUE(readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': [('i', '<i4'), ('t', '<f8')], 'fortran_order': "
                    "False, 'shape': (2,), }");
  std::vector<SpikeRecord> spikes = decodeSpikes(f.data);
  ASSERT_EQ(spikes.size(), 2u);
  EXPECT_EQ(spikes[1].i, 9);
  EXPECT_EQ(spikes[1].t, 1.25);
}

// After a failed write, rollback() cuts the file back to the rows of the
// last commit, rows synced since included, and the header says so: the
// file loads, holding those rows alone; the stream takes nothing more.
TEST_F(NpyTest, StreamRollsBackToTheLastCommit) {
  std::string path = (dir / "cut.npy").string();
  std::string err;
  NpyStream stream;
  ASSERT_TRUE(stream.open(path, "'<f8'", {2}, 2 * sizeof(double), err));
  double rows[4] = {1, 2, 3, 4};
  ASSERT_TRUE(stream.append(rows, 2, err) && stream.sync(err)) << err;
  stream.commit();
  double more[4] = {5, 6, 7, 8};
  ASSERT_TRUE(stream.append(more, 1, err) && stream.sync(err)) << err;
  ASSERT_TRUE(stream.append(more + 2, 1, err)) << err; // buffered only
  stream.rollback();
  EXPECT_EQ(stream.rows(), 2);
  EXPECT_FALSE(stream.append(more, 1, err));
  EXPECT_NE(err.find("an earlier write failed"), std::string::npos) << err;
  EXPECT_TRUE(stream.close(err)) << err;
  NpyFile f;
  ASSERT_TRUE(readNpy(path, f, err)) << err;
  EXPECT_EQ(f.dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, "
                    "2), }");
  ASSERT_EQ(f.data.size(), 4 * sizeof(double));
  double last;
  std::memcpy(&last, f.data.data() + 24, 8);
  EXPECT_EQ(last, 4.0);
}

// A file that cannot be written is an error that names it.
TEST_F(NpyTest, StreamReportsWriteErrors) {
  std::string err;
  NpyStream stream;
  EXPECT_FALSE(stream.open((dir / "no" / "such" / "x.npy").string(), "'<f8'",
                           {}, 8, err));
  EXPECT_NE(err.find("x.npy"), std::string::npos) << err;
}

} // namespace

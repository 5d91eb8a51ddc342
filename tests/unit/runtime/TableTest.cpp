//===- TableTest.cpp - Tests of the CSV and .npy table reader -------------===//

#include "neuro/Runtime/Table.h"
#include "neuro/Runtime/Npy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace neuro::rt;
namespace fs = std::filesystem;

namespace {

class TableTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir =
        fs::temp_directory_path() /
        ("neuro-table-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string &name, const std::string &text) {
    std::string path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir;
};

TEST_F(TableTest, CsvWithHeaderCommentsAndSpaces) {
  std::string path = write("edges.csv", "# a comment\npre, post,weight\n"
                                        "0, 1, 0.5\n\n2,0,-1.25e-3\n");
  Table t;
  std::string err;
  ASSERT_TRUE(readTable(path, t, err)) << err;
  ASSERT_EQ(t.names, (std::vector<std::string>{"pre", "post", "weight"}));
  ASSERT_EQ(t.numRows(), 2u);
  EXPECT_EQ(t.column("post"), 1);
  EXPECT_EQ(t.column("delay"), -1);
  EXPECT_EQ(t.columns[0], (std::vector<double>{0, 2}));
  EXPECT_EQ(t.columns[2], (std::vector<double>{0.5, -1.25e-3}));
}

TEST_F(TableTest, CsvErrorsNameTheLine) {
  Table t;
  std::string err;
  EXPECT_FALSE(readTable(write("a.csv", "pre,post\n1,2\n3\n"), t, err));
  EXPECT_NE(err.find("a.csv:3: 1 values, the header has 2 columns"),
            std::string::npos)
      << err;
  EXPECT_FALSE(readTable(write("b.csv", "pre,post\n1,x\n"), t, err));
  EXPECT_NE(err.find("b.csv:2: 'x' in column 'post' is not a finite number"),
            std::string::npos)
      << err;
  EXPECT_FALSE(readTable(write("c.csv", "\n# nothing\n"), t, err));
  EXPECT_NE(err.find("has no header line"), std::string::npos) << err;
  EXPECT_FALSE(readTable((dir / "missing.csv").string(), t, err));
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
}

TEST_F(TableTest, NpyTwoDimensionalAndStructured) {
  std::string path = (dir / "m.npy").string();
  std::string err;
  double m[6] = {0, 1, 0.5, 3, 4, 2.5};
  ASSERT_TRUE(writeNpyF64(path, m, {2, 3}, err)) << err;
  Table t;
  ASSERT_TRUE(readTable(path, t, err)) << err;
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.names[0], "");
  EXPECT_EQ(t.columns[1], (std::vector<double>{1, 4}));
  EXPECT_EQ(t.columns[2], (std::vector<double>{0.5, 2.5}));

  // The spike files Neuro writes read back by field name.
  std::string spikes = (dir / "s.npy").string();
  ASSERT_TRUE(writeSpikesNpy(spikes, {{3, 0.0015}, {1, 0.25}}, err)) << err;
  ASSERT_TRUE(readTable(spikes, t, err)) << err;
  ASSERT_EQ(t.names, (std::vector<std::string>{"i", "t"}));
  EXPECT_EQ(t.columns[0], (std::vector<double>{3, 1}));
  EXPECT_EQ(t.columns[1], (std::vector<double>{0.0015, 0.25}));
}

TEST_F(TableTest, NpyRejectsWhatItCannotRead) {
  Table t;
  std::string err;
  EXPECT_FALSE(readTable(write("x.npy", "not numpy"), t, err));
  EXPECT_NE(err.find("no .npy magic"), std::string::npos) << err;
  std::string path = (dir / "short.npy").string();
  double v[4] = {1, 2, 3, 4};
  ASSERT_TRUE(writeNpyF64(path, v, {4}, err));
  fs::resize_file(path, fs::file_size(path) - 8);
  EXPECT_FALSE(readTable(path, t, err));
  EXPECT_NE(err.find("shorter than the shape"), std::string::npos) << err;
}

} // namespace

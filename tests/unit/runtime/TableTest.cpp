//===- TableTest.cpp - Tests of the CSV and .npy table reader -------------===//

#include "neuro/Runtime/Table.h"
#include "neuro/Runtime/Npy.h"

#include <gtest/gtest.h>

#include <cmath>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

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

TEST_F(TableTest, CsvNumbersReadAsStrtodReadsThem) {
  // Decimal forms, a leading '+', hexadecimal, underflow to zero, and the
  // shortest form that round-trips a double, bit for bit.
  std::string path = write("n.csv", "x\n+1.5\n.25\n-3e2\n0x10\n1e-400\n"
                                    "0.1\n2.2250738585072014e-308\n");
  Table t;
  std::string err;
  ASSERT_TRUE(readTable(path, t, err)) << err;
  EXPECT_EQ(t.columns[0], (std::vector<double>{1.5, 0.25, -300, 16, 0, 0.1,
                                               2.2250738585072014e-308}));
  for (const char *bad : {"+-1", "1e400", "5e", "nan", "1,5"}) {
    EXPECT_FALSE(
        readTable(write("b.csv", std::string("x\n") + bad + "\n"), t, err))
        << bad;
    EXPECT_NE(err.find("b.csv:2:"), std::string::npos) << err;
  }
  // A NUL ends strtod's number, not the cell.
  EXPECT_FALSE(
      readTable(write("nul.csv", std::string("x\n0\0zzz\n", 9)), t, err));
  EXPECT_NE(err.find("nul.csv:2:"), std::string::npos) << err;
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

/// A .npy file of header dict `dict` (version 1) followed by `data`.
std::string npyBytes(const std::string &dict, const std::string &data = "") {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + data;
}

std::string f64Bytes(std::initializer_list<double> values) {
  std::string out;
  for (double v : values)
    out.append(reinterpret_cast<const char *>(&v), sizeof v);
  return out;
}

TEST_F(TableTest, NpyHostileHeadersAreRefusedWithoutAllocating) {
  Table t;
  std::string err;
  auto refused = [&](const std::string &name, const std::string &bytes,
                     const std::string &why) {
    std::string path = write(name, bytes);
    EXPECT_FALSE(readTable(path, t, err)) << name;
    EXPECT_EQ(err, "'" + path + "' is not a .npy file Neuro can read: " + why)
        << name;
  };
  // 2^61 rows: the size overflows 64 bits rather than allocating.
  refused("huge.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': (2305843009213693952,), }",
                   f64Bytes({1, 2})),
          "the data is shorter than the shape (2305843009213693952,) says");
  refused("rows.npy",
          npyBytes("{'descr': '<i1', 'fortran_order': False, "
                   "'shape': (4294967296, 4294967296), }"),
          "shape (4294967296, 4294967296) has more columns than the file has "
          "bytes");
  // No rows, 30 million columns: the columns alone would take gigabytes.
  refused("wide.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': (0, 30000000), }"),
          "shape (0, 30000000) has more columns than the file has bytes");
  // 10^18 rows of no bytes would be counted one by one.
  refused("nocolumns.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': (1000000000000000000, 0), }"),
          "shape (1000000000000000000, 0) has no columns");
  refused("nofields.npy",
          npyBytes("{'descr': [], 'fortran_order': False, 'shape': (3,), }"),
          "the structured dtype has no fields");
  refused("subarray.npy",
          npyBytes("{'descr': [('i', '<i8'), ('t', '<f8', (2,))], "
                   "'fortran_order': False, 'shape': (1,), }",
                   std::string(24, '\0')),
          "field 't' is a subarray of shape (2,); Neuro reads fields of one "
          "number each");
  refused("float.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': (1.9e3, 2), }"),
          "'1.9e3' is not a whole number >= 0");
  refused("negative.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': (-1,), }"),
          "'-1' is not a whole number >= 0");
  refused("nodict.npy", npyBytes("['descr', '<f8']"),
          "the header is not a dict");
  refused("nokey.npy", npyBytes("{'descr': '<f8', 'shape': (1,)}"),
          "the header lacks 'descr', 'fortran_order' or 'shape'");
  refused("deep.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': ((((((((((1,),),),),),),),),),), }"),
          "the header nests too deeply");
  refused("bigendian.npy",
          npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                   f64Bytes({1})),
          "unsupported dtype '>f8'");
  refused("long.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\x7f{}", 14),
          "truncated header");
  refused("three.npy",
          npyBytes("{'descr': '<f8', 'fortran_order': False, "
                   "'shape': (1, 1, 1), }",
                   f64Bytes({1})),
          "shape (1, 1, 1): only 1-D and 2-D arrays of numbers and 1-D "
          "structured arrays are tables");
}

TEST_F(TableTest, NpyHeaderIsParsedAsAPythonDict) {
  Table t;
  std::string err;
  // No spaces after the colons, keys in another order, Fortran order: a
  // 2 x 3 array stored column after column.
  std::string path =
      write("f.npy", npyBytes("{'shape':(2,3),'fortran_order':True,"
                              "'descr':'<f8'}",
                              f64Bytes({1, 4, 2, 5, 3, 6})));
  ASSERT_TRUE(readTable(path, t, err)) << err;
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0], (std::vector<double>{1, 4}));
  EXPECT_EQ(t.columns[1], (std::vector<double>{2, 5}));
  EXPECT_EQ(t.columns[2], (std::vector<double>{3, 6}));
  // Double quotes and a structured dtype over several lines of spacing.
  std::string spikes =
      write("s.npy",
            npyBytes("{\"descr\": [ (\"i\", \"<i8\") ,(\"t\","
                     "\"<f8\") ], \"fortran_order\": False, "
                     "\"shape\": (1,)}",
                     std::string("\x07\0\0\0\0\0\0\0", 8) + f64Bytes({0.5})));
  ASSERT_TRUE(readTable(spikes, t, err)) << err;
  ASSERT_EQ(t.names, (std::vector<std::string>{"i", "t"}));
  EXPECT_EQ(t.columns[0], (std::vector<double>{7}));
  EXPECT_EQ(t.columns[1], (std::vector<double>{0.5}));
}

TEST_F(TableTest, OnlyRegularFilesAreRead) {
  Table t;
  std::string err;
  fs::create_directories(dir / "x.npy");
  EXPECT_FALSE(readTable((dir / "x.npy").string(), t, err));
  EXPECT_EQ(err, "'" + (dir / "x.npy").string() +
                     "' is a directory, not a regular file");
  std::string fifo = (dir / "pipe.csv").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(readTable(fifo, t, err));
  EXPECT_EQ(err, "'" + fifo + "' is a FIFO, not a regular file");
  if (fs::exists("/dev/zero")) {
    EXPECT_FALSE(readTable("/dev/zero", t, err));
    EXPECT_EQ(err, "'/dev/zero' is a character device, not a regular file");
  }
  EXPECT_FALSE(readTable((dir / "missing.csv").string(), t, err));
  EXPECT_EQ(err, "cannot open '" + (dir / "missing.csv").string() +
                     "': No such file or directory");
}

TEST_F(TableTest, CsvLinesAcrossBlocksReadWhole) {
  // 300,000 rows (about 3.4 MB: four blocks of 1 MiB), CRLF line ends, a
  // line of 2 MB of spaces, and a last line without its newline: every
  // row whole, whatever block boundary it straddles.
  std::string text = "pre,post,weight\r\n";
  for (int r = 0; r < 300000; ++r) {
    text += std::to_string(r) + "," + std::to_string(r % 7) + "," +
            std::to_string(r % 13) + ".5\r\n";
    if (r == 150000)
      text += std::string(2 << 20, ' ') + "\n";
  }
  text += "1,2,3";
  Table t;
  std::string err;
  ASSERT_TRUE(readTable(write("big.csv", text), t, err)) << err;
  ASSERT_EQ(t.numRows(), 300001u);
  for (size_t r = 0; r < 300000; ++r) {
    ASSERT_EQ(t.columns[0][r], double(r)) << r;
    ASSERT_EQ(t.columns[1][r], double(r % 7)) << r;
    ASSERT_EQ(t.columns[2][r], double(r % 13) + 0.5) << r;
  }
  EXPECT_EQ(t.columns[2][300000], 3.0);
  // The line numbers of errors count across blocks too.
  text += 'x';
  EXPECT_FALSE(readTable(write("bad.csv", text), t, err));
  EXPECT_NE(err.find("bad.csv:300003: '3x' in column 'weight' is not a "
                     "finite number"),
            std::string::npos)
      << err;
}

TEST_F(TableTest, NpyFortranOrderOverSeveralBlocks) {
  // 100,000 x 3 (2.4 MB), column after column: each block reads its rows
  // of every column.
  const size_t rows = 100000;
  std::string data;
  for (int c = 0; c < 3; ++c) {
    std::string col;
    for (size_t r = 0; r < rows; ++r) {
      double v = double(r) * 10 + c;
      col.append(reinterpret_cast<const char *>(&v), sizeof v);
    }
    data += col;
  }
  std::string path =
      write("f.npy", npyBytes("{'descr': '<f8', 'fortran_order': True, "
                              "'shape': (100000, 3), }",
                              data));
  Table t;
  std::string err;
  ASSERT_TRUE(readTable(path, t, err)) << err;
  ASSERT_EQ(t.numRows(), rows);
  for (size_t r = 0; r < rows; ++r)
    for (int c = 0; c < 3; ++c)
      ASSERT_EQ(t.columns[size_t(c)][r], double(r) * 10 + c) << r << " " << c;
}

TEST_F(TableTest, ConnectionsAreCheckedRowByRow) {
  ConnectionList list;
  std::string err;
  std::string path =
      write("c.csv", "pre,post,w,delay\n0,1,0.5,0.001\n2,0,-1,0\n");
  ASSERT_TRUE(readConnections(path, "w", list, err)) << err;
  EXPECT_EQ(list.pre, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(list.post, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(list.weight, (std::vector<double>{0.5, -1}));
  EXPECT_EQ(list.delay, (std::vector<double>{0.001, 0}));

  EXPECT_FALSE(
      readConnections(write("d.csv", "pre,post\n0,1\n1.5,2\n"), "", list, err));
  EXPECT_NE(err.find("d.csv: row 2: pre 1.5 is not a neuron index"),
            std::string::npos)
      << err;
  EXPECT_TRUE(list.pre.empty());
  EXPECT_FALSE(readConnections(write("e.csv", "pre,post,size\n0,1,2\n"), "w",
                               list, err));
  EXPECT_NE(err.find("unknown column 'size' (expected pre, post, weight or w, "
                     "delay)"),
            std::string::npos)
      << err;
  // .npy admits what CSV cannot write: a weight that is not finite.
  std::string npy = (dir / "n.npy").string();
  double m[6] = {0, 1, 0.5, 1, 0, std::nan("")};
  ASSERT_TRUE(writeNpyF64(npy, m, {2, 3}, err)) << err;
  EXPECT_FALSE(readConnections(npy, "", list, err));
  EXPECT_NE(err.find("n.npy: row 2: weight nan is not a finite number"),
            std::string::npos)
      << err;
  // Columns go by position in a 2-D .npy: a fifth would be dropped.
  std::string wide = (dir / "w.npy").string();
  double five[5] = {0, 1, 0.5, 1e-3, 7};
  ASSERT_TRUE(writeNpyF64(wide, five, {1, 5}, err)) << err;
  EXPECT_FALSE(readConnections(wide, "", list, err));
  EXPECT_EQ(err, "'" + wide +
                     "' has 5 columns; expected pre, post, and weight and "
                     "delay when given");
}

TEST_F(TableTest, ConnectionColumnsNamedTwiceAreRefused) {
  std::string err;
  ConnectionSummary summary;
  auto refused = [&](const std::string &header, const std::string &why) {
    std::string path = write("c.csv", header + "\n0,1,1,2\n");
    EXPECT_FALSE(summarizeConnections(path, "w", summary, err)) << header;
    EXPECT_EQ(err, "'" + path + "': " + why) << header;
  };
  refused("pre,post,w,weight",
          "columns 'weight' and 'w' name the same thing; keep one");
  refused("pre,post,pre,w", "column 'pre' appears twice");
  refused("i,post,pre,w",
          "columns 'pre' and 'i' name the same thing; keep one");
}

TEST_F(TableTest, ConnectionSummaryKeepsTheExtremesAndTheirFirstRows) {
  ConnectionSummary s;
  std::string err;
  std::string path = write("s.csv", "pre,post,weight\n3,1,0.5\n9,4,-2\n"
                                    "9,0,7\n1,4,-2\n");
  ASSERT_TRUE(summarizeConnections(path, "", s, err)) << err;
  EXPECT_TRUE(s.weights);
  EXPECT_FALSE(s.delays);
  EXPECT_EQ(s.rows, 4u);
  EXPECT_EQ(s.maxPre, 9);
  EXPECT_EQ(s.maxPreRow, 1u);
  EXPECT_EQ(s.maxPost, 4);
  EXPECT_EQ(s.maxPostRow, 1u);
  EXPECT_EQ(s.minWeight, -2);
  EXPECT_EQ(s.minWeightRow, 1u);
  EXPECT_EQ(s.maxWeight, 7);
  EXPECT_EQ(s.maxWeightRow, 2u);
  ASSERT_TRUE(summarizeConnections(
      write("d.csv", "pre,post,delay\n0,0,0.002\n1,1,0.005\n2,2,0.005\n"), "",
      s, err))
      << err;
  EXPECT_TRUE(s.delays);
  EXPECT_EQ(s.maxDelay, 0.005);
  EXPECT_EQ(s.maxDelayRow, 1u);
  ASSERT_TRUE(summarizeConnections(write("e.csv", "pre,post\n"), "", s, err));
  EXPECT_EQ(s.rows, 0u);
  EXPECT_EQ(s.maxPre, -1);
}

TEST_F(TableTest, NamesAndSpikeTimes) {
  std::vector<std::string> names;
  std::string err;
  ASSERT_TRUE(
      readNames(write("n.csv", "id,name\n1, L2/3 e \n2,x\n"), names, err))
      << err;
  EXPECT_EQ(names, (std::vector<std::string>{"L2/3 e", "x"}));
  EXPECT_FALSE(readNames(write("m.csv", "a,b\n1,2\n"), names, err));
  EXPECT_NE(err.find("has 2 columns ('a', 'b') and none is called 'name'"),
            std::string::npos)
      << err;
  std::vector<int64_t> indices;
  std::vector<double> times;
  ASSERT_TRUE(readSpikeTimes(write("t.csv", "i,t\n2,0.5\n0,0.25\n"), indices,
                             times, err))
      << err;
  EXPECT_EQ(indices, (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(times, (std::vector<double>{0.5, 0.25}));
  EXPECT_FALSE(
      readSpikeTimes(write("u.csv", "i,t\n2,-1\n"), indices, times, err));
  EXPECT_NE(err.find("u.csv: row 1: spike time -1 is not a time >= 0"),
            std::string::npos)
      << err;
}

} // namespace

//===- HDF5Test.cpp - The HDF5 layer: write, read back, errors ------------===//

#include "neuro/Interop/HDF5.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

using namespace neuro;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "neuro_hdf5_" + name;
}

TEST(HDF5, WritesAndReadsBack) {
  std::string path = tempPath("roundtrip.h5");
  {
    h5::File f = h5::File::create(path);
    h5::Group root = f.root();
    root.writeString("version", "0.2.0");
    h5::Group g = root.createGroup("node");
    g.writeNumbers("w32", {2, 3}, {1, 2, 3, 4, 5, 0.1}, h5::Precision::Float32);
    g.writeNumbers("w64", {3}, {0.1, 0.2, 0.3});
    g.writeInts("shape", {3}, {2, 34, 34});
    g.writeStrings("edges", {2, 2}, {"a", "b", "b", "c"});
    g.writeAttribute("units", "s");
    g.writeAttribute("scale", 2.5);
    EXPECT_THROW(g.writeInts("shape", {1}, {1}), h5::Error);
    EXPECT_THROW(g.writeInts("bad", {2}, {1}), h5::Error);
  }
  h5::File f = h5::File::open(path);
  h5::Group root = f.root();
  EXPECT_EQ(root.children(), (std::vector<std::string>{"node", "version"}));
  h5::Array v = root.read("version");
  EXPECT_EQ(v.kind, h5::Kind::String);
  EXPECT_TRUE(v.shape.empty());
  EXPECT_EQ(v.strings, (std::vector<std::string>{"0.2.0"}));
  h5::Group g = root.group("node");
  EXPECT_EQ(g.path(), "/node");
  EXPECT_TRUE(g.isDataset("w32"));
  EXPECT_FALSE(g.isGroup("w32"));
  h5::Array w = g.read("w32");
  EXPECT_EQ(w.kind, h5::Kind::Float);
  EXPECT_EQ(w.elementSize, 4u);
  EXPECT_EQ(w.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(w.shapeString(), "(2, 3)");
  EXPECT_EQ(w.numbers[5], double(0.1f));
  EXPECT_EQ(g.read("w64").numbers[2], 0.3);
  h5::Array s = g.read("shape");
  EXPECT_EQ(s.kind, h5::Kind::Int);
  EXPECT_EQ(s.ints, (std::vector<int64_t>{2, 34, 34}));
  EXPECT_EQ(s.numbers[1], 34.0);
  h5::Array e = g.read("edges");
  EXPECT_EQ(e.strings, (std::vector<std::string>{"a", "b", "b", "c"}));
  EXPECT_EQ(g.attributes(), (std::vector<std::string>{"scale", "units"}));
  EXPECT_EQ(g.readAttribute("units").strings[0], "s");
  EXPECT_EQ(g.readAttribute("scale").numbers[0], 2.5);
  std::remove(path.c_str());
}

TEST(HDF5, AppendersGrow) {
  std::string path = tempPath("append.h5");
  {
    h5::File f = h5::File::create(path);
    h5::Group g = f.root().createGroup("spikes");
    h5::Appender t = g.createAppender("t", h5::Precision::Float64, 4);
    h5::Appender i = g.createAppender("i", h5::Precision::Int64, 4);
    std::vector<double> times = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5};
    std::vector<int64_t> ids = {3, 1, 4, 1, 5, 9, 2};
    t.append(times.data(), 3);
    i.append(ids.data(), 3);
    g.flushFile();
    t.append(times.data() + 3, 0);
    t.append(times.data() + 3, 4);
    i.append(ids.data() + 3, 4);
    EXPECT_EQ(t.size(), 7u);
    EXPECT_EQ(i.size(), 7u);
    EXPECT_THROW(g.createAppender("t", h5::Precision::Float64), h5::Error);
    g.writeAttribute("units", "ms", "t");
  }
  h5::Group g = h5::File::open(path).root().group("spikes");
  h5::Array t = g.read("t"), i = g.read("i");
  EXPECT_EQ(t.shape, (std::vector<uint64_t>{7}));
  EXPECT_EQ(t.numbers,
            (std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5}));
  EXPECT_EQ(i.ints, (std::vector<int64_t>{3, 1, 4, 1, 5, 9, 2}));
  EXPECT_TRUE(g.hasAttribute("units", "t"));
  EXPECT_FALSE(g.hasAttribute("units"));
  EXPECT_EQ(g.readAttribute("units", "t").strings[0], "ms");
  std::remove(path.c_str());
}

TEST(HDF5, ErrorsNameTheFileAndObject) {
  std::string path = tempPath("errors.h5");
  h5::File::create(path).root().createGroup("node");
  h5::File f = h5::File::open(path);
  try {
    f.root().group("node").read("weight");
    FAIL() << "no error";
  } catch (const h5::Error &err) {
    EXPECT_EQ(std::string(err.what()),
              path + ": /node/weight: no such dataset");
  }
  EXPECT_THROW(f.root().group("missing"), h5::Error);
  std::remove(path.c_str());
  std::string text = tempPath("text.h5");
  std::ofstream(text) << "not HDF5\n";
  EXPECT_FALSE(h5::File::isHDF5(text));
  try {
    h5::File::open(text);
    FAIL() << "no error";
  } catch (const h5::Error &err) {
    EXPECT_EQ(std::string(err.what()), text + ": not an HDF5 file");
  }
  std::remove(text.c_str());
  EXPECT_THROW(h5::File::open(tempPath("absent.h5")), h5::Error);
}

} // namespace

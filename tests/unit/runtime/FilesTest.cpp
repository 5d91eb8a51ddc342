//===- FilesTest.cpp - Writing whole files --------------------------------===//
//
// writeWholeFile: the bytes land in the file; a full disk (/dev/full) or a
// missing folder is an error with the system's reason, and a device is
// never removed after a failed write.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Files.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <filesystem>
#include <unistd.h>

using namespace neuro::rt;

namespace {

TEST(Files, WriteWholeFileWritesTheBytes) {
  std::string path = testing::TempDir() + "neuro-files-test.txt";
  std::string err, back;
  ASSERT_TRUE(writeWholeFile(path, std::string("a\0b", 3), err)) << err;
  ASSERT_TRUE(readWholeFile(path, back, err)) << err;
  EXPECT_EQ(back, std::string("a\0b", 3));
  std::remove(path.c_str());
}

TEST(Files, WriteWholeFileSaysWhyItFailed) {
  std::string err;
  EXPECT_FALSE(writeWholeFile("/nonexistent-folder/x.csv", "1\n", err));
  EXPECT_EQ(err, "cannot write '/nonexistent-folder/x.csv': No such file or "
                 "directory");
  if (::access("/dev/full", W_OK) == 0) {
    err.clear();
    EXPECT_FALSE(writeWholeFile("/dev/full", std::string(1 << 16, 'x'), err));
    EXPECT_EQ(err, "cannot write '/dev/full': No space left on device");
    EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
  }
}

} // namespace

//===- Files.cpp - Reading the files a model names ------------------------===//

#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Quote.h"

#include <filesystem>
#include <system_error>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace neuro::rt;

namespace {

const char *kindOf(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a file";
}

} // namespace

bool neuro::rt::checkRegularFile(const std::string &path, std::string &err,
                                 uint64_t *size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    err = "cannot open '" + visible(path) + "': " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    err = "'" + visible(path) + "' is " + kindOf(st.st_mode) +
          ", not a regular file";
    return false;
  }
  if (size)
    *size = uint64_t(st.st_size);
  return true;
}

bool neuro::rt::checkReplaceable(const std::string &path, std::string &err) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    err = "'" + visible(path) + "' is " + kindOf(st.st_mode) +
          ", not a regular file";
    return false;
  }
  // The file is written beside the target and renamed: its folder must
  // take a new file.
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty())
    folder = ".";
  struct stat dir;
  if (::stat(folder.c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode)) {
    err = "cannot write '" + path + "': '" + folder + "' is not a folder";
    return false;
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    err = "cannot create '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

bool neuro::rt::writeWholeFile(const std::string &path,
                               const std::string &bytes, std::string &err) {
  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    err = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fflush(file) == 0 && ok;
  int why = errno;
  ok = std::fclose(file) == 0 && ok;
  if (ok)
    return true;
  err = "cannot write '" + path + "': " + std::strerror(why ? why : errno);
  // Only a regular file goes (never a device such as /dev/full).
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
    std::remove(path.c_str());
  return false;
}

bool neuro::rt::readWholeFile(const std::string &path, std::string &bytes,
                              std::string &err) {
  uint64_t size = 0;
  if (!checkRegularFile(path, err, &size))
    return false;
  struct Closer {
    void operator()(std::FILE *f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    err = "cannot open '" + visible(path) + "': " + std::strerror(errno);
    return false;
  }
  try {
    bytes.assign(size_t(size), '\0');
  } catch (const std::exception &) {
    err = "'" + visible(path) + "' (" + std::to_string(size) +
          " bytes) does not fit in memory";
    return false;
  }
  // The file may have changed size since stat(): read what is there.
  size_t got = size ? std::fread(bytes.data(), 1, bytes.size(), file.get()) : 0;
  if (std::ferror(file.get())) {
    err = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  bytes.resize(got);
  return true;
}

bool neuro::rt::makeOutputDirectory(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  fs::path base = dir.empty() ? fs::path(".") : fs::path(dir);
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec || !fs::is_directory(base, ec)) {
    err = "cannot create directory '" + base.string() + "'";
    if (ec)
      err += ": " + ec.message();
    return false;
  }
  return true;
}

bool neuro::rt::jsonTooDeep(const std::string &text) {
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

uint64_t neuro::rt::bytesUnder(const std::string &dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t bytes = 0;
  fs::recursive_directory_iterator it(dir.empty() ? "." : dir, ec), end;
  for (int seen = 0; !ec && it != end && seen < 1000000;
       it.increment(ec), ++seen)
    if (it->is_regular_file(ec))
      bytes += it->file_size(ec);
  return bytes;
}

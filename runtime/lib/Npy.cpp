//===- Npy.cpp - NumPy .npy writers ---------------------------------------===//
//
// Data are serialized byte by byte into a bounded buffer, so the files are
// little-endian whatever the host, and written in chunks. Every fwrite and the
// final fclose are checked; a file that could not be written completely is
// removed if this writer created it.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/Quote.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdio_ext.h>
#include <system_error>
#include <unistd.h>

using namespace neuro::rt;

namespace {

/// Size of the serialization buffer flushed to the file.
constexpr size_t kChunkBytes = size_t(1) << 16;

/// A FILE* opened for writing whose failures become messages naming the path.
class OutFile {
public:
  explicit OutFile(std::string path) : path(std::move(path)) {}
  ~OutFile() {
    if (file) { // Only on an error path: close and discard the partial file.
      std::fclose(file);
      discard();
    }
  }

  bool open(std::string &err) {
    std::error_code ec;
    created = !std::filesystem::exists(path, ec) && !ec;
    file = std::fopen(path.c_str(), "wb");
    if (!file)
      return fail("cannot open", err);
    return true;
  }

  bool write(const void *data, size_t bytes, std::string &err) {
    if (bytes == 0)
      return true;
    errno = 0;
    if (std::fwrite(data, 1, bytes, file) != bytes)
      return fail("cannot write", err);
    return true;
  }

  bool close(std::string &err) {
    errno = 0;
    int rc = std::fclose(file);
    file = nullptr;
    if (rc != 0) {
      fail("cannot close", err);
      discard();
      return false;
    }
    return true;
  }

private:
  bool fail(const char *what, std::string &err) {
    err = std::string(what) + " '" + path + "'";
    if (errno != 0)
      err += std::string(": ") + std::strerror(errno);
    return false;
  }

  /// Removes a file this object created (never a pre-existing one, which
  /// may be a device or something the user wants to keep).
  void discard() {
    if (created)
      std::remove(path.c_str());
  }

  std::string path;
  std::FILE *file = nullptr;
  bool created = false;
};

void putU32(std::vector<unsigned char> &buf, uint32_t v) {
  for (int b = 0; b < 4; ++b)
    buf.push_back((unsigned char)(v >> (8 * b)));
}

void putU64(std::vector<unsigned char> &buf, uint64_t v) {
  for (int b = 0; b < 8; ++b)
    buf.push_back((unsigned char)(v >> (8 * b)));
}

void putF64(std::vector<unsigned char> &buf, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  putU64(buf, bits);
}

/// Writes the header, then `count` elements serialized by `put(buf, k)`.
template <typename PutFn>
bool writeNpy(const std::string &path, const std::string &header, size_t count,
              size_t elemBytes, PutFn put, std::string &err) {
  OutFile out(path);
  if (!out.open(err) || !out.write(header.data(), header.size(), err))
    return false;
  std::vector<unsigned char> buf;
  buf.reserve(kChunkBytes + elemBytes);
  for (size_t k = 0; k < count; ++k) {
    put(buf, k);
    if (buf.size() >= kChunkBytes) {
      if (!out.write(buf.data(), buf.size(), err))
        return false;
      buf.clear();
    }
  }
  if (!out.write(buf.data(), buf.size(), err))
    return false;
  return out.close(err);
}

} // namespace

std::string neuro::rt::npyHeader(const std::string &descr,
                                 const std::vector<int64_t> &shape) {
  std::string dict =
      "{'descr': " + descr + ", 'fortran_order': False, 'shape': (";
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d > 0)
      dict += ", ";
    dict += std::to_string(shape[d]);
  }
  if (shape.size() == 1)
    dict += ",";
  dict += "), }";

  // magic (6) + version (2) + length (2) + dict + padding + '\n'.
  size_t unpadded = 10 + dict.size() + 1;
  size_t padding = (64 - unpadded % 64) % 64;
  dict.append(padding, ' ');
  dict += '\n';

  std::string header("\x93NUMPY\x01\x00", 8);
  header += char(dict.size() & 0xff);
  header += char((dict.size() >> 8) & 0xff);
  header += dict;
  return header;
}

bool neuro::rt::writeSpikesNpy(const std::string &path,
                               const SpikeRecord *spikes, size_t count,
                               std::string &err) {
  std::string header =
      npyHeader("[('i', '<i4'), ('t', '<f8')]", {int64_t(count)});
  return writeNpy(
      path, header, count, 12,
      [&](std::vector<unsigned char> &buf, size_t k) {
        putU32(buf, uint32_t(spikes[k].i));
        putF64(buf, spikes[k].t);
      },
      err);
}

bool neuro::rt::writeSpikesNpy(const std::string &path,
                               const std::vector<SpikeRecord> &spikes,
                               std::string &err) {
  return writeSpikesNpy(path, spikes.data(), spikes.size(), err);
}

/// The element count of `shape`; false and `err` for a negative dimension
/// or data missing.
static bool elementCount(const std::string &path, const void *data,
                         const std::vector<int64_t> &shape, size_t &count,
                         std::string &err) {
  count = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      err = "cannot write '" + path + "': negative dimension " +
            std::to_string(d);
      return false;
    }
    count *= size_t(d);
  }
  if (count > 0 && !data) {
    err = "cannot write '" + path + "': no data";
    return false;
  }
  return true;
}

bool neuro::rt::writeNpyF64(const std::string &path, const double *data,
                            const std::vector<int64_t> &shape,
                            std::string &err) {
  size_t count = 0;
  if (!elementCount(path, data, shape, count, err))
    return false;
  return writeNpy(
      path, npyHeader("'<f8'", shape), count, 8,
      [&](std::vector<unsigned char> &buf, size_t k) { putF64(buf, data[k]); },
      err);
}

bool neuro::rt::writeNpyI64(const std::string &path, const int64_t *data,
                            const std::vector<int64_t> &shape,
                            std::string &err) {
  size_t count = 0;
  if (!elementCount(path, data, shape, count, err))
    return false;
  return writeNpy(
      path, npyHeader("'<i8'", shape), count, 8,
      [&](std::vector<unsigned char> &buf, size_t k) {
        putU64(buf, uint64_t(data[k]));
      },
      err);
}

//===----------------------------------------------------------------------===//
// NpyStream
//===----------------------------------------------------------------------===//

using neuro::rt::NpyStream;

/// Header length of streamed files: room for any shape of up to three
/// 19-digit dimensions after the dtype.
static constexpr size_t kStreamHeader = 256;

NpyStream::~NpyStream() {
  std::string ignored;
  close(ignored);
}

std::string NpyStream::header() const {
  std::string dict = "{'descr': " + descr +
                     ", 'fortran_order': False, 'shape': (" +
                     std::to_string(count);
  for (int64_t d : inner)
    dict += ", " + std::to_string(d);
  if (inner.empty())
    dict += ",";
  dict += "), }";
  // magic (6) + version (2) + length (2) + dict + padding + '\n'.
  size_t padding = kStreamHeader - 10 - dict.size() - 1;
  dict.append(padding, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(dict.size() & 0xff);
  out += char((dict.size() >> 8) & 0xff);
  return out + dict;
}

bool NpyStream::open(const std::string &p, const std::string &d,
                     std::vector<int64_t> dims, size_t bytes,
                     std::string &err) {
  std::string ignored;
  close(ignored);
  path = p;
  descr = d;
  inner = std::move(dims);
  rowBytes = bytes;
  count = committed = 0;
  synced = -1;
  failed = false;
  if (descr.size() > kStreamHeader - 160) {
    err = "cannot write '" + path + "': dtype too long for a streamed file";
    return false;
  }
  errno = 0;
  file = std::fopen(path.c_str(), "wb");
  if (!file) {
    err = "cannot open '" + visible(path) + "' for writing" +
          (errno ? std::string(": ") + std::strerror(errno) : std::string()) +
          (errno == EMFILE ? " (each recorded population and state "
                             "recording keeps its files open while the run "
                             "streams; `ulimit -n` raises the limit)"
                           : "");
    return false;
  }
  return sync(err);
}

bool NpyStream::append(const void *data, int64_t rows, std::string &err) {
  if (failed) {
    err = "cannot write '" + path + "': an earlier write failed";
    return false;
  }
  if (!file || rows <= 0)
    return file != nullptr;
  size_t bytes = size_t(rows) * rowBytes;
  if (std::fseek(file, 0, SEEK_END) != 0 ||
      std::fwrite(data, 1, bytes, file) != bytes) {
    err = "cannot write '" + path + "' (disk full?)";
    return false;
  }
  count += rows;
  return true;
}

bool NpyStream::sync(std::string &err) {
  if (!file)
    return true;
  if (synced == count)
    return true;
  // Data first, then the header that counts it.
  std::string h = header();
  if (std::fflush(file) != 0 || std::fseek(file, 0, SEEK_SET) != 0 ||
      std::fwrite(h.data(), 1, h.size(), file) != h.size() ||
      std::fflush(file) != 0) {
    err = "cannot write '" + path + "' (disk full?)";
    return false;
  }
  synced = count;
  return true;
}

void NpyStream::rollback() {
  if (!file)
    return;
  // Bytes still in the stdio buffer would land past the cut at fclose.
  __fpurge(file);
  int fd = fileno(file);
  count = synced = committed;
  std::string h = header();
  bool ok =
      ::ftruncate(fd, off_t(kStreamHeader + size_t(count) * rowBytes)) == 0 &&
      ::pwrite(fd, h.data(), h.size(), 0) == ssize_t(h.size());
  (void)ok; // nothing more can be done for a file that cannot be cut
  failed = true;
}

bool NpyStream::close(std::string &err) {
  if (!file)
    return true;
  if (failed) {
    std::fclose(file);
    file = nullptr;
    return true;
  }
  bool ok = sync(err);
  if (std::fclose(file) != 0 && ok) {
    err = "cannot close '" + path + "'";
    ok = false;
  }
  file = nullptr;
  return ok;
}

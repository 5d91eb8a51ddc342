//===- NpyReader.h - Minimal .npy reader for the tests ----------*- C++ -*-===//
//
// Independent of the writer: parses the raw bytes of a version 1.0 file and
// decodes little-endian data, so the tests check what is on disk.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TESTS_UNIT_RUNTIME_NPYREADER_H
#define NEURO_TESTS_UNIT_RUNTIME_NPYREADER_H

#include "neuro/Runtime/Npy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace neuro::rt::test {

/// A parsed .npy file.
struct NpyFile {
  std::string dict;      ///< header dict without padding and newline
  size_t dataOffset = 0; ///< byte offset of the data
  std::vector<unsigned char> data;
};

/// Reads `path`; checks magic, version, header length and terminator.
inline bool readNpy(const std::string &path, NpyFile &out, std::string &err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = "cannot open " + path;
    return false;
  }
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
    err = "bad magic in " + path;
    return false;
  }
  if (bytes[6] != 1 || bytes[7] != 0) {
    err = "not version 1.0";
    return false;
  }
  size_t len = size_t(bytes[8]) | (size_t(bytes[9]) << 8);
  if (10 + len > bytes.size() || len == 0 || bytes[9 + len] != '\n') {
    err = "bad header length";
    return false;
  }
  std::string dict(bytes.begin() + 10, bytes.begin() + 10 + long(len) - 1);
  while (!dict.empty() && dict.back() == ' ')
    dict.pop_back();
  out.dict = dict;
  out.dataOffset = 10 + len;
  out.data.assign(bytes.begin() + long(out.dataOffset), bytes.end());
  return true;
}

/// Little-endian unsigned integer of `n` bytes at `p`.
inline uint64_t loadLE(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int b = n - 1; b >= 0; --b)
    v = (v << 8) | p[b];
  return v;
}

/// Decodes [('i', '<i4'), ('t', '<f8')] records.
inline std::vector<SpikeRecord>
decodeSpikes(const std::vector<unsigned char> &data) {
  std::vector<SpikeRecord> out;
  for (size_t k = 0; k + 12 <= data.size(); k += 12) {
    SpikeRecord r;
    r.i = int32_t(uint32_t(loadLE(&data[k], 4)));
    uint64_t bits = loadLE(&data[k + 4], 8);
    std::memcpy(&r.t, &bits, 8);
    out.push_back(r);
  }
  return out;
}

/// Decodes '<f8' values.
inline std::vector<double> decodeF64(const std::vector<unsigned char> &data) {
  std::vector<double> out;
  for (size_t k = 0; k + 8 <= data.size(); k += 8) {
    uint64_t bits = loadLE(&data[k], 8);
    double d;
    std::memcpy(&d, &bits, 8);
    out.push_back(d);
  }
  return out;
}

} // namespace neuro::rt::test

#endif // NEURO_TESTS_UNIT_RUNTIME_NPYREADER_H

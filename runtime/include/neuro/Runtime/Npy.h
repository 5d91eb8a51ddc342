//===- Npy.h - NumPy .npy writers and header parser -------------*- C++ -*-===//
//
// Writers for NumPy's .npy format, version 1.0: the magic "\x93NUMPY", the
// version bytes 1 0, a little-endian uint16 header length, then an ASCII
// Python dict {'descr': ..., 'fortran_order': False, 'shape': (...), }
// padded with spaces and ended by '\n' so that the data starts at a multiple
// of 64 bytes, then the data, little-endian, C order. Files load with
// `numpy.load(path)`. parseNpyHeader() reads the header of any version.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_NPY_H
#define NEURO_RUNTIME_NPY_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace neuro::rt {

/// One recorded spike: neuron index within its population and spike time.
struct SpikeRecord {
  int32_t i = 0; ///< neuron index
  double t = 0;  ///< seconds
};

/// The complete .npy header (magic through the final '\n', a multiple of 64
/// bytes long) for an array of dtype `descr` (a Python literal, e.g. "'<f8'")
/// and `shape`.
std::string npyHeader(const std::string &descr,
                      const std::vector<int64_t> &shape);

/// Writes `spikes` to `path` as a 1-D structured array of dtype
/// [('i', '<i4'), ('t', '<f8')] (12 bytes per record, packed). Returns false
/// and sets `err` (naming `path`) if the file cannot be written completely.
bool writeSpikesNpy(const std::string &path,
                    const std::vector<SpikeRecord> &spikes, std::string &err);

/// Same, from a pointer and a count.
bool writeSpikesNpy(const std::string &path, const SpikeRecord *spikes,
                    size_t count, std::string &err);

/// Writes the row-major array `data` of shape `shape` (e.g. {n} or
/// {rows, cols}; the product of the dimensions is the element count) as
/// '<f8' to `path`. Returns false and sets `err` on failure or a negative
/// dimension.
bool writeNpyF64(const std::string &path, const double *data,
                 const std::vector<int64_t> &shape, std::string &err);

/// Same for whole numbers, as '<i8' (neuron indices).
bool writeNpyI64(const std::string &path, const int64_t *data,
                 const std::vector<int64_t> &shape, std::string &err);

/// The header of a .npy file.
struct NpyHeader {
  struct Field {
    std::string name; ///< empty for a plain (not structured) dtype
    std::string type; ///< as written, e.g. "<f8"
  };
  /// The fields of a structured dtype, or the one unnamed field of a plain
  /// one.
  std::vector<Field> fields;
  bool structured = false;
  bool fortranOrder = false;
  std::vector<uint64_t> shape;
  /// Where the data starts (the header's end).
  size_t dataOffset = 0;
};

/// Where the data of a .npy file that starts with `bytes` begins, from its
/// magic, version and header length (12 bytes suffice); 0 when these are
/// not a .npy file's.
uint64_t npyHeaderEnd(std::string_view bytes);

/// Parses the magic, version (1, 2 or 3) and header dict at the start of
/// `bytes`. False and `why` when they are malformed: the dict is read as
/// the Python literal it is; shape entries must be whole numbers; fields
/// must be ('name', 'type') pairs (no subarrays or nested dtypes). Sizes
/// are not checked against the data.
bool parseNpyHeader(std::string_view bytes, NpyHeader &header,
                    std::string &why);

/// A .npy file written while it grows along its first dimension: rows are
/// appended, and sync() rewrites the header's shape in place (the header
/// has room for any count) and flushes, so that the file read at any time
/// holds exactly the rows of the last sync.
class NpyStream {
public:
  NpyStream() = default;
  NpyStream(const NpyStream &) = delete;
  NpyStream &operator=(const NpyStream &) = delete;
  ~NpyStream();

  /// Creates `path` for rows of dtype `descr` and shape `inner` (empty for
  /// a 1-D array), `rowBytes` bytes each; false and `err` on failure.
  bool open(const std::string &path, const std::string &descr,
            std::vector<int64_t> inner, size_t rowBytes, std::string &err);
  /// Appends `rows` rows from `data`.
  bool append(const void *data, int64_t rows, std::string &err);
  /// Makes every appended row part of the file on disk.
  bool sync(std::string &err);
  /// sync() and close.
  bool close(std::string &err);
  bool isOpen() const { return file != nullptr; }
  int64_t rows() const { return count; }
  /// The rows so far are a consistent state of the recording (with the
  /// other files of its recording): what rollback() returns to.
  void commit() { committed = count; }
  /// After a failed write (a full disk): the file cut back to the rows of
  /// the last commit(), its header saying so, and the rows buffered but
  /// not yet written dropped; the stream then takes no more rows.
  void rollback();

private:
  std::string header() const;
  std::FILE *file = nullptr;
  std::string path, descr;
  std::vector<int64_t> inner;
  size_t rowBytes = 0;
  int64_t count = 0, synced = -1, committed = 0;
  bool failed = false;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_NPY_H

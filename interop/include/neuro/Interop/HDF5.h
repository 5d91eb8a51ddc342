//===- HDF5.h - A thin RAII layer over the HDF5 C API -----------*- C++ -*-===//
//
// What Neuro reads and writes in HDF5 files (NIR graphs; SONATA circuits and
// spike files use the same calls): files, groups walked by name, and
// datasets and attributes of any rank holding numbers or strings.
//
//   h5::File f = h5::File::open("graph.nir");
//   h5::Group node = f.root().group("node");
//   for (const std::string &name : node.group("nodes").children()) ...
//   h5::Array w = node.group("nodes").group("fc1").read("weight");
//   // w.shape == {38, 12}, w.numbers in C (row-major) order
//
//   h5::File out = h5::File::create("out.nir");
//   out.root().writeString("version", "0.2.0");
//   out.root().createGroup("node").writeNumbers("w", {2, 3}, data,
//                                               h5::Precision::Float32);
//
// Every HDF5 identifier is owned by one object and closed when it goes
// away. Errors throw h5::Error, whose message names the file and the object
// (`graph.nir: /node/nodes/fc1/weight: ...`); HDF5's own error stack is
// never printed. Numbers are converted by HDF5 to the type asked for
// (integers and floats of any width read as double; int64 exactly), and
// strings are read whether stored with variable or fixed length. Files are
// written as h5py writes them: variable-length UTF-8 strings, numbers in
// the precision asked for. Needs only the C library (Debian's serial
// libhdf5-dev); no other Neuro library.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_INTEROP_HDF5_H
#define NEURO_INTEROP_HDF5_H

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace neuro::h5 {

/// A failure reading or writing, with the file and object it concerns.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What the elements of a dataset or attribute are.
enum class Kind { Float, Int, String, Other };

/// The precision numbers are stored with.
enum class Precision { Float32, Float64, Int64 };

/// A dataset or attribute read into memory. `shape` is empty for a scalar;
/// the elements are in C (row-major) order in `numbers` (Float and Int
/// kinds, converted to double), `ints` (Int kind, exact) or `strings`.
struct Array {
  Kind kind = Kind::Other;
  /// Bytes per element as stored (4 for float32); 0 for variable-length
  /// strings.
  size_t elementSize = 0;
  std::vector<uint64_t> shape;
  std::vector<double> numbers;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;

  /// The number of elements (1 for a scalar).
  uint64_t size() const;
  bool isNumeric() const { return kind == Kind::Float || kind == Kind::Int; }
  /// The shape as text: "(38, 12)", "()" for a scalar.
  std::string shapeString() const;
};

/// Shape as text, "(2, 34, 34)".
std::string shapeString(const std::vector<uint64_t> &shape);

class File;
class Appender;

/// A group of an open file (the root is "/"). Cheap to copy: copies share
/// the identifier, closed with the last of them (and the file stays open
/// while any group of it lives).
class Group {
public:
  /// Full path inside the file ("/node/nodes").
  const std::string &path() const { return path_; }
  /// The name of the file it belongs to, for messages.
  const std::string &fileName() const;

  /// Names of the links in the group (groups and datasets), in name order.
  std::vector<std::string> children() const;
  bool has(const std::string &name) const;
  bool isGroup(const std::string &name) const;
  bool isDataset(const std::string &name) const;
  /// The subgroup `name`; throws when there is none.
  Group group(const std::string &name) const;
  /// Reads dataset `name`; throws when there is none.
  Array read(const std::string &name) const;
  /// Reads a dataset's shape and kind without its data.
  Array describe(const std::string &name) const;

  /// Names of the group's attributes.
  std::vector<std::string> attributes() const;
  /// Attributes of the group, or of its member `object` (a dataset).
  bool hasAttribute(const std::string &name,
                    const std::string &object = ".") const;
  Array readAttribute(const std::string &name,
                      const std::string &object = ".") const;

  /// Writing (the file must be created or opened for writing). Each throws
  /// when `name` exists already.
  Group createGroup(const std::string &name) const;
  void writeNumbers(const std::string &name, const std::vector<uint64_t> &shape,
                    const std::vector<double> &data,
                    Precision precision = Precision::Float64) const;
  void writeInts(const std::string &name, const std::vector<uint64_t> &shape,
                 const std::vector<int64_t> &data) const;
  void writeStrings(const std::string &name, const std::vector<uint64_t> &shape,
                    const std::vector<std::string> &data) const;
  /// A scalar string dataset (`type`, `version` in NIR).
  void writeString(const std::string &name, const std::string &value) const;
  void writeAttribute(const std::string &name, const std::string &value,
                      const std::string &object = ".") const;
  void writeAttribute(const std::string &name, double value) const;
  /// A scalar attribute of an HDF5 enumeration over uint8 whose members are
  /// `members` (0, 1, ...), holding member `value`.
  void writeEnumAttribute(const std::string &name,
                          const std::vector<std::string> &members,
                          uint8_t value) const;
  /// A one-dimensional dataset of numbers that grows as data is appended
  /// (chunked, of unlimited size), for files written while a run goes.
  Appender createAppender(const std::string &name, Precision precision,
                          uint64_t chunk = 65536) const;
  /// Writes what HDF5 buffers for the file to disk (H5Fflush).
  void flushFile() const;

  /// An error message naming the file and `object` (relative to this
  /// group): "FILE: /node/nodes/x: what".
  std::string where(const std::string &object = "") const;

private:
  friend class File;
  struct Id;
  Group(std::shared_ptr<Id> id, std::shared_ptr<const std::string> file,
        std::string path)
      : id_(std::move(id)), file_(std::move(file)), path_(std::move(path)) {}
  std::string childPath(const std::string &name) const;
  std::shared_ptr<Id> id_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
};

/// A growing one-dimensional dataset (Group::createAppender). Cheap to
/// copy, as Group.
class Appender {
public:
  /// Appends `n` numbers (converted to the dataset's precision).
  void append(const double *data, uint64_t n);
  void append(const int64_t *data, uint64_t n);
  /// The elements written so far.
  uint64_t size() const { return *size_; }
  /// The group holding the dataset, for messages and attributes.
  const Group &group() const { return group_; }

private:
  friend class Group;
  struct Id;
  Appender(std::shared_ptr<Id> id, Group group, std::string name)
      : id_(std::move(id)), group_(std::move(group)), name_(std::move(name)),
        size_(std::make_shared<uint64_t>(0)) {}
  void write(const void *data, uint64_t n, bool ints);
  std::shared_ptr<Id> id_;
  Group group_;
  std::string name_;
  std::shared_ptr<uint64_t> size_;
};

/// An open HDF5 file.
class File {
public:
  /// Opens `path` for reading (or read-write). Throws when it does not
  /// exist, is not an HDF5 file or cannot be read.
  static File open(const std::string &path, bool writable = false);
  /// Creates `path`, replacing a file there.
  static File create(const std::string &path);
  /// True when `path` exists and has HDF5's signature.
  static bool isHDF5(const std::string &path);
  /// Asks HDF5 for no clean-up of its own at exit (H5dont_atexit), before
  /// any other call: a program that closes its files itself is spared that
  /// clean-up crashing on a file a full disk left half written. Not for a
  /// process whose other libraries leave HDF5 files to it (h5py).
  static void noCleanupAtExit();

  Group root() const { return root_; }
  const std::string &name() const { return *file_; }

private:
  File(Group root, std::shared_ptr<const std::string> file)
      : root_(std::move(root)), file_(std::move(file)) {}
  Group root_;
  std::shared_ptr<const std::string> file_;
};

} // namespace neuro::h5

#endif // NEURO_INTEROP_HDF5_H

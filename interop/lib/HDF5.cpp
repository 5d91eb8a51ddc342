//===- HDF5.cpp - A thin RAII layer over the HDF5 C API -------------------===//

#include "neuro/Interop/HDF5.h"

#include <hdf5.h>

#include <cstring>
#include <fstream>
#include <sys/stat.h>

using namespace neuro::h5;

namespace neuro::h5 {

/// One HDF5 identifier and the function that closes it.
class Handle {
public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  Handle(Handle &&o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle &operator=(Handle &&o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = -1;
    }
    return *this;
  }
  ~Handle() { reset(); }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

private:
  void reset() {
    if (id_ >= 0 && close_)
      close_(id_);
    id_ = -1;
  }
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

} // namespace neuro::h5

namespace {

/// Silences HDF5's printing of its error stack (errors become Error
/// exceptions with our own messages); done once, before the first call.
void quiet() {
  static bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

Kind kindOf(hid_t type) {
  switch (H5Tget_class(type)) {
  case H5T_FLOAT:
    return Kind::Float;
  case H5T_INTEGER:
    return Kind::Int;
  case H5T_STRING:
    return Kind::String;
  default:
    return Kind::Other;
  }
}

std::vector<uint64_t> shapeOf(hid_t space) {
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? size_t(rank) : 0);
  if (rank > 0)
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

/// Reads the elements of a dataset or attribute (`read` takes a memory
/// type and a buffer) into `a`, whose kind and shape are set.
template <typename ReadFn>
void readElementsInto(Array &a, hid_t fileType, ReadFn read,
                      const std::string &where) {
  uint64_t n = a.size();
  if (a.kind == Kind::Float || a.kind == Kind::Int) {
    a.numbers.resize(n);
    if (n && read(H5T_NATIVE_DOUBLE, a.numbers.data()) < 0)
      throw Error(where + ": cannot read its numbers");
    if (a.kind == Kind::Int) {
      a.ints.resize(n);
      if (n && read(H5T_NATIVE_INT64, a.ints.data()) < 0)
        throw Error(where + ": cannot read its integers");
    }
    return;
  }
  if (a.kind != Kind::String)
    throw Error(where + ": holds neither numbers nor strings");
  a.strings.resize(n);
  if (!n)
    return;
  if (H5Tis_variable_str(fileType) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(fileType));
    std::vector<char *> ptrs(n, nullptr);
    if (read(mem.get(), ptrs.data()) < 0)
      throw Error(where + ": cannot read its strings");
    for (uint64_t i = 0; i < n; ++i) {
      a.strings[i] = ptrs[i] ? ptrs[i] : "";
      H5free_memory(ptrs[i]);
    }
    return;
  }
  size_t width = H5Tget_size(fileType);
  if (width == 0 || n > SIZE_MAX / width)
    throw std::length_error("string extent");
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), width);
  H5Tset_cset(mem.get(), H5Tget_cset(fileType));
  std::vector<char> buffer(n * width);
  if (read(mem.get(), buffer.data()) < 0)
    throw Error(where + ": cannot read its strings");
  for (uint64_t i = 0; i < n; ++i) {
    const char *s = buffer.data() + i * width;
    a.strings[i] = std::string(s, strnlen(s, width));
    while (!a.strings[i].empty() && a.strings[i].back() == ' ')
      a.strings[i].pop_back();
  }
}

/// readElementsInto, where a damaged file's extent (more elements than
/// memory holds) is an Error, not an uncaught std::bad_alloc.
template <typename ReadFn>
void readElements(Array &a, hid_t fileType, ReadFn read,
                  const std::string &where) {
  auto tooLarge = [&] {
    return Error(where + ": claims " + std::to_string(a.size()) +
                 " elements, more than this machine's memory holds (is the "
                 "file damaged?)");
  };
  // Past 2^40 elements no machine holds it: said before any allocation.
  if (a.size() > (uint64_t(1) << 40))
    throw tooLarge();
  try {
    readElementsInto(a, fileType, read, where);
  } catch (const std::bad_alloc &) {
    throw tooLarge();
  } catch (const std::length_error &) {
    throw tooLarge();
  }
}

Handle makeSpace(const std::vector<uint64_t> &shape) {
  if (shape.empty())
    return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return Handle(H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                H5Sclose);
}

Handle stringType() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

/// The number of elements of `shape`, saturating at UINT64_MAX (a damaged
/// file's extent must not wrap to a small count).
uint64_t product(const std::vector<uint64_t> &shape) {
  uint64_t n = 1;
  for (uint64_t d : shape) {
    if (d == 0)
      return 0;
    n = n > UINT64_MAX / d ? UINT64_MAX : n * d;
  }
  return n;
}

} // namespace

uint64_t Array::size() const { return product(shape); }

std::string neuro::h5::shapeString(const std::vector<uint64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::string Array::shapeString() const { return h5::shapeString(shape); }

struct Group::Id {
  std::shared_ptr<Handle> file;
  Handle group;
};

const std::string &Group::fileName() const { return *file_; }

std::string Group::childPath(const std::string &name) const {
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

std::string Group::where(const std::string &object) const {
  return *file_ + ": " + (object.empty() ? path_ : childPath(object));
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char *name, const H5L_info_t *, void *data) {
    static_cast<std::vector<std::string> *>(data)->push_back(name);
    return herr_t(0);
  };
  if (H5Literate(id_->group.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, visit,
                 &names) < 0)
    throw Error(where() + ": cannot list the group");
  return names;
}

bool Group::has(const std::string &name) const {
  return !name.empty() && name.find('/') == std::string::npos &&
         H5Lexists(id_->group.get(), name.c_str(), H5P_DEFAULT) > 0;
}

namespace {
H5O_type_t objectType(hid_t group, const std::string &name) {
  H5O_info_t info;
  if (H5Oget_info_by_name(group, name.c_str(), &info, H5P_DEFAULT) < 0)
    return H5O_TYPE_UNKNOWN;
  return info.type;
}
} // namespace

bool Group::isGroup(const std::string &name) const {
  return has(name) && objectType(id_->group.get(), name) == H5O_TYPE_GROUP;
}

bool Group::isDataset(const std::string &name) const {
  return has(name) && objectType(id_->group.get(), name) == H5O_TYPE_DATASET;
}

Group Group::group(const std::string &name) const {
  if (!isGroup(name))
    throw Error(where(name) + ": no such group");
  auto id = std::make_shared<Id>();
  id->file = id_->file;
  id->group =
      Handle(H5Gopen2(id_->group.get(), name.c_str(), H5P_DEFAULT), H5Gclose);
  if (!id->group.valid())
    throw Error(where(name) + ": cannot open the group");
  return Group(id, file_, childPath(name));
}

Array Group::describe(const std::string &name) const {
  if (!isDataset(name))
    throw Error(where(name) + ": no such dataset");
  Handle ds(H5Dopen2(id_->group.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (!ds.valid() || !type.valid() || !space.valid())
    throw Error(where(name) + ": cannot open the dataset");
  Array a;
  a.kind = kindOf(type.get());
  a.elementSize =
      H5Tis_variable_str(type.get()) > 0 ? 0 : H5Tget_size(type.get());
  a.shape = shapeOf(space.get());
  return a;
}

Array Group::read(const std::string &name) const {
  Array a = describe(name);
  Handle ds(H5Dopen2(id_->group.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  readElements(
      a, type.get(),
      [&](hid_t mem, void *buf) {
        return H5Dread(ds.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
      },
      where(name));
  return a;
}

std::vector<std::string> Group::attributes() const {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char *name, const H5A_info_t *, void *data) {
    static_cast<std::vector<std::string> *>(data)->push_back(name);
    return herr_t(0);
  };
  if (H5Aiterate2(id_->group.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, visit,
                  &names) < 0)
    throw Error(where() + ": cannot list the attributes");
  return names;
}

bool Group::hasAttribute(const std::string &name,
                         const std::string &object) const {
  return H5Aexists_by_name(id_->group.get(), object.c_str(), name.c_str(),
                           H5P_DEFAULT) > 0;
}

Array Group::readAttribute(const std::string &name,
                           const std::string &object) const {
  std::string at =
      where(object == "." ? "" : object) + " (attribute " + name + ")";
  if (!hasAttribute(name, object))
    throw Error(at + ": no such attribute");
  Handle attr(H5Aopen_by_name(id_->group.get(), object.c_str(), name.c_str(),
                              H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  if (!attr.valid() || !type.valid() || !space.valid())
    throw Error(at + ": cannot open the attribute");
  Array a;
  a.kind = kindOf(type.get());
  a.elementSize =
      H5Tis_variable_str(type.get()) > 0 ? 0 : H5Tget_size(type.get());
  a.shape = shapeOf(space.get());
  readElements(
      a, type.get(),
      [&](hid_t mem, void *buf) { return H5Aread(attr.get(), mem, buf); }, at);
  return a;
}

namespace {
/// A creation property list of `cls` (groups, datasets, the file) whose
/// objects keep no modification times, so that a file written twice has
/// the same bytes.
Handle untimed(hid_t cls, const std::string &where) {
  Handle props(H5Pcreate(cls), H5Pclose);
  if (!props.valid() || H5Pset_obj_track_times(props.get(), false) < 0)
    throw Error(where + ": cannot set the creation properties");
  return props;
}
} // namespace

Group Group::createGroup(const std::string &name) const {
  if (has(name))
    throw Error(where(name) + ": exists already");
  auto id = std::make_shared<Id>();
  id->file = id_->file;
  Handle props = untimed(H5P_GROUP_CREATE, where(name));
  id->group = Handle(H5Gcreate2(id_->group.get(), name.c_str(), H5P_DEFAULT,
                                props.get(), H5P_DEFAULT),
                     H5Gclose);
  if (!id->group.valid())
    throw Error(where(name) + ": cannot create the group");
  return Group(id, file_, childPath(name));
}

namespace {
void writeDataset(hid_t group, const std::string &name, hid_t type,
                  const std::vector<uint64_t> &shape, const void *data,
                  hid_t memType, const std::string &where) {
  Handle space = makeSpace(shape);
  Handle props = untimed(H5P_DATASET_CREATE, where);
  Handle ds(H5Dcreate2(group, name.c_str(), type, space.get(), H5P_DEFAULT,
                       props.get(), H5P_DEFAULT),
            H5Dclose);
  if (!ds.valid())
    throw Error(where + ": cannot create the dataset");
  if (product(shape) &&
      H5Dwrite(ds.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    throw Error(where + ": cannot write the dataset");
}
} // namespace

void Group::writeNumbers(const std::string &name,
                         const std::vector<uint64_t> &shape,
                         const std::vector<double> &data,
                         Precision precision) const {
  if (has(name))
    throw Error(where(name) + ": exists already");
  if (data.size() != product(shape))
    throw Error(where(name) + ": " + std::to_string(data.size()) +
                " values for shape " + shapeString(shape));
  hid_t type = precision == Precision::Float32   ? H5T_IEEE_F32LE
               : precision == Precision::Float64 ? H5T_IEEE_F64LE
                                                 : H5T_STD_I64LE;
  writeDataset(id_->group.get(), name, type, shape, data.data(),
               H5T_NATIVE_DOUBLE, where(name));
}

void Group::writeInts(const std::string &name,
                      const std::vector<uint64_t> &shape,
                      const std::vector<int64_t> &data) const {
  if (has(name))
    throw Error(where(name) + ": exists already");
  if (data.size() != product(shape))
    throw Error(where(name) + ": " + std::to_string(data.size()) +
                " values for shape " + shapeString(shape));
  writeDataset(id_->group.get(), name, H5T_STD_I64LE, shape, data.data(),
               H5T_NATIVE_INT64, where(name));
}

void Group::writeStrings(const std::string &name,
                         const std::vector<uint64_t> &shape,
                         const std::vector<std::string> &data) const {
  if (has(name))
    throw Error(where(name) + ": exists already");
  if (data.size() != product(shape))
    throw Error(where(name) + ": " + std::to_string(data.size()) +
                " strings for shape " + shapeString(shape));
  std::vector<const char *> ptrs;
  for (const std::string &s : data)
    ptrs.push_back(s.c_str());
  Handle type = stringType();
  writeDataset(id_->group.get(), name, type.get(), shape, ptrs.data(),
               type.get(), where(name));
}

void Group::writeString(const std::string &name,
                        const std::string &value) const {
  writeStrings(name, {}, {value});
}

void Group::writeAttribute(const std::string &name, const std::string &value,
                           const std::string &object) const {
  Handle type = stringType();
  Handle space = makeSpace({});
  Handle attr(H5Acreate_by_name(id_->group.get(), object.c_str(), name.c_str(),
                                type.get(), space.get(), H5P_DEFAULT,
                                H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  const char *ptr = value.c_str();
  if (!attr.valid() || H5Awrite(attr.get(), type.get(), &ptr) < 0)
    throw Error(where(object == "." ? "" : object) +
                ": cannot write attribute " + name);
}

void Group::writeAttribute(const std::string &name, double value) const {
  Handle space = makeSpace({});
  Handle attr(H5Acreate2(id_->group.get(), name.c_str(), H5T_IEEE_F64LE,
                         space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    throw Error(where() + ": cannot write attribute " + name);
}

void Group::writeEnumAttribute(const std::string &name,
                               const std::vector<std::string> &members,
                               uint8_t value) const {
  Handle type(H5Tenum_create(H5T_NATIVE_UINT8), H5Tclose);
  bool ok = type.valid();
  for (size_t k = 0; ok && k < members.size(); ++k) {
    uint8_t v = uint8_t(k);
    ok = H5Tenum_insert(type.get(), members[k].c_str(), &v) >= 0;
  }
  Handle space = makeSpace({});
  Handle attr(ok ? H5Acreate2(id_->group.get(), name.c_str(), type.get(),
                              space.get(), H5P_DEFAULT, H5P_DEFAULT)
                 : H5I_INVALID_HID,
              H5Aclose);
  if (!attr.valid() || H5Awrite(attr.get(), type.get(), &value) < 0)
    throw Error(where() + ": cannot write attribute " + name);
}

struct Appender::Id {
  std::shared_ptr<Handle> file;
  Handle dataset;
};

Appender Group::createAppender(const std::string &name, Precision precision,
                               uint64_t chunk) const {
  if (has(name))
    throw Error(where(name) + ": exists already");
  hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunkSize = chunk ? chunk : 1;
  Handle space(H5Screate_simple(1, &zero, &unlimited), H5Sclose);
  Handle props = untimed(H5P_DATASET_CREATE, where(name));
  if (!space.valid() || !props.valid() ||
      H5Pset_chunk(props.get(), 1, &chunkSize) < 0)
    throw Error(where(name) + ": cannot create the dataset");
  hid_t type = precision == Precision::Float32   ? H5T_IEEE_F32LE
               : precision == Precision::Float64 ? H5T_IEEE_F64LE
                                                 : H5T_STD_I64LE;
  auto id = std::make_shared<Appender::Id>();
  id->file = id_->file;
  id->dataset =
      Handle(H5Dcreate2(id_->group.get(), name.c_str(), type, space.get(),
                        H5P_DEFAULT, props.get(), H5P_DEFAULT),
             H5Dclose);
  if (!id->dataset.valid())
    throw Error(where(name) + ": cannot create the dataset");
  return Appender(id, *this, name);
}

void Appender::write(const void *data, uint64_t n, bool ints) {
  if (n == 0)
    return;
  hsize_t start = *size_, count = n, total = *size_ + n;
  hid_t ds = id_->dataset.get();
  if (H5Dset_extent(ds, &total) < 0)
    throw Error(group_.where(name_) + ": cannot extend the dataset");
  Handle fileSpace(H5Dget_space(ds), H5Sclose);
  Handle memSpace(H5Screate_simple(1, &count, nullptr), H5Sclose);
  if (!fileSpace.valid() || !memSpace.valid() ||
      H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, &start, nullptr,
                          &count, nullptr) < 0 ||
      H5Dwrite(ds, ints ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, memSpace.get(),
               fileSpace.get(), H5P_DEFAULT, data) < 0)
    throw Error(group_.where(name_) + ": cannot write the dataset");
  *size_ = total;
}

void Appender::append(const double *data, uint64_t n) { write(data, n, false); }

void Appender::append(const int64_t *data, uint64_t n) { write(data, n, true); }

void Group::flushFile() const {
  if (H5Fflush(id_->group.get(), H5F_SCOPE_GLOBAL) < 0)
    throw Error(fileName() + ": cannot write the file");
}

/// Whether `path` is a regular file (opening a FIFO to probe it would wait
/// for a writer).
static bool isRegularFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void File::noCleanupAtExit() { H5dont_atexit(); }

bool File::isHDF5(const std::string &path) {
  quiet();
  if (!isRegularFile(path))
    return false;
  std::ifstream probe(path, std::ios::binary);
  if (!probe)
    return false;
  return H5Fis_hdf5(path.c_str()) > 0;
}

File File::open(const std::string &path, bool writable) {
  quiet();
  auto name = std::make_shared<const std::string>(path);
  if (struct stat st; ::stat(path.c_str(), &st) != 0)
    throw Error(path + ": cannot open the file (" + std::strerror(errno) + ")");
  if (!isRegularFile(path))
    throw Error(path + ": cannot open the file (not a regular file)");
  std::ifstream probe(path, std::ios::binary);
  if (!probe)
    throw Error(path + ": cannot open the file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error(path + ": not an HDF5 file");
  auto file = std::make_shared<Handle>(
      H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY,
              H5P_DEFAULT),
      H5Fclose);
  if (!file->valid())
    throw Error(path + ": cannot open the HDF5 file");
  auto id = std::make_shared<Group::Id>();
  id->file = file;
  id->group = Handle(H5Gopen2(file->get(), "/", H5P_DEFAULT), H5Gclose);
  if (!id->group.valid())
    throw Error(path + ": cannot open its root group");
  return File(Group(id, name, "/"), name);
}

File File::create(const std::string &path) {
  quiet();
  auto name = std::make_shared<const std::string>(path);
  Handle props = untimed(H5P_FILE_CREATE, path);
  auto file = std::make_shared<Handle>(
      H5Fcreate(path.c_str(), H5F_ACC_TRUNC, props.get(), H5P_DEFAULT),
      H5Fclose);
  if (!file->valid())
    throw Error(path + ": cannot create the file");
  auto id = std::make_shared<Group::Id>();
  id->file = file;
  id->group = Handle(H5Gopen2(file->get(), "/", H5P_DEFAULT), H5Gclose);
  if (!id->group.valid())
    throw Error(path + ": cannot open its root group");
  return File(Group(id, name, "/"), name);
}

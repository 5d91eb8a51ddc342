//===- Table.cpp - Numeric tables from CSV and .npy files -----------------===//

#include "neuro/Runtime/Table.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/Quote.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>

using namespace neuro::rt;

int Table::column(const std::string &name) const {
  for (size_t c = 0; c < names.size(); ++c)
    if (names[c] == name)
      return int(c);
  return -1;
}

namespace {

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> splitCells(const std::string &line, char sep) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, sep))
    cells.push_back(trim(cell));
  if (!line.empty() && line.back() == sep)
    cells.push_back("");
  return cells;
}

/// Columns that name things rather than measure them: kept as text.
bool isTextColumn(const std::string &name) {
  return name == "name" || name == "type";
}

std::map<std::string, std::string_view> &embedded() {
  static std::map<std::string, std::string_view> files;
  return files;
}

/// Bytes read as a stream in place, without a copy.
class ByteInput : public std::istream {
public:
  explicit ByteInput(std::string_view bytes) : std::istream(&buf) {
    char *p = const_cast<char *>(bytes.data());
    buf.view(p, p + bytes.size());
  }

private:
  struct Buffer : std::streambuf {
    void view(char *begin, char *end) { setg(begin, begin, end); }
  } buf;
};

/// The bytes of `path`, from the embedded files (`view` points into them)
/// or else read from the file system into `storage`.
bool loadBytes(const std::string &path, std::string_view &view,
               std::string &storage, std::string &err) {
  auto it = embedded().find(path);
  if (it != embedded().end()) {
    view = it->second;
    return true;
  }
  if (!readWholeFile(path, storage, err))
    return false;
  view = storage;
  return true;
}

/// `allText`: every column is kept as text (a cell that is not a number is
/// NaN in `columns`), as for a file of names.
bool readCsv(const std::string &path, std::string_view bytes, Table &table,
             std::string &err, bool allText = false) {
  ByteInput in(bytes);
  std::string line;
  size_t lineNo = 0;
  bool header = false;
  char sep = ',';
  while (std::getline(in, line)) {
    ++lineNo;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#')
      continue;
    if (!header && t.find('\t') != std::string::npos)
      sep = '\t';
    std::vector<std::string> cells = splitCells(t, sep);
    if (!header) {
      header = true;
      for (const std::string &c : cells) {
        if (c.empty()) {
          err = path + ":" + std::to_string(lineNo) +
                ": empty column name in the header";
          return false;
        }
        table.names.push_back(c);
      }
      table.columns.assign(table.names.size(), {});
      table.text.assign(table.names.size(), {});
      continue;
    }
    if (cells.size() != table.names.size()) {
      err = path + ":" + std::to_string(lineNo) + ": " +
            std::to_string(cells.size()) + " values, the header has " +
            std::to_string(table.names.size()) + " columns";
      return false;
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      table.text[c].push_back(cells[c]);
      const char *begin = cells[c].c_str();
      char *end = nullptr;
      double v = std::strtod(begin, &end);
      if (allText || isTextColumn(table.names[c])) {
        table.columns[c].push_back(
            *end == '\0' && !cells[c].empty()
                ? v
                : std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      if (cells[c].empty() || *end != '\0' || !std::isfinite(v)) {
        err = path + ":" + std::to_string(lineNo) + ": " + quoted(cells[c]) +
              " in column " + quoted(table.names[c]) +
              " is not a finite number";
        return false;
      }
      table.columns[c].push_back(v);
    }
  }
  if (!header) {
    err = "'" + path + "' has no header line of column names";
    return false;
  }
  return true;
}

/// One field of a .npy dtype: name, type character, size, byte offset.
struct Field {
  std::string name;
  char kind = 'f';
  size_t size = 8;
  size_t offset = 0;
};

bool parseDescr(const std::string &d, Field &f) {
  // '<f8', '|u1', '=i4'
  if (d.size() != 3 || (d[0] != '<' && d[0] != '|' && d[0] != '=') ||
      d[2] < '1' || d[2] > '8')
    return false;
  f.kind = d[1];
  f.size = size_t(d[2] - '0');
  if (f.kind == 'f')
    return f.size == 4 || f.size == 8;
  if (f.kind == 'i' || f.kind == 'u')
    return f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8;
  if (f.kind == 'b')
    return f.size == 1;
  return false;
}

double readValue(const char *p, const Field &f) {
  auto get = [&](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return double(v);
  };
  switch (f.kind) {
  case 'f':
    return f.size == 8 ? get(double()) : get(float());
  case 'i':
    return f.size == 8   ? get(int64_t())
           : f.size == 4 ? get(int32_t())
           : f.size == 2 ? get(int16_t())
                         : get(int8_t());
  default:
    return f.size == 8   ? get(uint64_t())
           : f.size == 4 ? get(uint32_t())
           : f.size == 2 ? get(uint16_t())
                         : get(uint8_t());
  }
}

/// `a * b`, false when it overflows.
bool multiply(uint64_t a, uint64_t b, uint64_t &out) {
  if (b != 0 && a > UINT64_MAX / b)
    return false;
  out = a * b;
  return true;
}

std::string shapeText(const std::vector<uint64_t> &shape) {
  std::string out = "(";
  for (size_t d = 0; d < shape.size(); ++d)
    out += (d ? ", " : "") + std::to_string(shape[d]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

bool readNpy(const std::string &path, std::string_view bytes, Table &table,
             std::string &err) {
  auto bad = [&](const std::string &why) {
    err = "'" + path + "' is not a .npy file Neuro can read: " + why;
    return false;
  };
  NpyHeader header;
  std::string why;
  if (!parseNpyHeader(bytes, header, why))
    return bad(why);
  const std::vector<uint64_t> &shape = header.shape;
  if (shape.empty() || shape.size() > 2 ||
      (header.structured && shape.size() != 1))
    return bad("shape " + shapeText(shape) + ": only 1-D and 2-D arrays " +
               "of numbers and 1-D structured arrays are tables");
  std::vector<Field> fields;
  uint64_t itemSize = 0; // bytes per row
  uint64_t rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
  // Columns cost memory even without rows: no more than the file has bytes.
  if (cols > bytes.size())
    return bad("shape " + shapeText(shape) + " has more columns than the " +
               "file has bytes");
  for (const NpyHeader::Field &h : header.fields) {
    Field f;
    f.name = h.name;
    if (!parseDescr(h.type, f))
      return bad(header.structured ? "unsupported type " + quoted(h.type) +
                                         " of field " + quoted(h.name)
                                   : "unsupported dtype " + quoted(h.type));
    f.offset = size_t(itemSize);
    itemSize += f.size;
    fields.push_back(f);
  }
  if (!header.structured) {
    Field f = fields[0];
    fields.assign(size_t(cols), f);
    for (uint64_t c = 0; c < cols; ++c)
      fields[size_t(c)].offset = size_t(c * f.size);
    itemSize = cols * f.size;
  }
  uint64_t dataBytes = 0;
  if (!multiply(rows, itemSize, dataBytes) ||
      dataBytes > bytes.size() - header.dataOffset)
    return bad("the data is shorter than the shape " + shapeText(shape) +
               " says");
  table.names.clear();
  table.columns.assign(fields.size(), std::vector<double>(size_t(rows)));
  table.text.assign(fields.size(), {});
  for (const Field &f : fields)
    table.names.push_back(f.name);
  const char *data = bytes.data() + header.dataOffset;
  // Fortran order (2-D only): column after column.
  bool byColumn = header.fortranOrder && !header.structured;
  for (uint64_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < fields.size(); ++c) {
      const Field &f = fields[c];
      size_t at = byColumn ? size_t((uint64_t(c) * rows + r) * f.size)
                           : size_t(r * itemSize + f.offset);
      table.columns[c][size_t(r)] = readValue(data + at, f);
    }
  return true;
}

} // namespace

void neuro::rt::embedFile(const std::string &path, const char *data,
                          size_t size) {
  embedded()[path] = std::string_view(data, size);
}

bool neuro::rt::readTable(const std::string &path, Table &table,
                          std::string &err) {
  table = Table();
  std::string_view bytes;
  std::string storage;
  if (!loadBytes(path, bytes, storage, err))
    return false;
  bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  try {
    return npy ? readNpy(path, bytes, table, err)
               : readCsv(path, bytes, table, err);
  } catch (const std::bad_alloc &) {
    table = Table();
    err = "'" + path + "' does not fit in memory as a table";
    return false;
  }
}

namespace {

/// Column `name` (or `alt`), else unnamed column `position`; -1 if absent.
int findColumn(const Table &t, const std::string &name, const std::string &alt,
               size_t position) {
  int c = t.column(name);
  if (c < 0 && !alt.empty())
    c = t.column(alt);
  if (c < 0 && position < t.names.size() && t.names[position].empty())
    c = int(position);
  return c;
}

bool wholeNumbers(const std::string &path, const std::string &what,
                  const std::vector<double> &col, std::vector<int64_t> &out,
                  std::string &err) {
  out.resize(col.size());
  for (size_t r = 0; r < col.size(); ++r) {
    double v = col[r];
    if (!(v >= 0) || v != std::floor(v) || v > 2147483647.0) {
      std::ostringstream os;
      os << path << ": row " << r + 1 << ": " << what << " " << v
         << " is not a neuron index (a whole number >= 0)";
      err = os.str();
      return false;
    }
    out[r] = int64_t(v);
  }
  return true;
}

} // namespace

bool neuro::rt::readConnections(const std::string &path,
                                const std::string &weightName,
                                ConnectionList &list, std::string &err) {
  Table t;
  if (!readTable(path, t, err))
    return false;
  int pre = findColumn(t, "pre", "i", 0), post = findColumn(t, "post", "j", 1);
  if (pre < 0 || post < 0) {
    err = "'" + path + "' needs columns 'pre' and 'post'";
    return false;
  }
  list = ConnectionList();
  if (!wholeNumbers(path, "pre", t.columns[size_t(pre)], list.pre, err) ||
      !wholeNumbers(path, "post", t.columns[size_t(post)], list.post, err))
    return false;
  int weight = findColumn(t, "weight", weightName, 2);
  if (weight >= 0)
    list.weight = t.columns[size_t(weight)];
  int delay = findColumn(t, "delay", "", 3);
  if (delay >= 0) {
    list.delay = t.columns[size_t(delay)];
    for (size_t r = 0; r < list.delay.size(); ++r)
      if (!(list.delay[r] >= 0) || !std::isfinite(list.delay[r])) {
        std::ostringstream os;
        os << path << ": row " << r + 1 << ": delay " << list.delay[r]
           << " is not a time >= 0 (seconds)";
        err = os.str();
        return false;
      }
  }
  for (size_t c = 0; c < t.names.size(); ++c)
    if (!t.names[c].empty() && int(c) != pre && int(c) != post &&
        int(c) != weight && int(c) != delay) {
      err = "'" + path + "': unknown column " + quoted(t.names[c]) +
            " (expected pre, post, weight or " +
            (weightName.empty() ? "the weight's name" : weightName) +
            ", delay)";
      return false;
    }
  return true;
}

bool neuro::rt::readNames(const std::string &path,
                          std::vector<std::string> &names, std::string &err) {
  bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  if (npy) {
    err = "'" + path + "' is a .npy file; names are read from a CSV file";
    return false;
  }
  std::string_view bytes;
  std::string storage;
  if (!loadBytes(path, bytes, storage, err))
    return false;
  Table t;
  try {
    if (!readCsv(path, bytes, t, err, /*allText=*/true))
      return false;
  } catch (const std::bad_alloc &) {
    err = "'" + path + "' does not fit in memory as a table";
    return false;
  }
  int c = t.column("name");
  if (c < 0 && t.names.size() == 1)
    c = 0;
  if (c < 0) {
    std::string columns;
    for (size_t k = 0; k < t.names.size() && k < 8; ++k)
      columns += (k ? ", " : "") + quoted(t.names[k]);
    if (t.names.size() > 8)
      columns += ", ...";
    err = "'" + path + "' has " + std::to_string(t.names.size()) +
          " columns (" + columns +
          ") and none is called 'name': the names are read from the column "
          "'name', or from the only column of a file that has one";
    return false;
  }
  names = std::move(t.text[size_t(c)]);
  return true;
}

bool neuro::rt::readSpikeTimes(const std::string &path,
                               std::vector<int64_t> &indices,
                               std::vector<double> &times, std::string &err) {
  Table t;
  if (!readTable(path, t, err))
    return false;
  int i = findColumn(t, "i", "", 0), tc = findColumn(t, "t", "", 1);
  if (i < 0 || tc < 0) {
    err = "'" + path + "' needs columns 'i' (neuron) and 't' (seconds)";
    return false;
  }
  if (!wholeNumbers(path, "i", t.columns[size_t(i)], indices, err))
    return false;
  times = t.columns[size_t(tc)];
  for (size_t r = 0; r < times.size(); ++r)
    if (!(times[r] >= 0) || !std::isfinite(times[r])) {
      std::ostringstream os;
      os << path << ": row " << r + 1 << ": spike time " << times[r]
         << " is not a time >= 0 (seconds)";
      err = os.str();
      return false;
    }
  return true;
}

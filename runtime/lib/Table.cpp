//===- Table.cpp - Numeric tables from CSV and .npy files -----------------===//
//
// Tables are read a block at a time (a megabyte of CSV, or of .npy rows)
// and handed to a RowSink row by row, so that a connection file of 10^8
// rows can be filtered or summarized without holding it.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Table.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/Quote.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <map>
#include <new>
#include <unistd.h>

using namespace neuro::rt;

int Table::column(const std::string &name) const {
  for (size_t c = 0; c < names.size(); ++c)
    if (names[c] == name)
      return int(c);
  return -1;
}

namespace {

/// Bytes read per block.
constexpr size_t kBlockBytes = size_t(1) << 20;

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos)
    return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

/// Columns that name things rather than measure them: kept as text.
bool isTextColumn(std::string_view name) {
  return name == "name" || name == "type";
}

std::map<std::string, std::string_view> &embedded() {
  static std::map<std::string, std::string_view> files;
  return files;
}

/// The bytes of a table: embedded in the program, or read from the file
/// where they are asked for.
class ByteSource {
public:
  ByteSource() = default;
  ByteSource(const ByteSource &) = delete;
  ByteSource &operator=(const ByteSource &) = delete;
  ~ByteSource() {
    if (fd >= 0)
      ::close(fd);
  }

  bool open(const std::string &p, std::string &err) {
    path = p;
    auto it = embedded().find(path);
    if (it != embedded().end()) {
      memory = it->second;
      inMemory = true;
      bytes = memory.size();
      return true;
    }
    if (!checkRegularFile(path, err, &bytes))
      return false;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      err = "cannot open '" + visible(path) + "': " + std::strerror(errno);
      return false;
    }
    return true;
  }

  /// The size when opened (a file may change while it is read).
  uint64_t size() const { return bytes; }

  /// Reads up to `n` bytes at `at` into `out`; fewer only at the end.
  /// -1 and `err` when the file cannot be read.
  int64_t read(uint64_t at, size_t n, char *out, std::string &err) {
    if (inMemory) {
      if (at >= memory.size())
        return 0;
      n = std::min<size_t>(n, size_t(memory.size() - at));
      std::memcpy(out, memory.data() + at, n);
      return int64_t(n);
    }
    size_t got = 0;
    while (got < n) {
      ssize_t k = ::pread(fd, out + got, n - got, off_t(at + got));
      if (k < 0 && errno == EINTR)
        continue;
      if (k < 0) {
        err = "cannot read '" + path + "': " + std::strerror(errno);
        return -1;
      }
      if (k == 0)
        break;
      got += size_t(k);
    }
    return int64_t(got);
  }

private:
  std::string path;
  std::string_view memory;
  bool inMemory = false;
  int fd = -1;
  uint64_t bytes = 0;
};

/// A cell parsed as a number, as strtod() would; false when it is not one.
bool parseNumber(std::string_view cell, double &value) {
  // The common case without a copy: decimal, optionally after a '+'.
  const char *begin = cell.data(), *end = begin + cell.size();
  if (end - begin > 1 && *begin == '+' &&
      (std::isdigit(static_cast<unsigned char>(begin[1])) || begin[1] == '.'))
    ++begin;
  auto [stop, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc() && stop == end && begin != end)
    return true;
  // Hexadecimal, "+inf", underflow to a subnormal or zero: strtod.
  char small[64];
  std::string large;
  const char *text = small;
  if (cell.size() < sizeof small) {
    std::memcpy(small, cell.data(), cell.size());
    small[cell.size()] = '\0';
  } else {
    large.assign(cell);
    text = large.c_str();
  }
  char *last = nullptr;
  value = std::strtod(text, &last);
  // All of the cell: a NUL inside it ends the number, not the cell.
  return !cell.empty() && last == text + cell.size();
}

/// CSV, one line at a time: the header, then rows of cells.
class CsvScanner {
public:
  CsvScanner(const std::string &path, RowSink &sink, bool allText)
      : path(path), sink(sink), allText(allText) {}

  bool line(std::string_view raw, std::string &err) {
    ++lineNo;
    // A byte-order mark (spreadsheets save CSV with one) starts no name.
    if (lineNo == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF")
      raw.remove_prefix(3);
    std::string_view t = trim(raw);
    if (t.empty() || t[0] == '#')
      return true;
    if (names.empty() && t.find('\t') != std::string_view::npos)
      sep = '\t';
    cells.clear();
    for (size_t pos = 0;;) {
      size_t k = t.find(sep, pos);
      cells.push_back(trim(t.substr(pos, k - pos)));
      if (k == std::string_view::npos)
        break;
      pos = k + 1;
    }
    return names.empty() ? header(err) : row(err);
  }

  bool finish(std::string &err) {
    if (names.empty()) {
      err = "'" + visible(path) + "' has no header line of column names";
      return false;
    }
    return true;
  }

private:
  bool header(std::string &err) {
    for (std::string_view c : cells) {
      if (c.empty()) {
        err = path + ":" + std::to_string(lineNo) +
              ": empty column name in the header";
        return false;
      }
      names.emplace_back(c);
      text.push_back(allText || isTextColumn(c));
    }
    values.resize(names.size());
    return sink.header(names, err);
  }

  bool row(std::string &err) {
    if (cells.size() != names.size()) {
      err = path + ":" + std::to_string(lineNo) + ": " +
            std::to_string(cells.size()) + " values, the header has " +
            std::to_string(names.size()) + " columns";
      return false;
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      double v = 0;
      bool number = parseNumber(cells[c], v);
      if (text[c]) {
        values[c] = number ? v : std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      if (!number || !std::isfinite(v)) {
        err = path + ":" + std::to_string(lineNo) + ": " +
              quoted(std::string(cells[c])) + " in column " + quoted(names[c]) +
              " is not a finite number";
        return false;
      }
      values[c] = v;
    }
    return sink.row(rows++, values.data(), cells.data(), err);
  }

  const std::string &path;
  RowSink &sink;
  bool allText;
  size_t lineNo = 0;
  uint64_t rows = 0;
  char sep = ',';
  std::vector<std::string> names;
  std::vector<bool> text;
  std::vector<std::string_view> cells;
  std::vector<double> values;
};

bool scanCsv(const std::string &path, ByteSource &src, RowSink &sink,
             std::string &err, bool allText) {
  CsvScanner scanner(path, sink, allText);
  std::vector<char> block(kBlockBytes);
  std::string pending; // a line that runs past the block
  for (uint64_t at = 0;;) {
    int64_t got = src.read(at, block.size(), block.data(), err);
    if (got < 0)
      return false;
    if (got == 0)
      break;
    at += uint64_t(got);
    std::string_view chunk(block.data(), size_t(got));
    for (size_t pos = 0;;) {
      size_t nl = chunk.find('\n', pos);
      if (nl == std::string_view::npos) {
        pending.append(chunk.substr(pos));
        break;
      }
      std::string_view line = chunk.substr(pos, nl - pos);
      if (!pending.empty()) {
        pending.append(line);
        line = pending;
      }
      if (!scanner.line(line, err))
        return false;
      pending.clear();
      pos = nl + 1;
    }
  }
  if (!pending.empty() && !scanner.line(pending, err))
    return false;
  return scanner.finish(err);
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

/// The fields of a .npy table (its columns), with their offsets in a row.
bool npyFields(const NpyHeader &header, uint64_t cols,
               std::vector<Field> &fields, uint64_t &itemSize,
               std::string &why) {
  itemSize = 0;
  for (const NpyHeader::Field &h : header.fields) {
    Field f;
    f.name = h.name;
    if (!parseDescr(h.type, f)) {
      why = header.structured ? "unsupported type " + quoted(h.type) +
                                    " of field " + quoted(h.name)
                              : "unsupported dtype " + quoted(h.type);
      return false;
    }
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
  return true;
}

bool scanNpy(const std::string &path, ByteSource &src, RowSink &sink,
             std::string &err) {
  auto bad = [&](const std::string &why) {
    err = "'" + visible(path) + "' is not a .npy file Neuro can read: " + why;
    return false;
  };
  // The magic, version and header length, then the whole header.
  std::string start(12, '\0');
  int64_t got = src.read(0, start.size(), start.data(), err);
  if (got < 0)
    return false;
  start.resize(size_t(got));
  uint64_t end = std::min(npyHeaderEnd(start), src.size());
  if (end > start.size()) {
    start.resize(size_t(end));
    if ((got = src.read(0, start.size(), start.data(), err)) < 0)
      return false;
    start.resize(size_t(got));
  }
  NpyHeader header;
  std::string why;
  if (!parseNpyHeader(start, header, why))
    return bad(why);
  const std::vector<uint64_t> &shape = header.shape;
  if (shape.empty() || shape.size() > 2 ||
      (header.structured && shape.size() != 1))
    return bad("shape " + shapeText(shape) + ": only 1-D and 2-D arrays " +
               "of numbers and 1-D structured arrays are tables");
  uint64_t rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
  // Columns cost memory even without rows: no more than the file has bytes.
  if (cols > src.size())
    return bad("shape " + shapeText(shape) + " has more columns than the " +
               "file has bytes");
  std::vector<Field> fields;
  uint64_t itemSize = 0; // bytes per row
  if (!npyFields(header, cols, fields, itemSize, why))
    return bad(why);
  // Rows of no bytes would be counted one by one, up to 2^64 of them.
  if (itemSize == 0)
    return bad("shape " + shapeText(shape) + " has no columns");
  uint64_t dataBytes = 0;
  if (!multiply(rows, itemSize, dataBytes) ||
      dataBytes > src.size() - header.dataOffset)
    return bad("the data is shorter than the shape " + shapeText(shape) +
               " says");
  std::vector<std::string> names;
  for (const Field &f : fields)
    names.push_back(f.name);
  if (!sink.header(names, err))
    return false;
  // Rows a block at a time; Fortran order (2-D only) keeps each column's
  // part of the block apart.
  bool byColumn = header.fortranOrder && !header.structured;
  uint64_t perBlock =
      std::max<uint64_t>(1, kBlockBytes / std::max<uint64_t>(itemSize, 1));
  std::vector<char> block(size_t(std::min(rows, perBlock) * itemSize));
  std::vector<double> values(fields.size());
  std::vector<std::string_view> cells(fields.size());
  for (uint64_t r0 = 0; r0 < rows; r0 += perBlock) {
    uint64_t n = std::min(perBlock, rows - r0);
    for (size_t c = 0; c < (byColumn ? fields.size() : 1); ++c) {
      uint64_t at =
          byColumn ? (uint64_t(c) * rows + r0) * fields[c].size : r0 * itemSize;
      size_t count = size_t(n * (byColumn ? fields[c].size : itemSize));
      char *to = block.data() + (byColumn ? size_t(c * n * fields[c].size) : 0);
      got = src.read(header.dataOffset + at, count, to, err);
      if (got < 0)
        return false;
      if (uint64_t(got) < count)
        return bad("the data is shorter than the shape " + shapeText(shape) +
                   " says");
    }
    for (uint64_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < fields.size(); ++c) {
        const Field &f = fields[c];
        size_t at = byColumn ? size_t((uint64_t(c) * n + r) * f.size)
                             : size_t(r * itemSize + f.offset);
        values[c] = readValue(block.data() + at, f);
      }
      if (!sink.row(r0 + r, values.data(), cells.data(), err))
        return false;
    }
  }
  return true;
}

/// Keeps every row.
class TableSink : public RowSink {
public:
  explicit TableSink(Table &table) : table(table) {}
  bool header(const std::vector<std::string> &names, std::string &) override {
    table.names = names;
    table.columns.assign(names.size(), {});
    return true;
  }
  bool row(uint64_t, const double *values, const std::string_view *,
           std::string &) override {
    for (size_t c = 0; c < table.columns.size(); ++c)
      table.columns[c].push_back(values[c]);
    return true;
  }

private:
  Table &table;
};

} // namespace

void neuro::rt::embedFile(const std::string &path, const char *data,
                          size_t size) {
  embedded()[path] = std::string_view(data, size);
}

bool neuro::rt::scanTable(const std::string &path, RowSink &sink,
                          std::string &err, bool allText) {
  ByteSource src;
  if (!src.open(path, err))
    return false;
  bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  try {
    return npy ? scanNpy(path, src, sink, err)
               : scanCsv(path, src, sink, err, allText);
  } catch (const std::bad_alloc &) {
    err = "'" + visible(path) + "' does not fit in memory as a table";
    return false;
  }
}

bool neuro::rt::readTable(const std::string &path, Table &table,
                          std::string &err) {
  table = Table();
  TableSink sink(table);
  if (scanTable(path, sink, err))
    return true;
  table = Table();
  return false;
}

//===- Table.h - Numeric tables from CSV and .npy files ---------*- C++ -*-===//
//
// The data files a model may name (connectivity, spike times, input
// series) are tables of numbers with named columns:
//
//   - CSV: a header line of column names, then one row per line, separated
//     by commas or tabs (spaces around them are ignored); empty lines and
//     lines starting with '#' are skipped. Cells are numbers, except in
//     columns that only name things (`name`, `pre`/`post` written as names,
//     `type`), which are kept as text.
//   - .npy (version 1, 2 or 3, little-endian, C or Fortran order): a 1-D
//     structured array whose fields are the columns (e.g. the spike files
//     Neuro writes, with fields i and t; each field one number), or a 1-D
//     or 2-D array of numbers whose columns are unnamed (found by
//     position). Element types: f8, f4, i8, i4, i2, i1, u8, u4, u2, u1, b1.
//
// Only regular files are read, and a .npy header's sizes are checked
// against the file's (overflow-checked) before anything is allocated.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_TABLE_H
#define NEURO_RUNTIME_TABLE_H

#include <cstdint>
#include <string>
#include <vector>

namespace neuro::rt {

struct Table {
  /// Column names; empty strings for an unnamed (plain .npy) column.
  std::vector<std::string> names;
  /// columns[c][r]: row r of column c (NaN for a cell that is not a
  /// number, in CSV).
  std::vector<std::vector<double>> columns;
  /// text[c][r]: the cell as written (CSV; empty for .npy).
  std::vector<std::vector<std::string>> text;

  size_t numRows() const { return columns.empty() ? 0 : columns[0].size(); }
  /// Index of the column named `name`, or -1.
  int column(const std::string &name) const;
};

/// The bytes of file `path`, which a built program carries (neuroc build
/// embeds the connection tables a model reads, so that the program needs
/// none of its files): readTable() then takes `path` from memory. `data`
/// must outlive the process's reads.
void embedFile(const std::string &path, const char *data, size_t size);

/// Reads `path` (.npy by its extension, else CSV). Returns false and sets
/// `err` (naming the file and, for CSV, the line) on failure.
bool readTable(const std::string &path, Table &table, std::string &err);

/// Synapses listed in a table, one per row: the source and target neuron
/// (columns `pre` and `post`), optionally the weight (column `weight` or
/// `weightName`, in SI units) and the delay (column `delay`, in seconds).
/// A table with unnamed columns has them in that order.
struct ConnectionList {
  std::vector<int64_t> pre, post;
  std::vector<double> weight; ///< empty: no weight column
  std::vector<double> delay;  ///< empty: no delay column
};

/// Reads the synapses of `path`. Indices must be whole numbers >= 0 and
/// delays >= 0; err names the file and row otherwise.
bool readConnections(const std::string &path, const std::string &weightName,
                     ConnectionList &list, std::string &err);

/// Names listed in a CSV file, one per row: the column `name`, or the only
/// column whatever it is called, as text. False and `err` for a .npy file
/// (it holds numbers) and for several columns none of which is `name`.
bool readNames(const std::string &path, std::vector<std::string> &names,
               std::string &err);

/// Spike times listed in a table: neuron `i` spikes at `t` seconds (columns
/// `i` and `t`, else the first two unnamed ones), as the spike files Neuro
/// writes hold them.
bool readSpikeTimes(const std::string &path, std::vector<int64_t> &indices,
                    std::vector<double> &times, std::string &err);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_TABLE_H

//===- Table.h - Numeric tables from CSV and .npy files ---------*- C++ -*-===//
//
// The data files a model may name (connectivity, spike times, input
// series) are tables of numbers with named columns:
//
//   - CSV: a header line of column names, then one row per line, separated
//     by commas or tabs (spaces around them are ignored); empty lines and
//     lines starting with '#' are skipped. Cells are numbers, except in
//     columns that only name things (`name`, `type`), which are kept as
//     text.
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
#include <string_view>
#include <vector>

namespace neuro::rt {

struct Table {
  /// Column names; empty strings for an unnamed (plain .npy) column.
  std::vector<std::string> names;
  /// columns[c][r]: row r of column c (NaN for a text cell that is not a
  /// number, in CSV).
  std::vector<std::vector<double>> columns;

  size_t numRows() const { return columns.empty() ? 0 : columns[0].size(); }
  /// Index of the column named `name`, or -1.
  int column(const std::string &name) const;
};

/// Receives a table row by row from scanTable(), which keeps neither the
/// file nor its rows: tables larger than memory can be filtered or
/// summarized as they are read.
class RowSink {
public:
  virtual ~RowSink() = default;
  /// The column names, once, before any row. False and `err` to stop.
  virtual bool header(const std::vector<std::string> &names,
                      std::string &err) = 0;
  /// Row `row` (from 0, in file order): `values[c]` is its number in column
  /// c (NaN for a text cell that is not a number) and, for CSV, `cells[c]`
  /// the cell as written (empty for .npy); both are valid during the call.
  /// False and `err` to stop.
  virtual bool row(uint64_t row, const double *values,
                   const std::string_view *cells, std::string &err) = 0;
};

/// The bytes of file `path`, which a built program carries (neuroc build
/// embeds the connection tables a model reads, so that the program needs
/// none of its files): scanTable() then takes `path` from memory. `data`
/// must outlive the process's reads.
void embedFile(const std::string &path, const char *data, size_t size);

/// Reads `path` (.npy by its extension, else CSV) into `sink`, a block at a
/// time. `allText`: every CSV column is text (a cell that is not a number
/// is NaN), as for a file of names; otherwise only columns that name
/// things are. Returns false and sets `err` (naming the file and, for CSV,
/// the line) on failure, or to the sink's error.
bool scanTable(const std::string &path, RowSink &sink, std::string &err,
               bool allText = false);

/// Reads `path` whole into `table`; false and `err` as scanTable().
bool readTable(const std::string &path, Table &table, std::string &err);

/// Synapses listed in a table, one per row: the source and target neuron
/// (columns `pre` and `post`), optionally the weight (column `weight` or
/// the synapse's weight name) and the delay in seconds (column `delay`).
/// Unnamed .npy columns are taken in that order.
struct ConnectionList {
  std::vector<int64_t> pre, post;
  std::vector<double> weight; ///< empty: no weight column
  std::vector<double> delay;  ///< empty: no delay column
};

/// Receives a connection table row by row from scanConnections().
class ConnectionSink {
public:
  virtual ~ConnectionSink() = default;
  /// Whether the file gives weights and delays, once, before any row.
  virtual bool columns(bool weights, bool delays, std::string &err) = 0;
  /// Row `row` (from 0): its indices (whole numbers >= 0), weight and
  /// delay (>= 0 seconds; NaN for a column the file lacks).
  virtual bool synapse(uint64_t row, int64_t pre, int64_t post, double weight,
                       double delay, std::string &err) = 0;
};

/// Reads the synapses of `path` into `sink`, checking that indices are
/// whole numbers >= 0 and delays >= 0; err names the file and row
/// otherwise. `weightName` is the synapse's weight, which may name the
/// weight column.
bool scanConnections(const std::string &path, const std::string &weightName,
                     ConnectionSink &sink, std::string &err);

/// Reads every synapse of `path` (as scanConnections()).
bool readConnections(const std::string &path, const std::string &weightName,
                     ConnectionList &list, std::string &err);

/// What a connection table holds, without its rows: what checks before a
/// build need (summarizeConnections()).
struct ConnectionSummary {
  bool weights = false, delays = false;
  uint64_t rows = 0;
  /// The largest index of each side (-1 without rows), and the first row
  /// (from 0) that holds it.
  int64_t maxPre = -1, maxPost = -1;
  uint64_t maxPreRow = 0, maxPostRow = 0;
  /// The smallest and largest weight, and the first row of each (weights
  /// only).
  double minWeight = 0, maxWeight = 0;
  uint64_t minWeightRow = 0, maxWeightRow = 0;
  /// The longest delay (seconds) and its first row (delays only).
  double maxDelay = 0;
  uint64_t maxDelayRow = 0;
};

/// Summarizes the synapses of `path`; false and `err` as scanConnections().
bool summarizeConnections(const std::string &path,
                          const std::string &weightName,
                          ConnectionSummary &summary, std::string &err);

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

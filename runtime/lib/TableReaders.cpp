//===- TableReaders.cpp - Synapses, names and spike times from tables -----===//
//
// What the model's data files mean, read through scanTable(): synapses
// (pre, post, weight, delay), neuron names, and spike times.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Table.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

using namespace neuro::rt;

namespace {

/// Column `name` (or `alt`), else unnamed column `position`; -1 if absent.
int findColumn(const std::vector<std::string> &names, const std::string &name,
               const std::string &alt, size_t position) {
  for (size_t c = 0; c < names.size(); ++c)
    if (names[c] == name)
      return int(c);
  for (size_t c = 0; c < names.size() && !alt.empty(); ++c)
    if (names[c] == alt)
      return int(c);
  if (position < names.size() && names[position].empty())
    return int(position);
  return -1;
}

/// `v` as a neuron index; false and `err` (naming row `row`, from 0) when
/// it is not a whole number >= 0 that fits 32 bits.
bool neuronIndex(const std::string &path, const char *what, uint64_t row,
                 double v, int64_t &out, std::string &err) {
  if (!(v >= 0) || v != std::floor(v) || v > 2147483647.0) {
    std::ostringstream os;
    os << path << ": row " << row + 1 << ": " << what << " " << v
       << " is not a neuron index (a whole number >= 0)";
    err = os.str();
    return false;
  }
  out = int64_t(v);
  return true;
}

/// `v` as a time in seconds >= 0; false and `err` otherwise.
bool timeAtLeastZero(const std::string &path, const char *what, uint64_t row,
                     double v, std::string &err) {
  if (v >= 0 && std::isfinite(v))
    return true;
  std::ostringstream os;
  os << path << ": row " << row + 1 << ": " << what << " " << v
     << " is not a time >= 0 (seconds)";
  err = os.str();
  return false;
}

/// A connection table's columns found by name or position, each row
/// checked and handed on.
class ConnectionRows : public RowSink {
public:
  ConnectionRows(const std::string &path, const std::string &weightName,
                 ConnectionSink &sink)
      : path(path), weightName(weightName), sink(sink) {}

  bool header(const std::vector<std::string> &names,
              std::string &err) override {
    auto has = [&](const std::string &n) {
      return std::count(names.begin(), names.end(), n);
    };
    for (const std::string &n : names)
      if (!n.empty() && has(n) > 1) {
        err = "'" + visible(path) + "': column " + quoted(n) + " appears twice";
        return false;
      }
    for (auto [name, alt] : {std::pair<std::string, std::string>{"pre", "i"},
                             {"post", "j"},
                             {"weight", weightName}})
      if (!alt.empty() && alt != name && has(name) && has(alt)) {
        err = "'" + visible(path) + "': columns " + quoted(name) + " and " +
              quoted(alt) + " name the same thing; keep one";
        return false;
      }
    pre = findColumn(names, "pre", "i", 0);
    post = findColumn(names, "post", "j", 1);
    if (pre < 0 || post < 0) {
      err = "'" + visible(path) + "' needs columns 'pre' and 'post'";
      return false;
    }
    weight = findColumn(names, "weight", weightName, 2);
    delay = findColumn(names, "delay", "", 3);
    // Columns without names (a 2-D .npy) go by position: at most four.
    if (names.size() > 4 && std::all_of(names.begin(), names.end(),
                                        [](auto &n) { return n.empty(); })) {
      err = "'" + visible(path) + "' has " + std::to_string(names.size()) +
            " columns; expected pre, post, and weight and delay when given";
      return false;
    }
    for (size_t c = 0; c < names.size(); ++c)
      if (!names[c].empty() && int(c) != pre && int(c) != post &&
          int(c) != weight && int(c) != delay) {
        err = "'" + visible(path) + "': unknown column " + quoted(names[c]) +
              " (expected pre, post, weight or " +
              (weightName.empty() ? "the weight's name" : weightName) +
              ", delay)";
        return false;
      }
    return sink.columns(weight >= 0, delay >= 0, err);
  }

  bool row(uint64_t r, const double *values, const std::string_view *,
           std::string &err) override {
    int64_t i = 0, j = 0;
    if (!neuronIndex(path, "pre", r, values[pre], i, err) ||
        !neuronIndex(path, "post", r, values[post], j, err))
      return false;
    double nan = std::numeric_limits<double>::quiet_NaN();
    double w = weight >= 0 ? values[weight] : nan;
    if (weight >= 0 && !std::isfinite(w)) {
      std::ostringstream os;
      os << path << ": row " << r + 1 << ": weight " << w
         << " is not a finite number";
      err = os.str();
      return false;
    }
    double d = delay >= 0 ? values[delay] : nan;
    if (delay >= 0 && !timeAtLeastZero(path, "delay", r, d, err))
      return false;
    return sink.synapse(r, i, j, w, d, err);
  }

private:
  const std::string &path;
  const std::string &weightName;
  ConnectionSink &sink;
  int pre = -1, post = -1, weight = -1, delay = -1;
};

/// Keeps every synapse.
class ListSink : public ConnectionSink {
public:
  explicit ListSink(ConnectionList &list) : list(list) {}
  bool columns(bool w, bool d, std::string &) override {
    weights = w;
    delays = d;
    return true;
  }
  bool synapse(uint64_t, int64_t pre, int64_t post, double weight, double delay,
               std::string &) override {
    list.pre.push_back(pre);
    list.post.push_back(post);
    if (weights)
      list.weight.push_back(weight);
    if (delays)
      list.delay.push_back(delay);
    return true;
  }

private:
  ConnectionList &list;
  bool weights = false, delays = false;
};

/// Keeps the extremes.
class SummarySink : public ConnectionSink {
public:
  explicit SummarySink(ConnectionSummary &s) : s(s) {}
  bool columns(bool w, bool d, std::string &) override {
    s.weights = w;
    s.delays = d;
    return true;
  }
  bool synapse(uint64_t row, int64_t pre, int64_t post, double weight,
               double delay, std::string &) override {
    ++s.rows;
    if (s.delays && (row == 0 || delay > s.maxDelay)) {
      s.maxDelay = delay;
      s.maxDelayRow = row;
    }
    if (pre > s.maxPre) {
      s.maxPre = pre;
      s.maxPreRow = row;
    }
    if (post > s.maxPost) {
      s.maxPost = post;
      s.maxPostRow = row;
    }
    if (s.weights && (row == 0 || weight < s.minWeight)) {
      s.minWeight = weight;
      s.minWeightRow = row;
    }
    if (s.weights && (row == 0 || weight > s.maxWeight)) {
      s.maxWeight = weight;
      s.maxWeightRow = row;
    }
    return true;
  }

private:
  ConnectionSummary &s;
};

} // namespace

bool neuro::rt::scanConnections(const std::string &path,
                                const std::string &weightName,
                                ConnectionSink &sink, std::string &err) {
  ConnectionRows rows(path, weightName, sink);
  return scanTable(path, rows, err);
}

bool neuro::rt::readConnections(const std::string &path,
                                const std::string &weightName,
                                ConnectionList &list, std::string &err) {
  list = ConnectionList();
  ListSink sink(list);
  if (scanConnections(path, weightName, sink, err))
    return true;
  list = ConnectionList();
  return false;
}

bool neuro::rt::summarizeConnections(const std::string &path,
                                     const std::string &weightName,
                                     ConnectionSummary &summary,
                                     std::string &err) {
  summary = ConnectionSummary();
  SummarySink sink(summary);
  return scanConnections(path, weightName, sink, err);
}

namespace {

/// The text of one column: `name`, or the only one.
class NameSink : public RowSink {
public:
  NameSink(const std::string &path, std::vector<std::string> &names)
      : path(path), names(names) {}

  bool header(const std::vector<std::string> &columns,
              std::string &err) override {
    for (size_t k = 0; k < columns.size(); ++k)
      if (columns[k] == "name" && column == SIZE_MAX)
        column = k;
    if (column == SIZE_MAX && columns.size() == 1)
      column = 0;
    if (column != SIZE_MAX)
      return true;
    std::string listed;
    for (size_t k = 0; k < columns.size() && k < 8; ++k)
      listed += (k ? ", " : "") + quoted(columns[k]);
    if (columns.size() > 8)
      listed += ", ...";
    err = "'" + visible(path) + "' has " + std::to_string(columns.size()) +
          " columns (" + listed +
          ") and none is called 'name': the names are read from the column "
          "'name', or from the only column of a file that has one";
    return false;
  }

  bool row(uint64_t, const double *, const std::string_view *cells,
           std::string &) override {
    names.emplace_back(cells[column]);
    return true;
  }

private:
  const std::string &path;
  std::vector<std::string> &names;
  size_t column = SIZE_MAX;
};

/// Spike times: neuron `i` at `t` seconds.
class SpikeSink : public RowSink {
public:
  SpikeSink(const std::string &path, std::vector<int64_t> &indices,
            std::vector<double> &times)
      : path(path), indices(indices), times(times) {}

  bool header(const std::vector<std::string> &names,
              std::string &err) override {
    i = findColumn(names, "i", "", 0);
    t = findColumn(names, "t", "", 1);
    if (i >= 0 && t >= 0)
      return true;
    err =
        "'" + visible(path) + "' needs columns 'i' (neuron) and 't' (seconds)";
    return false;
  }

  bool row(uint64_t r, const double *values, const std::string_view *,
           std::string &err) override {
    int64_t index = 0;
    if (!neuronIndex(path, "i", r, values[i], index, err) ||
        !timeAtLeastZero(path, "spike time", r, values[t], err))
      return false;
    indices.push_back(index);
    times.push_back(values[t]);
    return true;
  }

private:
  const std::string &path;
  std::vector<int64_t> &indices;
  std::vector<double> &times;
  int i = -1, t = -1;
};

} // namespace

bool neuro::rt::readNames(const std::string &path,
                          std::vector<std::string> &names, std::string &err) {
  names.clear();
  bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  if (npy) {
    err = "'" + visible(path) +
          "' is a .npy file; names are read from a CSV file";
    return false;
  }
  NameSink sink(path, names);
  return scanTable(path, sink, err, /*allText=*/true);
}

bool neuro::rt::readSpikeTimes(const std::string &path,
                               std::vector<int64_t> &indices,
                               std::vector<double> &times, std::string &err) {
  indices.clear();
  times.clear();
  SpikeSink sink(path, indices, times);
  return scanTable(path, sink, err);
}

//===- ModelIO.cpp - ModelSpec to bytes and back --------------------------===//
//
// One traversal of ModelSpec's fields (visitModel) serves both directions:
// the Writer appends each field, the Reader fills it, so that the two can
// never disagree on the order.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/ModelIO.h"

#include <cstring>
#include <memory>
#include <type_traits>

using namespace neuro::rt;

namespace {

constexpr char kMagic[8] = {'N', 'E', 'U', 'R', 'O', 'M', 'D', 'L'};

class Writer {
public:
  static constexpr bool reading = false;
  std::string bytes;

  template <typename T> void scalar(T &value) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    char buf[sizeof(T)];
    std::memcpy(buf, &value, sizeof(T));
    bytes.append(buf, sizeof(T));
  }
  bool count(uint64_t &n, size_t) {
    scalar(n);
    return true;
  }
  void text(std::string &s) {
    uint64_t n = s.size();
    scalar(n);
    bytes += s;
  }
  bool ok() const { return true; }
};

class Reader {
public:
  static constexpr bool reading = true;
  Reader(const char *data, size_t size) : at(data), end(data + size) {}

  template <typename T> void scalar(T &value) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    if (failed || size_t(end - at) < sizeof(T)) {
      failed = true;
      value = T();
      return;
    }
    std::memcpy(&value, at, sizeof(T));
    at += sizeof(T);
  }
  /// A count of elements of at least `minBytes` each: refused when the
  /// bytes left cannot hold them.
  bool count(uint64_t &n, size_t minBytes) {
    scalar(n);
    if (!failed && minBytes && n > uint64_t(end - at) / minBytes)
      failed = true;
    if (failed)
      n = 0;
    return !failed;
  }
  void text(std::string &s) {
    uint64_t n = 0;
    count(n, 1);
    s.assign(at, size_t(n));
    at += n;
  }
  bool ok() const { return !failed; }
  bool atEnd() const { return at == end; }

private:
  const char *at, *end;
  bool failed = false;
};

template <typename IO> void visit(IO &io, std::string &s) { io.text(s); }
template <typename IO> void visit(IO &io, double &v) { io.scalar(v); }
template <typename IO> void visit(IO &io, int64_t &v) { io.scalar(v); }
template <typename IO> void visit(IO &io, int32_t &v) { io.scalar(v); }

template <typename IO> void visit(IO &io, bool &v) {
  uint8_t b = v;
  io.scalar(b);
  v = b != 0;
}

template <typename IO, typename T> void visit(IO &io, std::vector<T> &list) {
  uint64_t n = list.size();
  if (!io.count(n, 1))
    return;
  if constexpr (IO::reading)
    list.resize(size_t(n));
  for (T &item : list)
    visit(io, item);
}

template <typename IO, typename A, typename B>
void visit(IO &io, std::pair<A, B> &p) {
  visit(io, p.first);
  visit(io, p.second);
}

template <typename IO> void visit(IO &io, InitSpec &i) {
  int32_t kind = int32_t(i.kind);
  io.scalar(kind);
  i.kind = InitSpec::Kind(kind);
  visit(io, i.a);
  visit(io, i.b);
  visit(io, i.every);
  visit(io, i.columns);
  bool has = i.values != nullptr;
  visit(io, has);
  if (!has)
    return;
  std::vector<double> values;
  if constexpr (!IO::reading)
    values = *i.values;
  visit(io, values);
  if constexpr (IO::reading)
    i.values = std::make_shared<const std::vector<double>>(std::move(values));
}

template <typename IO> void visit(IO &io, PopulationSpec &p) {
  visit(io, p.name);
  visit(io, p.size);
  visit(io, p.rows);
  visit(io, p.init);
  visit(io, p.units);
  visit(io, p.derived);
  visit(io, p.computed);
  visit(io, p.sampled);
  visit(io, p.generator);
  visit(io, p.schedule);
  visit(io, p.schedulePeriod);
  visit(io, p.poissonRate);
  visit(io, p.driveInputs);
  visit(io, p.ablated);
}

template <typename IO> void visit(IO &io, ProjectionSpec::Modulator &m) {
  visit(io, m.population);
  visit(io, m.row);
}

template <typename IO> void visit(IO &io, ProjectionSpec &p) {
  visit(io, p.name);
  visit(io, p.src);
  visit(io, p.dst);
  visit(io, p.delayFromInit);
  visit(io, p.synInitCounts);
  int32_t rule = int32_t(p.rule);
  io.scalar(rule);
  p.rule = ProjectionSpec::Rule(rule);
  visit(io, p.file);
  visit(io, p.degree);
  visit(io, p.srcBegin);
  visit(io, p.srcEnd);
  visit(io, p.dstBegin);
  visit(io, p.dstEnd);
  visit(io, p.p);
  visit(io, p.delaySteps);
  visit(io, p.heterogeneousDelay);
  visit(io, p.delayInit);
  visit(io, p.synRows);
  visit(io, p.synInit);
  visit(io, p.synUnits);
  visit(io, p.allowAutapses);
  visit(io, p.multiplicity);
  visit(io, p.synapsesWritten);
  visit(io, p.partitionable);
  visit(io, p.readsWrittenSource);
  visit(io, p.weightRow);
  visit(io, p.needsSources);
  visit(io, p.readsSource);
  visit(io, p.writesSource);
  visit(io, p.updateAfterStep);
  visit(io, p.modulators);
  visit(io, p.plastic);
  visit(io, p.sign);
  visit(io, p.procedural);
}

template <typename IO> void visit(IO &io, RecordSpec &r) {
  visit(io, r.population);
  visit(io, r.begin);
  visit(io, r.end);
}

template <typename IO> void visit(IO &io, StateRecordSpec &r) {
  visit(io, r.population);
  visit(io, r.projection);
  visit(io, r.rows);
  visit(io, r.begin);
  visit(io, r.end);
  visit(io, r.every);
}

template <typename IO> void visit(IO &io, ModelSpec::PlasticSwitch &s) {
  visit(io, s.step);
  visit(io, s.projection);
  visit(io, s.plastic);
}

template <typename IO> void visitModel(IO &io, ModelSpec &m) {
  visit(io, m.name);
  visit(io, m.dt);
  visit(io, m.steps);
  visit(io, m.duration);
  io.scalar(m.seed);
  visit(io, m.singlePrecision);
  visit(io, m.singleSynapses);
  visit(io, m.populations);
  visit(io, m.projections);
  visit(io, m.records);
  visit(io, m.stateRecords);
  visit(io, m.plasticSwitches);
}

} // namespace

std::string neuro::rt::serializeModel(const ModelSpec &spec) {
  Writer w;
  w.bytes.append(kMagic, sizeof kMagic);
  uint32_t version = kModelFormatVersion;
  w.scalar(version);
  // The writer only reads the fields.
  visitModel(w, const_cast<ModelSpec &>(spec));
  return std::move(w.bytes);
}

bool neuro::rt::deserializeModel(const char *data, size_t size, ModelSpec &spec,
                                 std::string &err) {
  if (size < sizeof kMagic + 4 || std::memcmp(data, kMagic, sizeof kMagic)) {
    err = "not a serialized model";
    return false;
  }
  Reader r(data + sizeof kMagic, size - sizeof kMagic);
  uint32_t version = 0;
  r.scalar(version);
  if (version != kModelFormatVersion) {
    err = "serialized model of format version " + std::to_string(version) +
          ", this runtime reads version " + std::to_string(kModelFormatVersion);
    return false;
  }
  ModelSpec read;
  visitModel(r, read);
  if (!r.ok() || !r.atEnd()) {
    err = "damaged serialized model";
    return false;
  }
  spec = std::move(read);
  return true;
}

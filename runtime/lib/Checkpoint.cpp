//===- Checkpoint.cpp - Save and restore the state of a running network ---===//
//
// A checkpoint holds what evolves while a network runs: the current step
// and the time the runs so far asked for, every population's state rows,
// spike count, recent spike lists (as many steps as its longest outgoing
// delay) and Poisson schedule, every projection's synapse rows and
// plasticity flag. Connectivity is not saved:
// it is rebuilt from the model and seed, and a fingerprint (a hash of the
// model's serialized bytes without its run schedule and starting values,
// and of the synapse counts) makes sure the checkpoint is restored into the
// network it came from. Random numbers are keyed by step, so a
// restored run continues bit for bit.
//
// The file does not depend on the number of processes that wrote it: the
// state rows are whole, and the synapses of a projection are in one order
// of the whole projection (by delay group, source, then target, stably),
// which each process finds for the synapses it holds (they live at their
// target: Distribution::wholeSlots). Rank 0 gathers and writes; every rank
// reads the file and keeps its share, so a checkpoint of K processes restores
// into any number.
//
// Layout: "NEUROCKP", the version (6), the fields (little-endian), then the
// XXH64 of everything before it. The checksum is verified before anything
// is parsed, and every length read is bounded by the bytes left in the file
// before anything is allocated for it.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Backend.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Hash.h"
#include "neuro/Runtime/ModelIO.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace neuro::rt;

namespace {

constexpr char kMagic[8] = {'N', 'E', 'U', 'R', 'O', 'C', 'K', 'P'};
constexpr uint64_t kVersion = 6;

struct FileCloser {
  void operator()(std::FILE *f) const {
    if (f)
      std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

/// The first difference between the layout a checkpoint saved and this
/// network's (Simulator::layout), in words.
std::string layoutDifference(const std::string &saved,
                             const std::string &here) {
  // Lines by their owner ("seed", "population E"), the rest their value.
  auto parse = [](const std::string &text) {
    std::vector<std::pair<std::string, std::string>> lines;
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      std::string line = text.substr(at, end - at);
      at = end == std::string::npos ? text.size() : end + 1;
      size_t cut = line.find(' ');
      if (line.rfind("population ", 0) == 0 ||
          line.rfind("projection ", 0) == 0)
        cut = line.find(' ', cut + 1);
      if (cut != std::string::npos)
        lines.push_back({line.substr(0, cut), line.substr(cut + 1)});
    }
    return lines;
  };
  auto was = parse(saved), now = parse(here);
  auto find = [](const auto &lines,
                 const std::string &key) -> const std::string * {
    for (const auto &[k, v] : lines)
      if (k == key)
        return &v;
    return nullptr;
  };
  auto owner = [](const std::string &key) {
    size_t cut = key.find(' ');
    return cut == std::string::npos
               ? key
               : key.substr(0, cut) + " '" + key.substr(cut + 1) + "'";
  };
  for (const auto &[key, value] : now) {
    const std::string *old = find(was, key);
    if (!old && key == "network") // saved before names were kept
      continue;
    if (!old)
      return owner(key) + " is not in the checkpoint";
    if (*old == value)
      continue;
    if (key == "network")
      return "the checkpoint holds network '" + *old + "'";
    if (key == "seed" || key == "dt" || key == "precision")
      return "the " + key + " is " + value + " here and " + *old +
             " in the checkpoint";
    // "SIZE ROWS": sizes first, then the rows kept.
    std::string size = value.substr(0, value.find(' ')),
                oldSize = old->substr(0, old->find(' '));
    std::string what =
        key.rfind("population", 0) == 0 ? " neurons" : " synapses";
    if (size != oldSize)
      return owner(key) + " has " + size + what + " here and " + oldSize +
             " in the checkpoint";
    return owner(key) + " keeps the rows " + value.substr(size.size() + 1) +
           " here and " + old->substr(oldSize.size() + 1) +
           " in the checkpoint (a parameter set at run time, made tunable or "
           "set per neuron is a row)";
  }
  for (const auto &[key, value] : was)
    if (!find(now, key))
      return owner(key) + " of the checkpoint is not in this network";
  // What the model's description holds besides the layout; equations and
  // the constants compiled into kernels are not compared.
  return "its connections, delays or inputs differ";
}

} // namespace

bool neuro::rt::checkCheckpointTarget(const std::string &path,
                                      std::string &err) {
  if (!checkReplaceable(path, err))
    return false;
  uint64_t size = 0;
  std::string absent;
  if (!checkRegularFile(path, absent, &size) || size == 0)
    return true;
  File f(std::fopen(path.c_str(), "rb"));
  char magic[sizeof kMagic] = {};
  if (f && std::fread(magic, 1, sizeof magic, f.get()) == sizeof magic &&
      std::memcmp(magic, kMagic, sizeof magic) == 0)
    return true;
  err = "'" + visible(path) +
        "' exists and is not a checkpoint: it is left as it is (remove it "
        "or name another file)";
  return false;
}

namespace {

/// Writes nothing when `f` is null (a process other than rank 0, which
/// still takes part in the gathers).
class Writer {
public:
  explicit Writer(std::FILE *f) : ok(f != nullptr), f(f) {}
  void bytes(const void *p, size_t n) {
    if (!ok)
      return;
    ok = n == 0 || std::fwrite(p, 1, n, f) == n;
    hash.update(p, n);
  }
  /// The checksum of everything written, not itself hashed.
  void finish() {
    uint64_t sum = hash.digest();
    ok = ok && std::fwrite(&sum, 1, sizeof sum, f) == sizeof sum;
  }
  void u64(uint64_t v) { bytes(&v, sizeof v); }
  void i64(int64_t v) { bytes(&v, sizeof v); }
  void str(const std::string &s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
  template <typename T> void vec(const T *p, size_t n) {
    u64(n);
    bytes(p, n * sizeof(T));
  }
  bool ok;

private:
  std::FILE *f;
  Hash64 hash;
};

/// Reads the fields of a checkpoint, at most `left` bytes: a length that
/// asks for more fails before anything is allocated.
class Reader {
public:
  Reader(std::FILE *f, uint64_t left) : f(f), left(left) {}
  void bytes(void *p, size_t n) {
    ok = ok && n <= left && (n == 0 || std::fread(p, 1, n, f) == n);
    left = ok ? left - n : 0;
  }
  /// Whether `n` items of `size` bytes fit in what is left.
  bool fits(uint64_t n, size_t size) {
    ok = ok && n <= left / size;
    return ok;
  }
  uint64_t u64() {
    uint64_t v = 0;
    bytes(&v, sizeof v);
    return v;
  }
  int64_t i64() {
    int64_t v = 0;
    bytes(&v, sizeof v);
    return v;
  }
  std::string str() {
    uint64_t n = u64();
    if (!fits(n, 1))
      return {};
    std::string s(n, '\0');
    bytes(s.data(), n);
    return s;
  }
  /// A vector of exactly `expect` elements (any size when expect < 0).
  template <typename T> bool vec(std::vector<T> &out, int64_t expect) {
    uint64_t n = u64();
    if (!ok || (expect >= 0 && n != uint64_t(expect)) || !fits(n, sizeof(T))) {
      ok = false;
      return false;
    }
    out.resize(n);
    bytes(out.data(), n * sizeof(T));
    return ok;
  }
  bool ok = true;

private:
  std::FILE *f;
  uint64_t left;
};

/// Whether the last 8 bytes of the `size` bytes of `f` are the XXH64 of
/// the others.
bool checksumMatches(std::FILE *f, uint64_t size) {
  if (size < 8 || std::fseek(f, 0, SEEK_SET) != 0)
    return false;
  Hash64 hash;
  std::vector<char> chunk(size_t(1) << 20);
  for (uint64_t left = size - 8; left > 0;) {
    size_t n = size_t(std::min<uint64_t>(left, chunk.size()));
    if (std::fread(chunk.data(), 1, n, f) != n)
      return false;
    hash.update(chunk.data(), n);
    left -= n;
  }
  uint64_t stored = 0;
  return std::fread(&stored, 1, sizeof stored, f) == sizeof stored &&
         stored == hash.digest();
}

/// What a checkpoint holds of a population, read before anything is
/// restored.
struct PopState {
  AlignedVector<double> state;
  int64_t spikeCount = 0, keep = 0;
  std::vector<std::vector<int32_t>> lists;
  std::vector<std::pair<int64_t, int32_t>> nextSpikes;
  std::vector<uint64_t> draws;
};

/// Every population's part of a checkpoint; `r.ok` false where it does not
/// fit `net` (spike lists and pending spikes indexing past a population).
std::vector<PopState> readPopulations(Reader &r, const Network &net,
                                      const ModelSpec &model) {
  std::vector<PopState> saved(net.pops.size());
  for (size_t p = 0; p < net.pops.size() && r.ok; ++p) {
    PopState &s = saved[p];
    std::vector<double> state;
    const PopulationSpec &spec = model.populations[p];
    r.vec(state, int64_t(spec.rows.size()) * spec.size);
    s.state.assign(state.begin(), state.end());
    s.spikeCount = r.i64();
    s.keep = r.i64();
    if (s.keep != net.pops[p].longestDelay + 1)
      r.ok = false;
    for (int64_t k = 0; k < s.keep && r.ok; ++k) {
      s.lists.emplace_back();
      r.vec(s.lists.back(), -1);
      // Spike lists index the population: anything else would be read
      // out of bounds by delivery.
      for (int32_t i : s.lists.back())
        r.ok = r.ok && i >= 0 && i < spec.size;
    }
    uint64_t n = r.u64();
    if (n > uint64_t(spec.size) || !r.fits(n, 16))
      r.ok = false;
    for (uint64_t k = 0; k < n && r.ok; ++k) {
      int64_t at = r.i64(), i = r.i64();
      r.ok = r.ok && i >= 0 && i < spec.size && at >= 0;
      s.nextSpikes.push_back({at, int32_t(i)});
    }
    r.vec(s.draws, int64_t(net.pops[p].draws.size()));
  }
  return saved;
}

} // namespace

std::string Simulator::layout() const {
  std::string out;
  char dt[32];
  std::snprintf(dt, sizeof dt, "%.17g", model.dt);
  out += "network " + model.name + "\nseed " + std::to_string(model.seed) +
         "\ndt " + dt + "\nprecision " + precisionName(model) + "\n";
  auto rows = [](const std::vector<std::string> &names) {
    std::string list;
    for (const std::string &n : names)
      if (!n.empty() && n[0] != '_')
        list += (list.empty() ? "" : ",") + n;
    return list.empty() ? std::string("-") : list;
  };
  for (const PopulationSpec &p : model.populations)
    out += "population " + p.name + " " + std::to_string(p.size) + " " +
           rows(p.rows) + "\n";
  for (size_t j = 0; j < model.projections.size(); ++j)
    out += "projection " + model.projections[j].name + " " +
           std::to_string(net.wholeSynapses(j)) + " " +
           rows(model.projections[j].synRows) + "\n";
  return out;
}

std::string Simulator::fingerprint(int format) const {
  // The network as built, from the one serialized form of the model (the
  // bytes built programs embed), leaving out what only starts or schedules
  // a run: its duration and plasticity switches, the starting values of
  // states and synapse variables (which `--set` and the REPL change and a
  // checkpoint replaces), and the recordings. Per-neuron inputs in time
  // stay: they are part of the network. The synapse counts close it.
  ModelSpec m = model;
  m.steps = 0;
  m.duration = 0;
  m.plasticSwitches.clear();
  m.records.clear();
  m.stateRecords.clear();
  auto neutral = [&](std::vector<InitSpec> &inits) {
    for (InitSpec &init : inits)
      if (format >= 2 ? !init.followsTable() : init.kind != InitSpec::Timed)
        init = InitSpec::constant(0);
  };
  // Which starting values an expression computes is a starting value too
  // (`--set P.v=...` of a `v` computed per neuron makes it a constant).
  for (PopulationSpec &p : m.populations) {
    neutral(p.init);
    if (format >= 1)
      p.computed.clear();
  }
  for (ProjectionSpec &p : m.projections) {
    neutral(p.synInit);
    if (format >= 1)
      p.synInitCounts = false;
  }
  std::string bytes = serializeModel(m);
  for (size_t j = 0; j < model.projections.size(); ++j) {
    int64_t n = net.wholeSynapses(j);
    bytes.append(reinterpret_cast<const char *>(&n), sizeof n);
  }
  char hex[20];
  std::snprintf(
      hex, sizeof hex, "%016llx",
      static_cast<unsigned long long>(hash64(bytes.data(), bytes.size())));
  return model.name + " " + hex;
}

bool Simulator::saveCheckpoint(const std::string &path,
                               std::string &err) const {
  if (!built) {
    err = "cannot checkpoint model '" + model.name + "': not built";
    return false;
  }
  net.syncHostRows();
  // Over several processes rank 0 writes what the others send it; every
  // process takes part in each gather whatever happened to the file.
  Comm *over = dist ? comm : nullptr;
  bool root = !over || over->root();
  auto agreed = [&](bool ok) { return over ? over->agree(ok, err) : ok; };
  // Written next to the target and renamed: never a half checkpoint.
  std::string temp = path + ".partial";
  // Never renamed over a device, a FIFO or a directory.
  std::string why;
  bool replaceable = !root || checkCheckpointTarget(path, why);
  File f(root && replaceable ? std::fopen(temp.c_str(), "wb") : nullptr);
  err = !replaceable ? "cannot write checkpoint: " + why
        : root && !f
            ? "cannot write checkpoint '" + path + "': " + std::strerror(errno)
            : "";
  if (!agreed(!root || f))
    return false;
  Writer w(f.get());
  w.bytes(kMagic, sizeof kMagic);
  w.u64(kVersion);
  w.str(fingerprint());
  w.str(layout());
  w.i64(stepIndex);
  // The time the runs so far asked for, which a run that is not a whole
  // number of steps leaves between steps: the next run counts on from it.
  double asked = runEndStep == stepIndex ? runEnd : currentTime();
  w.bytes(&asked, sizeof asked);
  w.i64(over ? over->sum(net.events) : net.events);
  // To rank 0: each process's `count` values of `bytes` bytes, in rank
  // order.
  auto gather = [&](const void *local, void *out, int64_t count, int bytes) {
    if (over)
      over->gatherv(local, out, over->allgather(count), bytes);
    else if (count)
      std::memcpy(out, local, size_t(count) * size_t(bytes));
  };
  std::vector<double> rows;
  for (size_t p = 0; p < net.pops.size(); ++p) {
    const Network::Population &pop = net.pops[p];
    const PopulationSpec &spec = model.populations[p];
    if (over && !spec.generator) {
      // Each process's neurons, row by row (from rows of all neurons, or
      // of its own).
      auto [lo, hi] = net.owned(p);
      size_t whole = spec.rows.size() * size_t(spec.size);
      rows.assign(root ? whole : 0, 0.0);
      for (size_t r = 0; r < spec.rows.size(); ++r)
        gather(pop.state.data() + int64_t(r) * pop.rowWidth +
                   (lo - pop.rowBegin),
               rows.data() + (root ? r * size_t(spec.size) : 0), hi - lo,
               sizeof(double));
      w.vec(rows.data(), whole);
    } else {
      w.vec(pop.state.data(), pop.state.size());
    }
    w.i64(recorder.spikeCount(p));
    // The spike lists a delayed delivery may still read.
    int64_t keep = pop.longestDelay + 1;
    w.i64(keep);
    std::vector<int32_t> whole;
    for (int64_t s = stepIndex - keep; s < stepIndex; ++s) {
      const std::vector<int32_t> &list = pop.ring.at(s);
      if (!over || !spec.driveInputs) {
        w.vec(list.data(), list.size());
        continue;
      }
      // A drive's inputs are drawn by the processes of their targets: each
      // process's part, merged in neuron order as one process lists them.
      std::vector<int64_t> counts = over->allgather(int64_t(list.size()));
      int64_t all = 0;
      for (int64_t c : counts)
        all += c;
      whole.resize(root ? size_t(all) : 0);
      over->gatherv(list.data(), whole.data(), counts, sizeof(int32_t));
      std::sort(whole.begin(), whole.end());
      w.vec(whole.data(), whole.size());
    }
    w.u64(pop.nextSpikes.size());
    for (const auto &[step, i] : pop.nextSpikes) {
      w.i64(step);
      w.i64(i);
    }
    w.vec(pop.draws.data(), pop.draws.size());
  }
  std::vector<int64_t> slots;
  std::vector<double> values, widened;
  for (size_t j = 0; j < net.projs.size(); ++j) {
    const Network::Projection &proj = net.projs[j];
    size_t nRows = model.projections[j].synRows.size();
    // A projection every process holds whole: rank 0's alone, its slots
    // those of one process.
    int64_t m =
        proj.procedural || !net.countsHere(j) ? 0 : proj.csr.numSynapses();
    int64_t n = proj.procedural ? 0 : net.wholeSynapses(j);
    std::vector<int64_t> mine =
        Distribution::wholeSlots(net, j, net.replicated(j) ? nullptr : over);
    slots.assign(root ? size_t(n) : 0, 0);
    gather(mine.data(), slots.data(), m, sizeof(int64_t));
    w.u64(uint64_t(n) * nRows);
    for (size_t r = 0; r < nRows; ++r) {
      values.assign(root ? size_t(n) : 0, 0.0);
      rows.assign(root ? size_t(n) : 0, 0.0);
      // Float32 synapse rows widen exactly, a row at a time.
      const double *row = proj.syn.data() + r * size_t(m);
      if (net.singleSynapses() && proj.syn.empty()) {
        widened.assign(proj.syn32.begin() + long(r * size_t(m)),
                       proj.syn32.begin() + long((r + 1) * size_t(m)));
        row = widened.data();
      }
      gather(row, values.data(), m, sizeof(double));
      for (size_t q = 0; q < values.size(); ++q)
        rows[size_t(slots[q])] = values[q];
      w.bytes(rows.data(), rows.size() * sizeof(double));
    }
    // The plasticity flag; the modulators' means after it are a cache
    // computed again before the kernels read them, whose value at a save
    // depends on the backend's phases (the CPU refreshes it lazily): saved
    // as 0, so that the device's checkpoint has the CPU's bytes.
    std::vector<double> mods(proj.mods.size(), 0.0);
    if (!mods.empty())
      mods[0] = proj.mods[0];
    w.vec(mods.data(), mods.size());
  }
  bool ok = true;
  if (root) {
    w.finish();
    ok = w.ok && std::fflush(f.get()) == 0;
    ok = std::fclose(f.release()) == 0 && ok;
    if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
      std::remove(temp.c_str());
      ok = false;
    }
  }
  err = ok ? "" : "cannot write checkpoint '" + path + "'";
  return agreed(ok);
}

bool Simulator::restoreCheckpoint(const std::string &path, std::string &err) {
  bool ok = false;
  try {
    ok = readCheckpoint(path, err);
  } catch (const std::exception &) {
    // A damaged size field can ask for more memory than there is.
    err = "checkpoint '" + visible(path) + "' is truncated or damaged";
  }
  // Every process reads the file; all stop when one cannot.
  return dist ? comm->agree(ok, err) : ok;
}

bool Simulator::readCheckpoint(const std::string &path, std::string &err) {
  if (!built) {
    err = "cannot restore into model '" + model.name + "': not built";
    return false;
  }
  // Where this process's synapses are in the file (collective: before
  // anything can fail on one process alone).
  std::vector<std::vector<int64_t>> slots(net.projs.size());
  for (size_t j = 0; j < net.projs.size(); ++j)
    slots[j] = Distribution::wholeSlots(
        net, j, dist && !net.replicated(j) ? comm : nullptr);
  uint64_t size = 0;
  std::string why;
  if (!checkRegularFile(path, why, &size)) {
    err = "cannot read checkpoint: " + why;
    return false;
  }
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    err = "cannot read checkpoint '" + path + "'";
    return false;
  }
  const uint64_t headerBytes = sizeof kMagic + 8, checksumBytes = 8;
  char magic[8] = {};
  uint64_t version = 0;
  if (size < headerBytes ||
      std::fread(magic, 1, sizeof magic, f.get()) != sizeof magic ||
      std::fread(&version, 1, 8, f.get()) != 8 ||
      std::memcmp(magic, kMagic, sizeof magic) != 0) {
    err = "'" + visible(path) + "' is not a Neuro checkpoint (version " +
          std::to_string(kVersion) + ")";
    return false;
  }
  if (version != kVersion) {
    err = "checkpoint '" + visible(path) + "' has format version " +
          std::to_string(version) + "; this runtime reads version " +
          std::to_string(kVersion);
    return false;
  }
  // Damage anywhere is found before anything is read.
  if (!checksumMatches(f.get(), size) ||
      std::fseek(f.get(), long(headerBytes), SEEK_SET) != 0) {
    err = "checkpoint '" + visible(path) +
          "' is truncated or damaged (its checksum does not match)";
    return false;
  }
  Reader r(f.get(), size - headerBytes - checksumBytes);
  std::string savedPrint = r.str();
  bool same = false;
  for (int format = kFingerprintFormat; format >= 0 && !same; --format)
    same = savedPrint == fingerprint(format);
  std::string savedLayout = r.str();
  if (!same) {
    std::string why = layoutDifference(savedLayout, layout());
    // The same network in another precision: say how to restore it.
    err = why.rfind("the precision is ", 0) == 0
              ? "checkpoint '" + visible(path) +
                    "' was saved by a run of another precision: " + why +
                    " (restore it into a run of that precision)"
              : "checkpoint '" + visible(path) +
                    "' was saved from another network than '" + model.name +
                    "': " + why;
    return false;
  }
  // Read everything before touching the simulator.
  int64_t step = r.i64();
  double asked = 0;
  r.bytes(&asked, sizeof asked);
  int64_t savedEvents = r.i64();
  std::vector<PopState> saved = readPopulations(r, net, model);
  // Each synapse row of the whole projection, one at a time: this
  // process keeps the synapses it holds.
  std::vector<std::vector<double>> syn(net.projs.size()),
      mods(net.projs.size());
  std::vector<double> whole;
  for (size_t j = 0; j < net.projs.size() && r.ok; ++j) {
    const Network::Projection &proj = net.projs[j];
    size_t nRows = model.projections[j].synRows.size();
    int64_t m = proj.procedural ? 0 : proj.csr.numSynapses();
    int64_t n = proj.procedural ? 0 : net.wholeSynapses(j);
    uint64_t count = r.u64();
    if (count != uint64_t(n) * nRows || !r.fits(count, sizeof(double)))
      r.ok = false;
    syn[j].resize(r.ok ? size_t(m) * nRows : 0);
    for (size_t v = 0; v < nRows && r.ok; ++v) {
      whole.resize(size_t(n));
      r.bytes(whole.data(), whole.size() * sizeof(double));
      for (int64_t q = 0; q < m; ++q)
        syn[j][v * size_t(m) + size_t(q)] = whole[size_t(slots[j][size_t(q)])];
    }
    r.vec(mods[j], int64_t(proj.mods.size()));
  }
  // A step past any run: damaged (or forged) behind the checksum.
  if (!r.ok || step < 0 || step > kMaxSteps || savedEvents < 0 ||
      !(std::abs(asked - double(step) * model.dt) <= model.dt)) {
    err = "checkpoint '" + visible(path) + "' is truncated or damaged";
    return false;
  }
  // Streamed files hold this run so far: going back would write a second
  // history after the first, going forward leave a gap.
  if (step != stepIndex && stepIndex > 0 && recorder.isStreaming()) {
    char from[32], to[32];
    std::snprintf(from, sizeof from, "%g", double(step) * model.dt);
    std::snprintf(to, sizeof to, "%g", currentTime());
    err = std::string("cannot ") +
          (step < stepIndex ? "go back" : "jump ahead") +
          " to the checkpoint's t = " + from +
          " s while the recordings stream to '" + recorder.streamFolder() +
          "', which holds this run to t = " + to +
          " s (restore into a new simulation, which may stream to another "
          "folder)";
    return false;
  }
  // Going back keeps what was recorded before the checkpoint; going ahead
  // (another run's state) keeps nothing, which would leave a gap.
  int64_t keepTo = step <= stepIndex ? step : 0;
  stepIndex = step;
  runEnd = asked;
  runEndStep = step;
  // Over several processes each counts the events it delivers; rank 0
  // carries those before the checkpoint.
  net.events = !dist || comm->root() ? savedEvents : 0;
  for (size_t p = 0; p < net.pops.size(); ++p) {
    Network::Population &pop = net.pops[p];
    PopState &s = saved[p];
    net.replaceRows(p, std::move(s.state));
    recorder.setSpikeCount(p, s.spikeCount);
    pop.ring.clear();
    for (int64_t k = 0; k < s.keep; ++k)
      pop.ring.push(step - s.keep + k, s.lists[size_t(k)]);
    pop.nextSpikes = std::move(s.nextSpikes);
    pop.draws = std::move(s.draws);
  }
  for (size_t j = 0; j < net.projs.size(); ++j) {
    Network::Projection &proj = net.projs[j];
    // Float32 synapse rows: the file holds their values, widened.
    if (net.singleSynapses()) {
      proj.syn32.resize(syn[j].size());
      std::transform(syn[j].begin(), syn[j].end(), proj.syn32.begin(),
                     [](double v) { return float(v); });
    }
    if (!net.singleSynapses() || !proj.syn.empty())
      proj.syn.assign(syn[j].begin(), syn[j].end());
    proj.mods = std::move(mods[j]);
  }
  recorder.dropFrom(keepTo);
  net.hostStale = false;
  // Float32 rows (synapse rows in mixed precision too) are narrowed again
  // from the host's before the next step: views taken before the restore
  // may still write the double rows.
  net.kernelStale = net.singleSynapses();
  return true;
}

//===- Recorder.cpp - Spike and state recordings, in memory and streamed --===//
//
// The Recorder's monitors (spike counts and spikes of recorded
// populations, state samples taken at the start of a step) and their
// files: `spikes_<population>.npy`, `<owner>_<var>.npy` with
// `<owner>_t.npy` (and `_pre`/`_post` for synapse recordings) and
// `recordings.json`, written at the end or streamed while the run goes
// (flushed every MiB and at least every second).
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Recorder.h"

#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <new>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <system_error>

using namespace neuro::rt;

void Recorder::clear() {
  spikeMonitors.clear();
  recordedOrder.clear();
  stateRecordings.assign(model.stateRecords.size(), {});
}

void Recorder::build() {
  clear();
  spikeMonitors.resize(model.populations.size());
  for (const RecordSpec &rec : model.records)
    recordSpikes(size_t(rec.population), rec.begin, rec.end);
  // The neurons or synapses each state recording samples.
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    StateRecording &out = stateRecordings[r];
    if (rec.projection >= 0) {
      int64_t nSyn = net.wholeSynapses(size_t(rec.projection));
      out.end = rec.end < 0 ? nSyn : std::min(rec.end, nSyn);
      out.begin = std::min(rec.begin, out.end);
    } else {
      out.begin = rec.begin;
      out.end = rec.end;
    }
  }
}

void Recorder::addSpikes(size_t pop, int64_t k,
                         const std::vector<int32_t> &list) {
  SpikeMonitor &monitor = spikeMonitors[pop];
  monitor.count += int64_t(list.size());
  if (!monitor.recorded || !keeping)
    return;
  // Room for a flush's worth of spikes at once: grown by doubling from
  // nothing, the buffer would be copied and its fresh pages faulted in
  // about twice (a fifth of CUBA's time in runs of a few seconds).
  if (monitor.spikes.capacity() == 0 && !list.empty())
    monitor.spikes.reserve(kFlushBytes / sizeof(SpikeRecord));
  // A spike of step k is stamped with the end of the step.
  double t = double(k + 1) * model.dt;
  auto first = list.begin(), last = list.end();
  if (monitor.begin > 0)
    first = std::lower_bound(first, last, monitor.begin);
  if (monitor.end < model.populations[pop].size)
    last = std::lower_bound(first, last, monitor.end);
  for (auto i = first; i != last; ++i)
    monitor.spikes.push_back({*i, t});
}

void Recorder::recordSpikes(size_t pop, int64_t begin, int64_t end) {
  SpikeMonitor &monitor = spikeMonitors[pop];
  if (monitor.recorded)
    return;
  monitor.recorded = true;
  monitor.begin = begin;
  monitor.end = end < 0 ? model.populations[pop].size : end;
  recordedOrder.push_back(int(pop));
}

namespace {

/// Room for one more sample of `rows` rows, made before anything is
/// appended (this may throw): an allocation that fails leaves the times and
/// values of the samples before in step.
void makeRoom(Recorder::StateRecording &rr, size_t rows) {
  auto room = [](auto &v, size_t more) {
    if (v.capacity() - v.size() < more)
      v.reserve(std::max(2 * v.capacity(), v.size() + more));
  };
  room(rr.times, 1);
  room(rr.values, rows * size_t(rr.end - rr.begin));
}

} // namespace

void Recorder::appendSample(size_t r, int64_t k, const double *values) {
  StateRecording &rr = stateRecordings[r];
  makeRoom(rr, model.stateRecords[r].rows.size());
  rr.times.push_back(double(k) * model.dt);
  size_t n = model.stateRecords[r].rows.size() * size_t(rr.end - rr.begin);
  rr.values.insert(rr.values.end(), values, values + n);
}

void Recorder::setSynapseEnds(size_t r, std::vector<int64_t> pre,
                              std::vector<int64_t> post) {
  stateRecordings[r].pre = std::move(pre);
  stateRecordings[r].post = std::move(post);
}

void Recorder::addStateRecording(int64_t begin, int64_t end) {
  StateRecording r;
  r.begin = begin;
  r.end = end;
  stateRecordings.push_back(std::move(r));
}

void Recorder::dropFrom(int64_t step) {
  // Spikes of step k are stamped (k + 1) dt, samples of step k k dt; both
  // in time order.
  double spikesTo = (double(step) + 0.5) * model.dt;
  double samplesTo = (double(step) - 0.5) * model.dt;
  for (SpikeMonitor &monitor : spikeMonitors) {
    auto &s = monitor.spikes;
    s.erase(std::partition_point(
                s.begin(), s.end(),
                [&](const SpikeRecord &r) { return r.t < spikesTo; }),
            s.end());
  }
  for (StateRecording &rec : stateRecordings) {
    size_t width = rec.times.empty() ? 0 : rec.values.size() / rec.times.size();
    size_t keep =
        size_t(std::partition_point(rec.times.begin(), rec.times.end(),
                                    [&](double t) { return t < samplesTo; }) -
               rec.times.begin());
    rec.times.resize(keep);
    rec.values.resize(keep * width);
  }
}

void Recorder::sample(size_t r, int64_t k) {
  const StateRecordSpec &rec = model.stateRecords[r];
  StateRecording &rr = stateRecordings[r];
  makeRoom(rr, model.stateRecords[r].rows.size());
  rr.times.push_back(double(k) * model.dt);
  // Samples of the rows the kernels update (float32 ones widen exactly).
  auto append = [&](const auto *rows, int64_t cols) {
    for (int row : rec.rows)
      rr.values.insert(rr.values.end(), rows + row * cols + rr.begin,
                       rows + row * cols + rr.end);
  };
  if (rec.projection >= 0) {
    const Network::Projection &proj = net.projs[size_t(rec.projection)];
    int64_t nSyn = proj.csr.numSynapses();
    if (net.singleSynapses())
      append(proj.syn32.data(), nSyn);
    else
      append(proj.syn.data(), nSyn);
    return;
  }
  const PopulationSpec &spec = model.populations[size_t(rec.population)];
  const Network::Population &pop = net.pops[size_t(rec.population)];
  if (net.single())
    append(pop.state32.data(), spec.size);
  else
    append(pop.state.data(), spec.size);
}

size_t Recorder::bufferedBytes() const {
  size_t bytes = 0;
  for (const SpikeMonitor &monitor : spikeMonitors)
    bytes += monitor.spikes.size() * sizeof(SpikeRecord);
  for (const StateRecording &r : stateRecordings)
    bytes += (r.values.size() + r.times.size()) * sizeof(double);
  return bytes;
}

bool Recorder::flushDue() const {
  return bufferedBytes() >= kFlushBytes ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       lastFlush)
                 .count() >= kFlushSeconds;
}

void Recorder::setSpikeOutput(bool npy, std::unique_ptr<SpikeSink> sink) {
  npySpikes = npy;
  spikeSink = std::move(sink);
  spikeSinkFile = spikeSink ? spikeSink->file() : std::string();
}

bool Recorder::closeSpikeSink(std::string &err) {
  if (!spikeSink)
    return true;
  bool ok = spikeSink->close(err);
  spikeSink.reset();
  return ok;
}

bool Recorder::checkFileNames(
    std::string &err, std::map<std::string, std::string> *planned) const {
  std::map<std::string, std::string> own;
  std::map<std::string, std::string> &files = planned ? *planned : own;
  auto add = [&](const std::string &file, const std::string &what) {
    // Most file systems take names of at most 255 bytes (NAME_MAX); a
    // longer name failed at the open, quoting all of it.
    if (file.size() > 255) {
      err = "the " + what.substr(0, 80) + (what.size() > 80 ? "..." : "") +
            " would be written to a file whose name is " +
            std::to_string(file.size()) +
            " characters long (at most 255): shorten the name of the "
            "population or projection";
      return false;
    }
    auto [it, fresh] = files.emplace(file, what);
    if (!fresh)
      err = "the " + what + " and the " + it->second +
            " would both be written to '" + file +
            "': rename a population or projection";
    return fresh;
  };
  for (int pop : npySpikes ? recordedOrder : std::vector<int>())
    if (!add("spikes_" + model.populations[size_t(pop)].name + ".npy",
             "spikes of '" + model.populations[size_t(pop)].name + "'"))
      return false;
  std::vector<std::string> prefixes = stateRecordPrefixes(model);
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    std::string of = " of '" + recordOwner(rec) + "'";
    std::vector<std::string> names = {"t"};
    if (rec.projection >= 0)
      names.insert(names.end(), {"pre", "post"});
    for (int row : rec.rows)
      names.push_back(recordRows(rec)[size_t(row)]);
    for (const std::string &name : names)
      if (!add(prefixes[r] + "_" + name + ".npy",
               (name == "t" ? std::string("sample times") : "'" + name + "'") +
                   of))
        return false;
  }
  return true;
}

bool Recorder::checkOutputs(const std::string &dir,
                            const std::vector<std::string> &inputs,
                            std::string &err,
                            const std::string &checkpoint) const {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> files;
  if (!checkFileNames(err, &files))
    return false;
  files.emplace("recordings.json", "list of the recordings");
  if (!checkpoint.empty()) {
    // Compared by name: neither may exist yet.
    std::error_code ec;
    fs::path saved = fs::weakly_canonical(checkpoint, ec);
    std::map<std::string, std::string> written = files;
    written.emplace(OutputLock::kFileName, "lock of the output folder");
    for (const auto &[file, what] : written) {
      fs::path out = fs::path(dir.empty() ? "." : dir) / file;
      if (ec || fs::weakly_canonical(out, ec) != saved)
        continue;
      err = "the checkpoint '" + checkpoint + "' would be the " + what +
            " this run writes: name another file";
      return false;
    }
  }
  for (const auto &[file, what] : files)
    for (const std::string &input : inputs) {
      std::error_code ec;
      fs::path out = fs::path(dir) / file;
      if (!fs::equivalent(out, input, ec))
        continue;
      err = "the " + what + " would be written to '" + out.string() +
            "', which the model reads: write the recordings to another "
            "folder";
      return false;
    }
  return true;
}

bool Recorder::streamTo(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  if (!checkFileNames(err))
    return false;
  // Every streamed file stays open: as many as the system lets a process
  // have, not the 1,024 of the usual soft limit.
  struct rlimit files;
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 &&
      files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  try {
    if (!makeOutputDirectory(dir, err))
      return false;
    fs::path base = dir.empty() ? fs::path(".") : fs::path(dir);
    spikeStreams.clear();
    spikeStreams.resize(model.populations.size());
    for (int pop : npySpikes ? recordedOrder : std::vector<int>()) {
      auto stream = std::make_unique<NpyStream>();
      fs::path file =
          base / ("spikes_" + model.populations[size_t(pop)].name + ".npy");
      if (!stream->open(file.string(), "[('i', '<i4'), ('t', '<f8')]", {}, 12,
                        err))
        return false;
      spikeStreams[size_t(pop)] = std::move(stream);
    }
    stateStreams.clear();
    std::vector<std::string> prefixes = stateRecordPrefixes(model);
    for (size_t r = 0; r < model.stateRecords.size(); ++r) {
      const StateRecordSpec &rec = model.stateRecords[r];
      const StateRecording &data = stateRecordings[r];
      int64_t width = data.end - data.begin;
      const std::vector<std::string> &rows = recordRows(rec);
      std::string prefix = prefixes[r] + "_";
      std::vector<std::unique_ptr<NpyStream>> streams;
      streams.push_back(std::make_unique<NpyStream>());
      if (!streams.back()->open((base / (prefix + "t.npy")).string(), "'<f8'",
                                {}, sizeof(double), err))
        return false;
      for (int row : rec.rows) {
        streams.push_back(std::make_unique<NpyStream>());
        if (!streams.back()->open(
                (base / (prefix + rows[size_t(row)] + ".npy")).string(),
                "'<f8'", {width}, size_t(width) * sizeof(double), err))
          return false;
      }
      stateStreams.push_back(std::move(streams));
      if (rec.projection >= 0 &&
          !writeSynapseEnds(base.string(), prefix, r, err))
        return false;
    }
  } catch (const std::exception &e) {
    err = "cannot stream recordings to '" + dir + "': " + e.what();
    return false;
  }
  streamDir = dir.empty() ? "." : dir;
  lastFlush = std::chrono::steady_clock::now();
  // Whatever was recorded before (by an earlier run()) goes out first, and
  // recordings.json then lists the spikes the files hold.
  return flush(err) && writeRecordingsJson(streamDir, err);
}

bool Recorder::flush(std::string &err) try {
  lastFlush = std::chrono::steady_clock::now();
  // A write that fails (a full disk) leaves each file as its last complete
  // flush left it, so that every file loads and a recording's values and
  // times agree row for row.
  auto failed = [&] {
    streamFailed = true;
    for (std::unique_ptr<NpyStream> &stream : spikeStreams)
      if (stream)
        stream->rollback();
    for (std::vector<std::unique_ptr<NpyStream>> &streams : stateStreams)
      for (std::unique_ptr<NpyStream> &stream : streams)
        stream->rollback();
    return false;
  };
  std::vector<char> packed;
  for (size_t p = 0; p < spikeMonitors.size(); ++p) {
    bool npy = p < spikeStreams.size() && spikeStreams[p];
    if (!npy && !(spikeSink && spikeMonitors[p].recorded))
      continue;
    std::vector<SpikeRecord> &spikes = spikeMonitors[p].spikes;
    if (spikeSink && !spikeSink->append(p, spikes.data(), spikes.size(), err))
      return false;
    if (npy) {
      packed.resize(spikes.size() * 12);
      for (size_t n = 0; n < spikes.size(); ++n) {
        std::memcpy(packed.data() + 12 * n, &spikes[n].i, 4);
        std::memcpy(packed.data() + 12 * n + 4, &spikes[n].t, 8);
      }
      if (!spikeStreams[p]->append(packed.data(), int64_t(spikes.size()),
                                   err) ||
          !spikeStreams[p]->sync(err))
        return failed();
      spikeStreams[p]->commit();
    }
    spikes.clear();
  }
  if (spikeSink && !spikeSink->flush(err))
    return false;
  for (size_t r = 0; r < stateStreams.size(); ++r) {
    StateRecording &data = stateRecordings[r];
    std::vector<std::unique_ptr<NpyStream>> &streams = stateStreams[r];
    size_t samples = data.times.size();
    size_t width = size_t(data.end - data.begin);
    size_t vars = streams.size() - 1;
    std::vector<double> block(samples * width);
    for (size_t v = 0; v < vars; ++v) {
      for (size_t s = 0; s < samples; ++s)
        std::copy_n(data.values.data() + (s * vars + v) * width, width,
                    block.data() + s * width);
      if (!streams[v + 1]->append(block.data(), int64_t(samples), err) ||
          !streams[v + 1]->sync(err))
        return failed();
    }
    // The times last: a reader that sees a time sees its values.
    if (!streams[0]->append(data.times.data(), int64_t(samples), err) ||
        !streams[0]->sync(err))
      return failed();
    for (std::unique_ptr<NpyStream> &stream : streams)
      stream->commit();
    data.times.clear();
    data.values.clear();
  }
  if (!streamDir.empty() && stepsDone >= 0 && stepsDone != stepsWritten)
    return writeRecordingsJson(streamDir, err);
  return true;
} catch (const std::bad_alloc &) {
  err = "out of memory while writing the recordings";
  return false;
}

bool Recorder::writeStates(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  if (isStreaming())
    return flush(err);
  if (model.stateRecords.empty())
    return true;
  if (!checkFileNames(err))
    return false;
  try {
    if (!makeOutputDirectory(dir, err))
      return false;
    fs::path base = dir.empty() ? fs::path(".") : fs::path(dir);
    std::vector<std::string> prefixes = stateRecordPrefixes(model);
    for (size_t r = 0; r < model.stateRecords.size(); ++r) {
      const StateRecordSpec &rec = model.stateRecords[r];
      const StateRecording &data = stateRecordings[r];
      size_t samples = data.times.size();
      size_t width = size_t(data.end - data.begin);
      const std::vector<std::string> &rows = recordRows(rec);
      std::string prefix = prefixes[r] + "_";
      if (!writeNpyF64((base / (prefix + "t.npy")).string(), data.times.data(),
                       {int64_t(samples)}, err))
        return false;
      if (rec.projection >= 0 &&
          !writeSynapseEnds(base.string(), prefix, r, err))
        return false;
      for (size_t v = 0; v < rec.rows.size(); ++v) {
        std::vector<double> block(samples * width);
        for (size_t s = 0; s < samples; ++s)
          std::copy_n(data.values.data() + (s * rec.rows.size() + v) * width,
                      width, block.data() + s * width);
        fs::path file = base / (prefix + rows[size_t(rec.rows[v])] + ".npy");
        if (!writeNpyF64(file.string(), block.data(),
                         {int64_t(samples), int64_t(width)}, err))
          return false;
      }
    }
    if (!writeRecordingsJson(base.string(), err))
      return false;
  } catch (const std::exception &e) {
    err = "cannot write states to '" + dir + "': " + e.what();
    return false;
  }
  return true;
}

bool Recorder::writeSynapseEnds(const std::string &base,
                                const std::string &prefix, size_t r,
                                std::string &err) const {
  // Which synapses the columns are: their source and target neurons, so
  // that recorded weights can be saved as a connection table.
  namespace fs = std::filesystem;
  const StateRecording &data = stateRecordings[r];
  const Network::Projection &proj =
      net.projs[size_t(model.stateRecords[r].projection)];
  size_t width = size_t(data.end - data.begin);
  std::vector<int64_t> pre(width), post(width);
  if (!data.pre.empty()) {
    pre = data.pre;
    post = data.post;
  }
  for (size_t c = 0; data.pre.empty() && c < width; ++c) {
    int64_t syn = data.begin + int64_t(c);
    pre[c] = Network::synapseSource(proj, syn);
    post[c] = proj.csr.cols[size_t(syn)];
  }
  return writeNpyI64((fs::path(base) / (prefix + "pre.npy")).string(),
                     pre.data(), {int64_t(width)}, err) &&
         writeNpyI64((fs::path(base) / (prefix + "post.npy")).string(),
                     post.data(), {int64_t(width)}, err);
}

const std::string &Recorder::recordOwner(const StateRecordSpec &rec) const {
  return rec.projection >= 0 ? model.projections[size_t(rec.projection)].name
                             : model.populations[size_t(rec.population)].name;
}

std::vector<std::string>
neuro::rt::stateRecordPrefixes(const ModelSpec &model) {
  std::set<std::string> taken;
  for (const PopulationSpec &p : model.populations)
    taken.insert(p.name);
  for (const ProjectionSpec &p : model.projections)
    taken.insert(p.name);
  std::map<std::string, int64_t> seen;
  std::vector<std::string> prefixes;
  for (const StateRecordSpec &rec : model.stateRecords) {
    const std::string &owner =
        rec.projection >= 0 ? model.projections[size_t(rec.projection)].name
                            : model.populations[size_t(rec.population)].name;
    int64_t before = seen[owner]++;
    std::string prefix = owner;
    for (int64_t n = before + 1;
         before > 0 && (prefix == owner || taken.count(prefix)); ++n)
      prefix = owner + "_" + std::to_string(n);
    taken.insert(prefix);
    prefixes.push_back(prefix);
  }
  return prefixes;
}

const std::vector<std::string> &
Recorder::recordRows(const StateRecordSpec &rec) const {
  return rec.projection >= 0 ? model.projections[size_t(rec.projection)].synRows
                             : model.populations[size_t(rec.population)].rows;
}

bool Recorder::writeRecordingsJson(const std::string &base,
                                   std::string &err) const {
  auto unit = [](const std::vector<std::string> &units, size_t row) {
    return row < units.size() ? units[row] : std::string();
  };
  std::ostringstream os;
  os.precision(17);
  os << "{\n  \"network\": " << jsonString(model.name)
     << ",\n  \"dt_s\": " << model.dt
     << ",\n  \"steps\": " << (stepsDone >= 0 ? stepsDone : model.steps)
     << ",\n  \"seed\": " << model.seed << ",\n  \"populations\": {";
  for (size_t p = 0; p < model.populations.size(); ++p)
    os << (p ? ", " : "") << jsonString(model.populations[p].name)
       << ": {\"neurons\": " << model.populations[p].size << "}";
  os << "},\n  \"files\": {";
  bool first = true;
  auto entry = [&](const std::string &file) {
    os << (first ? "\n    " : ",\n    ") << jsonString(file) << ": ";
    first = false;
  };
  for (int pop : npySpikes ? recordedOrder : std::vector<int>()) {
    const std::string &name = model.populations[size_t(pop)].name;
    entry("spikes_" + name + ".npy");
    auto [begin, end] = recordedRange(size_t(pop));
    // The spikes in the file now (a reader tells a replaced file by it).
    size_t p = size_t(pop);
    int64_t spikes = p < spikeStreams.size() && spikeStreams[p]
                         ? spikeStreams[p]->rows()
                         : int64_t(spikeMonitors[p].spikes.size());
    os << "{\"kind\": \"spikes\", \"population\": " << jsonString(name)
       << ", \"fields\": {\"i\": \"neuron\", \"t\": \"s\"}, \"neurons\": ["
       << begin << ", " << end << "], \"spikes\": " << spikes
       << ", \"stamps\": \"end of step\"}";
  }
  // A spike report of another format (SONATA), by its file's name.
  if (!spikeSinkFile.empty() && !recordedOrder.empty()) {
    entry(std::filesystem::path(spikeSinkFile).filename().string());
    os << "{\"kind\": \"spike report\", \"format\": \"SONATA\", "
          "\"populations\": [";
    for (size_t k = 0; k < recordedOrder.size(); ++k)
      os << (k ? ", " : "")
         << jsonString(model.populations[size_t(recordedOrder[k])].name);
    os << "], \"unit\": \"ms\"}";
  }
  std::vector<std::string> prefixes = stateRecordPrefixes(model);
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    const StateRecording &data = stateRecordings[r];
    bool syn = rec.projection >= 0;
    const std::string &owner = recordOwner(rec);
    const std::string &prefix = prefixes[r];
    const std::vector<std::string> &rows = recordRows(rec);
    const std::vector<std::string> &units =
        syn ? model.projections[size_t(rec.projection)].synUnits
            : model.populations[size_t(rec.population)].units;
    std::string of =
        std::string(syn ? "\"projection\": " : "\"population\": ") +
        jsonString(owner);
    entry(prefix + "_t.npy");
    os << "{\"kind\": \"sample times\", " << of
       << ", \"unit\": \"s\", \"every_steps\": " << rec.every << "}";
    if (syn)
      for (const char *end : {"pre", "post"}) {
        entry(prefix + "_" + end + ".npy");
        os << "{\"kind\": \"synapse " << (end[1] == 'r' ? "sources" : "targets")
           << "\", " << of << "}";
      }
    for (int row : rec.rows) {
      entry(prefix + "_" + rows[size_t(row)] + ".npy");
      os << "{\"kind\": " << (syn ? "\"synapse variable\"" : "\"state\"")
         << ", " << of << ", \"variable\": " << jsonString(rows[size_t(row)])
         << ", \"unit\": " << jsonString(unit(units, size_t(row)))
         << ", \"shape\": [\"samples\", "
         << (syn ? "\"synapses\"" : "\"neurons\"") << "], "
         << (syn ? "\"synapses\": [" : "\"neurons\": [") << data.begin << ", "
         << data.end << "], \"times\": " << jsonString(prefix + "_t.npy")
         << "}";
    }
  }
  os << "\n  }\n}\n";
  // Written aside and renamed: a streamed run rewrites it while readers
  // may be looking.
  std::string path = (std::filesystem::path(base) / "recordings.json").string();
  std::string aside = path + ".part";
  std::FILE *f = std::fopen(aside.c_str(), "wb");
  std::string text = os.str();
  bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = f && std::fclose(f) == 0 && ok;
  std::error_code ec;
  if (ok)
    std::filesystem::rename(aside, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(aside, ec);
    err = "cannot write '" + path + "'";
    return false;
  }
  stepsWritten = stepsDone;
  return true;
}

bool Recorder::writeSpikes(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  if (isStreaming())
    return flush(err);
  if (!checkFileNames(err))
    return false;
  try {
    if (!makeOutputDirectory(dir, err))
      return false;
    fs::path base = dir.empty() ? fs::path(".") : fs::path(dir);
    for (int pop : recordedOrder) {
      fs::path file =
          base / ("spikes_" + model.populations[size_t(pop)].name + ".npy");
      if (!writeSpikesNpy(file.string(), spikeMonitors[size_t(pop)].spikes,
                          err))
        return false;
    }
    if (!writeRecordingsJson(base.string(), err))
      return false;
  } catch (const std::exception &e) {
    err = "cannot write spikes to '" + dir + "': " + e.what();
    return false;
  }
  return true;
}

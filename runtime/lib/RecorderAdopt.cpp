//===- RecorderAdopt.cpp - Recordings carried into a rebuilt network -----===//
//
// When the REPL rebuilds a network in place of the one that ran, what the
// old one recorded carries over to the recordings of the new one that
// record the same things; the rest is named, never dropped without a word.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Recorder.h"

#include <limits>

using namespace neuro::rt;

namespace {

int populationNamed(const ModelSpec &model, const std::string &name) {
  for (size_t p = 0; p < model.populations.size(); ++p)
    if (model.populations[p].name == name)
      return int(p);
  return -1;
}

/// "[a, b)" of neurons, as the messages name ranges.
std::string range(int64_t begin, int64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

} // namespace

/// "v, w of 'E'": what a state record samples.
std::string Recorder::describe(const StateRecordSpec &rec) const {
  std::string text;
  for (int row : rec.rows)
    text += (text.empty() ? "" : ", ") + recordRows(rec)[size_t(row)];
  return text + " of '" + recordOwner(rec) + "'";
}

/// The names and units of what a state record samples, one per row.
std::vector<std::string>
Recorder::rowsAndUnits(const StateRecordSpec &rec) const {
  const std::vector<std::string> &units =
      rec.projection >= 0 ? model.projections[size_t(rec.projection)].synUnits
                          : model.populations[size_t(rec.population)].units;
  std::vector<std::string> out;
  for (int row : rec.rows)
    out.push_back(recordRows(rec)[size_t(row)] + " in " +
                  (size_t(row) < units.size() ? units[size_t(row)] : ""));
  return out;
}

void Recorder::adoptSpikeRecordings(const Recorder &old,
                                    std::vector<std::string> &lost) {
  std::vector<bool> taken(old.spikeMonitors.size());
  for (size_t p = 0; p < spikeMonitors.size(); ++p) {
    const std::string &name = model.populations[p].name;
    int q = populationNamed(old.model, name);
    if (!isRecorded(p) || q < 0 || !old.isRecorded(size_t(q)))
      continue;
    taken[size_t(q)] = true;
    SpikeMonitor &now = spikeMonitors[p];
    now.spikes.clear();
    int64_t outside = 0;
    for (const SpikeRecord &s : old.spikeMonitors[size_t(q)].spikes) {
      if (s.i >= now.begin && s.i < now.end)
        now.spikes.push_back(s);
      else
        ++outside;
    }
    if (outside > 0)
      lost.push_back("the " + std::to_string(outside) + " spikes of '" + name +
                     "' recorded before from neurons outside " +
                     range(now.begin, now.end) +
                     " (the neurons recorded now) are dropped");
  }
  for (size_t q = 0; q < old.spikeMonitors.size(); ++q)
    if (!taken[q] && !old.spikeMonitors[q].spikes.empty())
      lost.push_back("the " +
                     std::to_string(old.spikeMonitors[q].spikes.size()) +
                     " spikes of '" + old.model.populations[q].name +
                     "' recorded before are dropped: the network records no "
                     "spikes of a population of that name now");
}

void Recorder::adoptRecordings(const Recorder &old,
                               const std::vector<bool> &sameSynapses,
                               std::vector<std::string> &lost) {
  adoptSpikeRecordings(old, lost);
  // State samples: a record of the same owner, variables (names and
  // units) and interval; those of the same range first, so that a record
  // repeated with another range does not take another's samples.
  std::vector<bool> taken(old.stateRecordings.size()),
      adopted(stateRecordings.size());
  std::vector<std::string> why(old.stateRecordings.size(),
                               "the rebuilt network does not record them");
  for (bool exact : {true, false})
    for (size_t r = 0; r < model.stateRecords.size(); ++r) {
      const StateRecordSpec &rec = model.stateRecords[r];
      bool synapses = rec.projection >= 0;
      for (size_t o = 0; o < old.model.stateRecords.size() && !adopted[r];
           ++o) {
        const StateRecordSpec &was = old.model.stateRecords[o];
        const StateRecording &from = old.stateRecordings[o];
        StateRecording &to = stateRecordings[r];
        bool sameRange = from.begin == to.begin && from.end == to.end;
        if (taken[o] || synapses != (was.projection >= 0) ||
            recordOwner(rec) != old.recordOwner(was) ||
            rec.every != was.every ||
            rowsAndUnits(rec) != old.rowsAndUnits(was) || (exact && !sameRange))
          continue;
        // Indices of a rebuilt projection's synapses name the same
        // synapses only where its synapses are the same.
        if (synapses && !sameSynapses[size_t(rec.projection)]) {
          why[o] = "the projection's synapses changed";
          continue;
        }
        taken[o] = adopted[r] = true;
        to.times = from.times;
        if (sameRange) {
          to.values = from.values;
          continue;
        }
        layOut(from, to, rec.rows.size());
        std::string what = describe(rec);
        std::string items = synapses ? "synapses" : "neurons";
        if (from.begin < to.begin || from.end > to.end)
          lost.push_back("the samples of " + what + " recorded before from " +
                         items + " outside " + range(to.begin, to.end) +
                         " (the " + items + " recorded now) are dropped");
        if (to.begin < from.begin || to.end > from.end)
          lost.push_back("the " + std::to_string(from.times.size()) +
                         " samples of " + what + " recorded before hold " +
                         "NaN for the " + items + " outside " +
                         range(from.begin, from.end) + " (not recorded then)");
      }
    }
  for (size_t o = 0; o < old.stateRecordings.size(); ++o)
    if (!taken[o] && !old.stateRecordings[o].times.empty())
      lost.push_back("the " +
                     std::to_string(old.stateRecordings[o].times.size()) +
                     " samples of " + old.describe(old.model.stateRecords[o]) +
                     " recorded before are dropped: " + why[o]);
}

void Recorder::layOut(const StateRecording &from, StateRecording &to,
                      size_t rows) {
  size_t samples = from.times.size();
  int64_t wasWidth = from.end - from.begin, width = to.end - to.begin;
  to.values.assign(samples * rows * size_t(width),
                   std::numeric_limits<double>::quiet_NaN());
  for (size_t s = 0; s < samples; ++s)
    for (size_t k = 0; k < rows; ++k)
      for (int64_t c = std::max(from.begin, to.begin);
           c < std::min(from.end, to.end); ++c)
        to.values[(s * rows + k) * size_t(width) + size_t(c - to.begin)] =
            from.values[(s * rows + k) * size_t(wasWidth) +
                        size_t(c - from.begin)];
}

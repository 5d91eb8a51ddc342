//===- RecorderAdopt.cpp - Recordings carried into a rebuilt network -----===//
//
// When the REPL rebuilds a network in place of the one that ran, what the
// old one recorded carries over to the recordings of the new one that
// record the same things; the rest is named, never dropped without a word.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Recorder.h"

#include <cmath>
#include <limits>

using namespace neuro::rt;

namespace {

int populationNamed(const ModelSpec &model, const std::string &name) {
  for (size_t p = 0; p < model.populations.size(); ++p)
    if (model.populations[p].name == name)
      return int(p);
  return -1;
}

/// "v, w of 'E'": what a state record samples.
std::string describe(const ModelSpec &model, const StateRecordSpec &rec) {
  bool synapses = rec.projection >= 0;
  const std::vector<std::string> &rows =
      synapses ? model.projections[size_t(rec.projection)].synRows
               : model.populations[size_t(rec.population)].rows;
  std::string text;
  for (int row : rec.rows)
    text += (text.empty() ? "" : ", ") + rows[size_t(row)];
  return text + " of '" +
         (synapses ? model.projections[size_t(rec.projection)].name
                   : model.populations[size_t(rec.population)].name) +
         "'";
}

std::vector<std::string> rowNames(const ModelSpec &model,
                                  const StateRecordSpec &rec) {
  const std::vector<std::string> &rows =
      rec.projection >= 0 ? model.projections[size_t(rec.projection)].synRows
                          : model.populations[size_t(rec.population)].rows;
  std::vector<std::string> names;
  for (int row : rec.rows)
    names.push_back(rows[size_t(row)]);
  return names;
}

/// "[a, b)" of neurons, as the messages name ranges.
std::string range(int64_t begin, int64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

} // namespace

void Recorder::adoptRecordings(const Recorder &old,
                               std::vector<std::string> &lost) {
  // Spikes, by population name.
  std::vector<bool> spikesTaken(old.spikeMonitors.size());
  for (size_t p = 0; p < spikeMonitors.size(); ++p) {
    const std::string &name = model.populations[p].name;
    int q = populationNamed(old.model, name);
    if (!isRecorded(p) || q < 0 || !old.isRecorded(size_t(q)))
      continue;
    spikesTaken[size_t(q)] = true;
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
    if (!spikesTaken[q] && !old.spikeMonitors[q].spikes.empty())
      lost.push_back("the " +
                     std::to_string(old.spikeMonitors[q].spikes.size()) +
                     " spikes of '" + old.model.populations[q].name +
                     "' recorded before are dropped: the network records no "
                     "spikes of a population of that name now");

  // State samples, by owner, variables and interval.
  std::vector<bool> samplesTaken(old.stateRecordings.size());
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    for (size_t o = 0; o < old.model.stateRecords.size(); ++o) {
      const StateRecordSpec &was = old.model.stateRecords[o];
      if (samplesTaken[o] || (rec.projection >= 0) != (was.projection >= 0) ||
          recordOwner(rec) != old.recordOwner(was) || rec.every != was.every ||
          rowNames(model, rec) != rowNames(old.model, was))
        continue;
      const StateRecording &from = old.stateRecordings[o];
      StateRecording &to = stateRecordings[r];
      bool sameRange = from.begin == to.begin && from.end == to.end;
      // Synapse ranges of a rebuilt projection name other synapses.
      if (!sameRange && rec.projection >= 0)
        continue;
      samplesTaken[o] = true;
      to.times = from.times;
      if (sameRange) {
        to.values = from.values;
        break;
      }
      size_t rows = rec.rows.size(), samples = from.times.size();
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
      if (samples == 0)
        break;
      std::string what = describe(model, rec);
      if (from.begin < to.begin || from.end > to.end)
        lost.push_back("the samples of " + what +
                       " recorded before from neurons outside " +
                       range(to.begin, to.end) +
                       " (the neurons recorded now) are dropped");
      if (to.begin < from.begin || to.end > from.end)
        lost.push_back("the " + std::to_string(samples) + " samples of " +
                       what + " recorded before hold NaN for the neurons " +
                       "outside " + range(from.begin, from.end) +
                       " (not recorded then)");
      break;
    }
  }
  for (size_t o = 0; o < old.stateRecordings.size(); ++o)
    if (!samplesTaken[o] && !old.stateRecordings[o].times.empty())
      lost.push_back(
          "the " + std::to_string(old.stateRecordings[o].times.size()) +
          " samples of " + describe(old.model, old.model.stateRecords[o]) +
          " recorded before are dropped: the rebuilt network "
          "does not record them");
}

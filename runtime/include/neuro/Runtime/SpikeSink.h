//===- SpikeSink.h - Another destination for recorded spikes ----*- C++ -*-===//
//
// Where a streaming Recorder also sends the spikes of its recorded
// populations, beside or instead of `spikes_<population>.npy`: a file
// format the runtime does not link (SONATA's HDF5 spike report, written by
// neuroc with interop/). The recorder hands over what it buffered at every
// flush, per population in step order, so nothing keeps all spikes.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_SPIKESINK_H
#define NEURO_RUNTIME_SPIKESINK_H

#include <cstddef>
#include <string>

namespace neuro::rt {

struct SpikeRecord;

class SpikeSink {
public:
  virtual ~SpikeSink() = default;
  /// `n` spikes of population `pop` (its index in the ModelSpec), in time
  /// order, times in seconds; false and `err` when they cannot be written.
  virtual bool append(size_t pop, const SpikeRecord *spikes, size_t n,
                      std::string &err) = 0;
  /// Makes what was appended durable (the end of a flush).
  virtual bool flush(std::string &err) = 0;
  /// Ends the file, e.g. once the run is over; nothing is appended after.
  virtual bool close(std::string &err) = 0;
  /// The file it writes (listed in recordings.json); empty if none.
  virtual std::string file() const { return {}; }
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_SPIKESINK_H

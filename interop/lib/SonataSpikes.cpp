//===- SonataSpikes.cpp - Spikes of a run as a SONATA spike report --------===//
//
// `/spikes/<population>/timestamps` (ms) and `node_ids`, appended at every
// flush of the recorder (chunked datasets that grow), so a long run never
// holds its spikes in memory. Each population's spikes arrive in step order,
// so the file is sorted by time, as its `sorting` attribute says.
//
//===----------------------------------------------------------------------===//

#include "neuro/Interop/HDF5.h"
#include "neuro/Interop/Sonata.h"
#include "neuro/Runtime/Npy.h"

using namespace neuro;

namespace {

class SpikeWriter : public rt::SpikeSink {
public:
  SpikeWriter(const std::string &path,
              const std::vector<std::string> &populations)
      : path(path), h5file(h5::File::create(path)) {
    h5::Group spikes = h5file.root().createGroup("spikes");
    for (const std::string &name : populations) {
      if (name.empty()) {
        pops.emplace_back();
        continue;
      }
      h5::Group g = spikes.createGroup(name);
      // SONATA's enumeration (libsonata's: none, by_id, by_time).
      g.writeEnumAttribute("sorting", {"none", "by_id", "by_time"}, 2);
      Pop p{g.createAppender("timestamps", h5::Precision::Float64),
            g.createAppender("node_ids", h5::Precision::Int64)};
      g.writeAttribute("units", "ms", "timestamps");
      pops.push_back(std::move(p));
    }
  }

  bool append(size_t pop, const rt::SpikeRecord *spikes, size_t n,
              std::string &err) override {
    if (pop >= pops.size() || !pops[pop])
      return true;
    times.resize(n);
    ids.resize(n);
    for (size_t k = 0; k < n; ++k) {
      times[k] = spikes[k].t * 1e3;
      ids[k] = spikes[k].i;
    }
    try {
      pops[pop]->ids.append(ids.data(), n);
      pops[pop]->times.append(times.data(), n);
    } catch (const h5::Error &e) {
      err = e.what();
      return false;
    }
    return true;
  }

  bool flush(std::string &err) override {
    try {
      h5file.root().flushFile();
    } catch (const h5::Error &e) {
      err = e.what();
      return false;
    }
    return true;
  }

  bool close(std::string &err) override { return flush(err); }

  std::string file() const override { return path; }

private:
  struct Pop {
    h5::Appender times, ids;
  };
  std::string path;
  h5::File h5file;
  std::vector<std::optional<Pop>> pops;
  std::vector<double> times;
  std::vector<int64_t> ids;
};

} // namespace

std::unique_ptr<rt::SpikeSink>
sonata::createSpikeWriter(const std::string &path,
                          const std::vector<std::string> &populations) {
  try {
    return std::make_unique<SpikeWriter>(path, populations);
  } catch (const h5::Error &e) {
    throw Error(e.what());
  }
}

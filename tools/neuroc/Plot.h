//===- Plot.h - Plots of a run's recordings, without Python -----*- C++ -*-===//

#ifndef NEURO_TOOLS_PLOT_H
#define NEURO_TOOLS_PLOT_H

#include <string>
#include <vector>

namespace neuro {

/// Reads `dir`/recordings.json and the files it lists and writes, next to
/// them, for each recorded population a spike raster and a histogram of its
/// rate, and for each state or synapse recording traces of up to eight of
/// its columns, each as .svg and .png. Returns the files written; false and
/// `err` when the folder holds no readable recordings. What it draws only
/// in part (a file cut short, times that do not match the samples, spikes
/// of neurons outside the recorded ones) is said in `warnings`.
bool plotRecordings(const std::string &dir, std::vector<std::string> &written,
                    std::vector<std::string> &warnings, std::string &err);

} // namespace neuro

#endif // NEURO_TOOLS_PLOT_H

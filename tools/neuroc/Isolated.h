//===- Isolated.h - Work on untrusted files in a child process --*- C++ -*-===//
//
// The HDF5 library reads a damaged file without checking it: a bad heap
// address in a NIR or SONATA file crashes it or sends it into an endless
// loop. `neuroc import` reads such files in a child process, so that a
// crash or a hang becomes an error that names the file.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TOOLS_NEUROC_ISOLATED_H
#define NEURO_TOOLS_NEUROC_ISOLATED_H

#include <functional>
#include <string>

namespace neuro {

/// Runs `work` in a child process and returns its exit status; a child
/// killed by a signal, or still running after `limitSeconds` (0: no
/// limit), is an error that names `file`, and 1. Where no process can be
/// made, `work` runs here.
int runIsolated(const std::function<int()> &work, const std::string &file,
                unsigned limitSeconds);

} // namespace neuro

#endif // NEURO_TOOLS_NEUROC_ISOLATED_H

//===- ImportExport.cpp - neuroc import and neuroc export -----------------===//
//
// A NIR graph or a SONATA circuit read into a .neuro model and its tables
// (in a child process, within a time limit: a damaged file may crash or
// hang the HDF5 library), and a model written as a NIR graph.
//
//===----------------------------------------------------------------------===//

#include "Isolated.h"
#include "Options.h"
#include "Usage.h"
#include "neuro/Codegen/Compiler.h"
#include "neuro/Interop/HDF5.h"
#include "neuro/Interop/NIRExport.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Quote.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>

using namespace neuro;

namespace {

int runSonataImport(const Options &options) {
  try {
    sonata::Config config = sonata::readConfig(options.file);
    sonata::ImportResult r =
        sonata::importCircuit(config, options.sonataImport, options.outDir);
    for (const std::string &w : r.warnings)
      llvm::errs() << "neuroc: warning: " << w << "\n";
    llvm::outs() << "wrote " << r.files[0] << " (" << r.populations
                 << " populations, " << r.projections << " projections, "
                 << r.synapses << " synapses, " << r.inputSpikes
                 << " input spikes, " << r.inputSpikesInRun
                 << " within the run) and " << r.files.size() - 1
                 << " tables\n";
  } catch (const sonata::Error &e) {
    llvm::errs() << "neuroc: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int runNirImport(const Options &options);

/// Checks the model an import wrote as `neuroc check` would: values of the
/// circuit or graph that no run takes (a run shorter than a step, a step
/// that makes a delay too long, a name too long for a file) are said
/// where the model has them, and the import fails.
int checkImported(const Options &options) {
  Options checked = options;
  checked.file = options.outDir;
  Compiler c(llvm::errs(), compileOptions(checked));
  if (c.loadFile(checked.file) && c.parse() && c.check() && c.generate() &&
      c.lower(Stage::Lowered))
    return 0;
  llvm::errs() << "neuroc: error: the model written to " << options.outDir
               << " does not check (above): the values it took from "
               << options.file << " are ones no run takes\n";
  return 1;
}

} // namespace

int neuro::runImport(const Options &options) {
  if (!options.outGiven)
    return usageError("import needs -o MODEL.neuro");
  if (!checkOutput(options.outDir, options.file))
    return 1;
  // A damaged file may crash the HDF5 library or hang it: read in a child
  // process, within a minute and a second per MB (of a NIR file, of the
  // files in a SONATA config's folder).
  bool sonata = llvm::StringRef(options.file).ends_with(".json");
  if (sonata && options.nirOptions)
    return usageError("--reset and --input apply to NIR graphs, not to a "
                      "SONATA circuit");
  if (!sonata && !options.sonataImport.components.empty())
    return usageError("--components applies to SONATA circuits (a "
                      "circuit_config.json), not to a NIR graph");
  uint64_t size = 0;
  if (sonata)
    size = rt::bytesUnder(llvm::sys::path::parent_path(options.file).str());
  else
    llvm::sys::fs::file_size(options.file, size);
  unsigned limit = unsigned(std::min<uint64_t>(60 + size / 1000000, 1u << 30));
  if (const char *given = std::getenv("NEURO_IMPORT_SECONDS")) {
    // Whole seconds, at least 1: anything else is a mistake, not 1 s.
    unsigned long long seconds = 0;
    if (llvm::StringRef(given).trim().getAsInteger(10, seconds) ||
        seconds < 1 || seconds > (1u << 30)) {
      llvm::errs() << "neuroc: error: NEURO_IMPORT_SECONDS="
                   << rt::quoted(given)
                   << ": expected whole seconds, at least 1\n";
      return 1;
    }
    limit = unsigned(seconds);
  }
  int status = sonata ? runIsolated([&] { return runSonataImport(options); },
                                    options.file, limit)
                      : runIsolated([&] { return runNirImport(options); },
                                    options.file, limit);
  return status != 0 ? status : checkImported(options);
}

namespace {

int runNirImport(const Options &options) {
  try {
    nir::Graph graph = nir::readGraph(options.file);
    nir::FlatGraph flat = nir::checkGraph(graph, options.file);
    nir::Network net = nir::lowerGraph(flat, options.nirImport);
    for (const std::string &w : net.warnings)
      llvm::errs() << "neuroc: warning: " << w << "\n";
    std::vector<std::string> files = nir::writeNeuro(net, options.outDir);
    llvm::outs() << "wrote " << files[0] << " (" << net.populations.size()
                 << " populations, " << net.projections.size()
                 << " projections) and " << files.size() - 1 << " tables\n";
  } catch (const nir::Error &e) {
    llvm::errs() << "neuroc: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

} // namespace

int neuro::runExport(const Options &options) {
  if (options.format != "nir")
    return usageError("export needs --format=nir");
  if (!options.outGiven)
    return usageError("export needs -o FILE.nir");
  if (!checkOutput(options.outDir, options.file))
    return 1;
  // The graph replaces an HDF5 file only (never a table the model reads).
  uint64_t size = 0;
  if (!llvm::sys::fs::file_size(options.outDir, size) && size > 0 &&
      !h5::File::isHDF5(options.outDir)) {
    llvm::errs() << "neuroc: error: '" << options.outDir
                 << "' exists and is not an HDF5 file: it is left as it is "
                    "(remove it, or write the graph to another name)\n";
    return 1;
  }
  Compiler c(llvm::errs(), compileOptions(options));
  if (!c.loadFile(options.file) || !c.parse() || !c.check() || !c.generate())
    return 1;
  try {
    nir::Network net =
        nir::networkFromModule(c.module(), options.network, options.file);
    for (const std::string &w : net.warnings)
      llvm::errs() << "neuroc: warning: " << w << "\n";
    nir::Graph graph = nir::networkToGraph(net);
    nir::writeGraph(options.outDir, graph);
    llvm::outs() << "wrote " << options.outDir << " (" << graph.nodes.size()
                 << " nodes, " << graph.edges.size() << " edges)\n";
  } catch (const nir::Error &e) {
    llvm::errs() << "neuroc: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

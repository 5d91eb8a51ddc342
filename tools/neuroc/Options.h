//===- Options.h - neuroc's options and what its commands share -*- C++ -*-===//
//
// The flags of a neuroc command, read once by main(), and the helpers the
// commands in other files (import, export) share with it.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TOOLS_OPTIONS_H
#define NEURO_TOOLS_OPTIONS_H

#include "neuro/Codegen/Compiler.h"
#include "neuro/Interop/NIR.h"
#include "neuro/Interop/Sonata.h"
#include "neuro/Runtime/Run.h"

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace neuro {

struct Options {
  std::string command;
  rt::RunEnvironment env;
  std::string file;
  std::string stage = "neuro";
  std::vector<std::string> chips;
  std::string target = "cpu";
  std::string outDir = "neuro_out";
  bool outGiven = false;
  std::string network;
  std::optional<uint64_t> seed;
  unsigned threads = 0;
  unsigned vectorWidth = 0;
  Precision precision = Precision::Double;
  bool cache = true;
  bool shared = false;
  std::vector<std::pair<std::string, std::string>> sets;
  std::set<std::string> tunable;
  std::optional<double> duration;
  std::string checkpoint, restore;
  std::vector<std::string> includes;
  bool json = false;
  bool verbose = false;
  bool werror = false;
  bool jsonDiagnostics = false;
  nir::ImportOptions nirImport;
  sonata::ImportOptions sonataImport;
  /// --reset or --input (for NIR graphs) given.
  bool nirOptions = false;
  bool npySpikes = true, sonataSpikes = false;
  std::string format;
};

/// What every command passes to the compiler: the flags, and the
/// environment read once (CompileOptions::fromEnvironment).
CompileOptions compileOptions(const Options &options, bool cache = false);

/// Whether `output` may be written for `input`: not the input itself,
/// nothing there but a regular file, in a folder that exists (checked
/// before compiling, not left to the linker). Else prints why.
bool checkOutput(const std::string &output, const std::string &input);

/// `neuroc import` (a NIR graph or a SONATA circuit) and `neuroc export`.
int runImport(const Options &options);
int runExport(const Options &options);

} // namespace neuro

#endif // NEURO_TOOLS_OPTIONS_H

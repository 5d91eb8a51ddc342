//===- neuroc.cpp - The Neuro compiler driver -----------------------------===//
//
//   neuroc check [--verbose] FILE
//   neuroc emit --stage=ast|neuro|elaborated|integrated|lowered|
//                       llvm-dialect|llvm|gpu|ptx FILE
//   neuroc run [--json] [-o DIR] [--network NAME] [--seed N] ... FILE
//   neuroc build [--shared] [--target=cpu|cuda] ... FILE
//   neuroc plot DIR
//   neuroc import [--dt T] [--reset zero|subtract] [--input current|spikes]
//                 -o MODEL.neuro FILE.nir
//   neuroc import [--dt T] [--components DIR] -o MODEL.neuro CONFIG.json
//   neuroc export --format=nir -o FILE.nir MODEL.neuro
//   neuroc devices
//   neuroc repl [FILE]
//
// A thin driver over the frontend, codegen and runtime libraries: it turns
// its flags and the environment into CompileOptions (read once, here) and
// calls compile() and rt::runModel; `neuroc --help` gives every flag.
//
//===----------------------------------------------------------------------===//

#include "JsonLines.h"
#include "Options.h"
#include "Plot.h"
#include "Repl.h"
#include "Usage.h"
#include "cuda/Backend.h"
#include "cuda/Driver.h"
#include "neuro/Codegen/AOT.h"
#include "neuro/Codegen/Compiler.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/Interop/HDF5.h"
#include "neuro/Interop/Sonata.h"
#include "neuro/Runtime/Comm.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Hash.h"
#include "neuro/Runtime/ModelIO.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_os_ostream.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>

using namespace neuro;

namespace {

/// Whether `chip` is an architecture the GPU path compiles for: those of
/// PTX ISA 8.0 (the version it emits) that LLVM's NVPTX backend knows, from
/// sm_50, the oldest CUDA 12 compiles for. Newer GPUs run sm_90 code (the
/// driver compiles PTX for them); any other name would reach the backend.
bool knownChip(llvm::StringRef chip) {
  static const llvm::StringSet<> known = [] {
    llvm::StringSet<> s;
    for (const char *v : {"50", "52", "53", "60", "61", "62", "70", "72", "75",
                          "80", "86", "87", "89", "90", "90a"})
      s.insert(std::string("sm_") + v);
    return s;
  }();
  return known.contains(chip);
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

} // namespace

CompileOptions neuro::compileOptions(const Options &options, bool cache) {
  CompileOptions opts = CompileOptions::fromEnvironment(cache);
  opts.searchPaths.insert(opts.searchPaths.begin(), options.includes.begin(),
                          options.includes.end());
  opts.warningsAsErrors = options.werror;
  opts.jsonDiagnostics = options.jsonDiagnostics;
  opts.vectorWidth = options.vectorWidth;
  opts.precision = options.precision;
  opts.tunable = options.tunable;
  opts.overrides = {options.sets.begin(), options.sets.end()};
  opts.network = options.network;
  opts.target = options.target == "cuda"            ? Target::CUDA
                : options.target == "cuda-emulated" ? Target::CUDAEmulated
                                                    : Target::CPU;
  // The chips to build PTX for (--chip, else the default ones).
  if (!options.chips.empty())
    opts.gpu.chips = options.chips;
  return opts;
}

namespace {

void printModule(mlir::ModuleOp module) {
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  flags.useLocalScope();
  module->print(llvm::outs(), flags);
  llvm::outs() << "\n";
}

int runDevices() {
  std::string err;
  const rt::cuda::Driver *driver = rt::cuda::Driver::load(err);
  if (!driver) {
    llvm::outs() << "cuda: none (" << err << ")\n";
    return 0;
  }
  llvm::outs() << "cuda: driver " << driver->version() / 1000 << "."
               << driver->version() % 1000 / 10 << "\n";
  for (const rt::cuda::DeviceInfo &d : driver->devices())
    llvm::outs() << "cuda " << d.index << ": " << d.name << ", " << d.chip()
                 << ", " << d.multiprocessors << " multiprocessors, "
                 << llvm::format("%.1f", double(d.memory) / (1 << 30))
                 << " GiB\n";
  return 0;
}

int runCheck(const Options &options) {
  Compiler c(llvm::errs(), compileOptions(options));
  if (!c.loadFile(options.file) || !c.parse() || !c.check())
    return 1;
  if (options.verbose)
    printSemaSummary(c.sema(), llvm::outs());
  // What run would refuse, short of generating machine code: the choice
  // of integration (an exact method asked for where it cannot be), the
  // conversion to kernels.
  if (!c.generate() || !c.lower(Stage::Integrated))
    return 1;
  if (!options.verbose)
    return c.lower(Stage::Lowered) ? 0 : 1;
  auto printVars = [](llvm::ArrayRef<std::string> vars,
                      llvm::StringRef after = "") {
    llvm::outs() << " (";
    llvm::interleaveComma(vars, llvm::outs());
    llvm::outs() << ")" << after << "\n";
  };
  for (auto net : c.module().getOps<NetworkOp>())
    for (auto pop : net.getBody().getOps<PopulationOp>()) {
      std::vector<std::string> vars;
      llvm::StringRef method;
      // A propagator carries the parameters kept as rows (set per neuron,
      // or following a table) that the equations read: not integrated.
      llvm::StringSet<> parameters;
      NeuroDialect::ConstantAttrHelper constant(pop.getContext());
      for (auto state : pop.getBody().getOps<StateOp>())
        if (constant.getAttr(state))
          parameters.insert(state.getSymName());
      for (auto timed : pop.getBody().getOps<InitTimedOp>())
        if (mlir::cast<mlir::ShapedType>(timed.getValues().getType())
                .getDimSize(0) > 1) // a table in time, not values()
          parameters.insert(timed.getVar());
      for (auto prop : pop.getBody().getOps<PropagateOp>()) {
        method = prop.getMethod();
        for (mlir::Attribute a : prop.getVars()) {
          llvm::StringRef var =
              mlir::cast<mlir::FlatSymbolRefAttr>(a).getValue();
          if (!parameters.contains(var))
            vars.push_back(var.str());
        }
      }
      for (auto ode : pop.getBody().getOps<OdeOp>()) {
        method = ode.getMethod().value_or("none");
        vars.push_back(ode.getVar().str());
      }
      if (vars.empty())
        continue;
      // Coefficients that events write: the propagator follows them.
      std::vector<std::string> held;
      NeuroDialect::HeldCoefficientAttrHelper heldAttr(pop.getContext());
      for (auto state : pop.getBody().getOps<StateOp>())
        if (heldAttr.isAttrPresent(state))
          held.push_back(state.getSymName().str());
      std::string after;
      if (!held.empty())
        after = ", recomputed per neuron when " + llvm::join(held, ", ") +
                " change" + (held.size() == 1 ? "s" : "");
      llvm::outs() << "integration " << net.getSymName() << "."
                   << pop.getSymName() << ": " << method;
      printVars(vars, after);
    }
  // Per-synapse states: solved between a synapse's events, or advanced
  // every step with the projection's method.
  for (auto net : c.module().getOps<NetworkOp>())
    for (auto proj : net.getBody().getOps<ProjectionOp>()) {
      std::vector<std::string> events, clock;
      llvm::StringRef method;
      for (auto decay : proj.getBody().getOps<DecayOp>())
        events.push_back(decay.getVar().str());
      for (auto system : proj.getBody().getOps<DecaySystemOp>())
        for (mlir::Attribute var : system.getVars())
          events.push_back(
              mlir::cast<mlir::FlatSymbolRefAttr>(var).getValue().str());
      for (auto ode : proj.getBody().getOps<OdeOp>()) {
        method = ode.getMethod().value_or("none");
        clock.push_back(ode.getVar().str());
      }
      std::string name = (net.getSymName() + "." + proj.getSymName()).str();
      if (!events.empty()) {
        llvm::outs() << "integration " << name << ": exact, at events";
        printVars(events);
      }
      if (!clock.empty()) {
        llvm::outs() << "integration " << name << ": " << method
                     << ", every step";
        printVars(clock);
      }
    }
  return c.lower(Stage::Lowered) ? 0 : 1;
}

int runEmit(const Options &options) {
  Compiler c(llvm::errs(), compileOptions(options));
  if (!c.loadFile(options.file) || !c.parse())
    return 1;
  if (options.stage == "ast") {
    dumpAST(c.ast(), llvm::outs());
    return 0;
  }
  if (options.stage == "gpu" || options.stage == "ptx") {
    if (!c.check() || !c.generate() || !c.lowerToGPU())
      return 1;
    if (options.stage == "gpu") {
      printModule(c.module());
      return 0;
    }
    std::vector<GPUImage> images;
    if (!c.compileGPU(c.options().gpu, images))
      return 1;
    for (const GPUImage &image : images) {
      if (images.size() > 1)
        llvm::outs() << "// ---- PTX for " << image.chip << "\n";
      llvm::outs() << image.ptx;
    }
    return 0;
  }
  auto stage = parseStage(options.stage);
  if (!stage)
    return usageError("unknown stage " + rt::quoted(options.stage));
  if (!c.check() || !c.generate() ||
      !c.lower(std::min(*stage, Stage::LLVMDialect)))
    return 1;
  if (*stage != Stage::LLVM) {
    printModule(c.module());
    return 0;
  }
  auto ir = emitLLVMIR(c.module(), /*optimize=*/true);
  if (!ir) {
    llvm::errs() << "neuroc: error: " << llvm::toString(ir.takeError()) << "\n";
    return 1;
  }
  llvm::outs() << *ir;
  return 0;
}

/// Whether `name` (POP.VAR, PROJ.VAR) is a row of the built network: a
/// value a checkpoint holds.
bool isRow(const rt::ModelSpec &spec, const std::string &name) {
  auto dot = name.find('.');
  if (dot == std::string::npos)
    return false;
  std::string owner = name.substr(0, dot), var = name.substr(dot + 1);
  auto has = [&](const std::vector<std::string> &rows) {
    return std::find(rows.begin(), rows.end(), var) != rows.end();
  };
  for (const rt::ProjectionSpec &p : spec.projections)
    if (p.name == owner)
      return has(p.synRows);
  for (const rt::PopulationSpec &p : spec.populations)
    if (p.name == owner)
      return has(p.rows);
  return false;
}

int runRun(const Options &options) {
  auto start = std::chrono::steady_clock::now();
  // --diagnostics-format=json: what the run says, as JSON lines too.
  JsonLines jsonLines(options.file);
  std::ostream jsonErr(&jsonLines);
  llvm::raw_os_ostream jsonLlvm(jsonErr);
  bool json = options.jsonDiagnostics;
  llvm::raw_ostream &errs =
      json ? static_cast<llvm::raw_ostream &>(jsonLlvm) : llvm::errs();
  std::ostream &errOut = json ? jsonErr : std::cerr;
  bool gpu = options.target != "cpu";
  // How the GPU backend runs: the environment, read once here.
  rt::cuda::DeviceOptions device;
  if (gpu) {
    std::string err;
    for (const char *var : rt::cuda::DeviceOptions::kVariables)
      if (!device.set(var, std::getenv(var), err)) {
        if (rt::failBeforeJoining(options.env, err))
          errs << "neuroc: error: " << err << "\n";
        return 1;
      }
  }
  // Under mpirun every process compiles and runs the model; rank 0 speaks.
  rt::RunOptions run;
  std::string err;
  if (!rt::joinProcesses(options.env, run, err)) {
    errs << "neuroc: error: " << err << "\n";
    return 1;
  }
  struct Finalize {
    ~Finalize() { rt::Comm::finalize(); }
  } finalize;
  bool root = !run.processes || run.processes->root();
  // Every process compiles the model and checks its options; one that
  // fails alone stops the others, which would wait for it at the run's
  // first exchange. Rank 0 says why (its own diagnostics as they come).
  auto agreeBeforeRun = [&](bool ok, std::string why) {
    if (!run.processes || !run.processes->distributed())
      return ok;
    while (!why.empty() && why.back() == '\n')
      why.pop_back();
    bool all = run.processes->agree(ok, why);
    if (!all && ok && root)
      errs << "neuroc: error: " << why << "\n";
    return all;
  };
  std::string compileLog;
  llvm::raw_string_ostream log(compileLog);
  std::unique_ptr<CompiledModel> compiled =
      compile(options.file, compileOptions(options, options.cache),
              root ? errs : static_cast<llvm::raw_ostream &>(log));
  log.flush();
  if (!agreeBeforeRun(compiled != nullptr, compileLog) || !compiled)
    return 1;
  run.progress = options.env.progress;
  run.buildError = [&](const std::string &err) {
    return compiled->reportBuildError(err);
  };
  if (gpu)
    run.attach = [&](rt::Simulator &sim, std::string &err) {
      return compiled->attach(sim, device, err);
    };
  run.outDir = options.outDir;
  run.json = options.json;
  run.seed = options.seed;
  if (options.threads)
    run.threads = options.threads;
  run.source = options.file;
  run.inputs = compiled->compiler().readFiles({options.file});
  run.tCompile = seconds(start);
  run.cache = !options.cache ? "off" : compiled->cacheHit() ? "hit" : "miss";
  run.duration = options.duration;
  run.checkpoint = options.checkpoint;
  // Network parameters, projection variables and values computed per
  // neuron are compiled in with their values; the runtime sets the rest
  // (states, parameters kept as rows), and after a restore also the rows
  // compiled in, whose checkpointed values would replace those starting
  // values.
  for (const auto &set : options.sets) {
    if (compiled->compiledOverrides().count(set.first)) {
      if (!options.restore.empty() && isRow(compiled->spec(), set.first))
        run.sets.push_back(set);
      continue;
    }
    if (set.first.find('.') == std::string::npos) {
      std::string why = "--set " + set.first + ": network '" +
                        compiled->spec().name + "' has no parameter '" +
                        set.first +
                        "' (a run sets POP.VAR or PROJ.VAR otherwise)";
      if (root)
        errs << "neuroc: error: " << why << "\n";
      agreeBeforeRun(false, why);
      return 1;
    }
    run.sets.push_back(set);
  }
  if (!agreeBeforeRun(true, ""))
    return 1;
  if (run.processes && run.processes->distributed()) {
    // The same network and run on every process (an MPMD launch, a model
    // or table file that differs between nodes): its fingerprint.
    std::string what = rt::serializeModel(compiled->spec());
    what += '\0' + std::to_string(run.seed.value_or(0)) + '\0' +
            std::to_string(run.seed.has_value()) + '\0' +
            (run.duration ? std::to_string(*run.duration) : "-") + '\0' +
            options.restore;
    for (const auto &[name, value] : run.sets)
      what += '\0' + name + '=' + value;
    std::vector<int64_t> prints =
        run.processes->allgather(int64_t(rt::hash64(what.data(), what.size())));
    for (size_t r = 1; r < prints.size(); ++r)
      if (prints[r] != prints[0]) {
        if (root)
          errs << "neuroc: error: process " << r
               << " compiled another network or run than process 0 "
                  "(a model or table file, --set, --seed, "
                  "--duration or --restore that differs between "
                  "them)\n";
        return 1;
      }
  }
  run.restore = options.restore;
  run.npySpikes = options.npySpikes;
  if (options.sonataSpikes) {
    std::string path = options.outDir + "/spikes.h5";
    run.spikeSinkFile = path;
    run.spikeSink = [path](const rt::ModelSpec &spec,
                           std::string &err) -> std::unique_ptr<rt::SpikeSink> {
      std::vector<std::string> names(spec.populations.size());
      for (const rt::RecordSpec &rec : spec.records)
        names[size_t(rec.population)] =
            spec.populations[size_t(rec.population)].name;
      try {
        return sonata::createSpikeWriter(path, names);
      } catch (const sonata::Error &e) {
        err = e.what();
        return nullptr;
      }
    };
  }
  llvm::outs().flush();
  int status = rt::runModel(compiled->spec(), run, std::cout, errOut);
  std::cout.flush();
  return status;
}

} // namespace

bool neuro::checkOutput(const std::string &output, const std::string &input) {
  std::string err;
  if (rt::checkReplaceable(output, err) &&
      llvm::sys::fs::equivalent(output, input))
    err = "-o '" + output + "' is the input file";
  if (err.empty())
    return true;
  llvm::errs() << "neuroc: error: " << err << "\n";
  return false;
}

namespace {

int runBuild(const Options &options) {
  Compiler c(llvm::errs(), compileOptions(options));
  bool gpu = options.target == "cuda";
  if (options.target == "cuda-emulated")
    return usageError("build --target is cpu or cuda");
  if (gpu) {
    // One lowering for both: the program's CPU kernels are scalar too.
    c.setVectorWidth(1);
    c.setKeepLowered(true);
  }
  std::string output = options.outDir;
  if (!options.outGiven) {
    llvm::StringRef stem = llvm::sys::path::stem(options.file);
    std::string name = stem.empty() || options.file == "-" ? "a" : stem.str();
    output =
        options.shared ? "lib" + name + ".so" : (stem.empty() ? "a.out" : name);
  }
  llvm::SmallString<256> header(output);
  llvm::sys::path::replace_extension(header, ".h");
  if (options.shared && header.str() == output) {
    llvm::errs() << "neuroc: error: -o " << output
                 << ": the library's header would be written over it; name "
                    "the library with another extension (lib"
                 << llvm::sys::path::stem(output) << ".so)\n";
    return 1;
  }
  if (!checkOutput(output, options.file) ||
      (options.shared && !checkOutput(header.str().str(), options.file)))
    return 1;
  rt::ModelSpec spec;
  if (!c.loadFile(options.file) || !c.parse() || !c.check() || !c.generate())
    return 1;
  std::unique_ptr<llvm::MemoryBuffer> object =
      c.compileObject(options.network, spec);
  if (!object)
    return 1;
  std::vector<GPUImage> images;
  if (gpu && !c.compileGPUKernels(c.options().gpu, &images, /*host=*/false))
    return 1;
  // What the compiler did not compile in (a state's starting value) goes
  // into the program's model, as run would set it.
  for (const auto &[name, value] : options.sets) {
    std::string err;
    if (!c.sema().usedOverrides.count(name) &&
        !rt::applySet(spec, name, value, err)) {
      llvm::errs() << "neuroc: error: --set " << name << ": " << err << "\n";
      return 1;
    }
  }
  mlir::ModuleOp module = c.module();
  std::string source = emitModelSource(spec, spec.name, [&](llvm::StringRef n) {
    return module.lookupSymbol(n) != nullptr;
  });
  source += emitPtxSource(images);
  source += emitInputsSource(c.readFiles({options.file}));
  if (auto err = linkExecutable(object->getMemBufferRef(), source, output,
                                options.shared, c.options().cxx)) {
    llvm::errs() << "neuroc: error: " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  if (options.shared) {
    std::error_code ec;
    llvm::raw_fd_ostream out(header, ec);
    if (ec) {
      llvm::errs() << "neuroc: error: cannot write '" << header << "'\n";
      return 1;
    }
    out << emitCHeader(spec);
    llvm::outs() << "built " << output << " and " << header << " (network "
                 << spec.name << ")\n";
    return 0;
  }
  llvm::outs() << "built " << output << " (network " << spec.name << ")\n";
  return 0;
}

/// Reads the options and the input file after the command into `options`;
/// the exit status of a usage error, or -1.
/// `--tunable POP.PARAM,...`: at least one name. -1, or the exit status of
/// the usage error.
int addTunable(const std::string &list, Options &options) {
  llvm::SmallVector<llvm::StringRef> names;
  llvm::StringRef(list).split(names, ',', -1, false);
  if (names.empty())
    return usageError("--tunable needs POP.PARAM[,POP.PARAM...]");
  for (llvm::StringRef n : names)
    options.tunable.insert(n.trim().str());
  return -1;
}

/// `-I DIR`: a folder that exists (a mistyped one was searched in vain
/// without a word). -1, or the exit status of the usage error.
int addInclude(const std::string &dir, Options &options) {
  if (!llvm::sys::fs::is_directory(dir))
    return usageError("-I " + rt::quoted(dir) + ": no such folder");
  options.includes.push_back(dir);
  return -1;
}

int parseOptions(const std::vector<std::string> &args, Options &options) {
  // Flags of one value: given twice, the last wins, with a warning.
  static const char *const single[] = {"-o",
                                       "--network",
                                       "--seed",
                                       "--threads",
                                       "--target",
                                       "--duration",
                                       "--checkpoint",
                                       "--restore",
                                       "--vector-width",
                                       "--precision",
                                       "--spikes-format",
                                       "--chip",
                                       "--stage",
                                       "--dt",
                                       "--reset",
                                       "--input",
                                       "--format",
                                       "--diagnostics-format"};
  std::set<std::string> seen;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (std::string why = optionNotTaken(options.command, a); !why.empty())
      return usageError(why);
    // Said once under mpirun: by the first process.
    if (std::string flag = a.substr(0, a.find('='));
        llvm::is_contained(single, flag) && !seen.insert(flag).second &&
        options.env.launchRank == 0)
      llvm::errs() << "neuroc: warning: " << flag
                   << " is given more than once; the last is used\n";
    // A flag that takes a value, last with none: said as such below.
    bool missing = false;
    auto value = [&](const std::string &flag) -> std::optional<std::string> {
      if (a.rfind(flag + "=", 0) == 0)
        return a.substr(flag.size() + 1);
      if (a == flag && i + 1 < args.size())
        return args[++i];
      missing |= a == flag;
      return std::nullopt;
    };
    if (a == "--json")
      options.json = true;
    else if (a == "--no-cache")
      options.cache = false;
    else if (a == "--shared")
      options.shared = true;
    else if (auto v = value("--set")) {
      auto eq = v->find('=');
      if (eq == std::string::npos)
        return usageError("--set needs POP.VAR=VALUE");
      options.sets.push_back({v->substr(0, eq), v->substr(eq + 1)});
      options.tunable.insert(v->substr(0, eq));
    } else if (auto v = value("--tunable")) {
      if (int rc = addTunable(*v, options); rc >= 0)
        return rc;
    } else if (a == "--verbose" || a == "-v")
      options.verbose = true;
    else if (a == "-Werror")
      options.werror = true;
    else if (auto v = value("--diagnostics-format")) {
      if (*v != "json" && *v != "text")
        return usageError("--diagnostics-format is text or json");
      options.jsonDiagnostics = *v == "json";
    } else if (auto v = value("--dt")) {
      double dt = 0;
      std::string err;
      if (!rt::parseDuration(*v, dt, err))
        return usageError("--dt: " + err);
      if (!(dt > 0))
        return usageError("--dt needs a time step such as 0.1ms");
      options.nirImport.dt = dt;
      options.sonataImport.dt = dt;
    } else if (auto v = value("--components")) {
      options.sonataImport.components.push_back(*v);
    } else if (auto v = value("--spikes-format")) {
      if (*v != "npy" && *v != "sonata" && *v != "npy,sonata" &&
          *v != "sonata,npy")
        return usageError("--spikes-format is npy, sonata or npy,sonata");
      options.npySpikes = v->find("npy") != std::string::npos;
      options.sonataSpikes = v->find("sonata") != std::string::npos;
    } else if (auto v = value("--reset")) {
      if (*v != "zero" && *v != "subtract")
        return usageError("--reset is zero or subtract");
      options.nirImport.reset = *v;
      options.nirOptions = true;
    } else if (auto v = value("--input")) {
      if (*v != "current" && *v != "spikes")
        return usageError("--input is current or spikes");
      options.nirImport.input = *v;
      options.nirOptions = true;
    } else if (auto v = value("--format")) {
      if (*v != "nir")
        return usageError("--format is nir (the only format export writes)");
      options.format = *v;
    } else if (auto v = value("--stage"))
      options.stage = *v;
    else if (auto v = value("--target")) {
      if (*v != "cpu" && *v != "cuda" && *v != "cuda-emulated")
        return usageError("--target is cpu, cuda or cuda-emulated");
      options.target = *v;
    } else if (auto v = value("--chip")) {
      if (!knownChip(*v))
        return usageError("--chip needs an NVIDIA architecture such as "
                          "sm_80 or sm_90 (sm_50 to sm_90a; newer GPUs run "
                          "sm_90 code), not '" +
                          *v + "'");
      options.chips.push_back(*v);
    } else if (auto v = value("-o")) {
      if (v->empty())
        return usageError("-o needs a file or folder name");
      options.outDir = *v;
      options.outGiven = true;
    } else if (auto v = value("--network")) {
      if (v->empty())
        return usageError("--network needs a network's name");
      options.network = *v;
    } else if (auto v = value("-I")) {
      if (int rc = addInclude(*v, options); rc >= 0)
        return rc;
    } else if (a.size() > 2 && a.rfind("-I", 0) == 0) {
      if (int rc = addInclude(a.substr(2), options); rc >= 0)
        return rc;
    } else if (auto v = value("--seed")) {
      uint64_t seed = 0;
      std::string err;
      if (!rt::parseSeed(*v, seed, err))
        return usageError(err);
      options.seed = seed;
    } else if (auto v = value("--threads")) {
      std::string note, err;
      if (!rt::parseThreads(*v, options.env.maxThreads, options.threads, note,
                            err))
        return usageError(err);
      if (!note.empty())
        llvm::errs() << "neuroc: note: " << note << "\n";
    } else if (auto v = value("--duration")) {
      double seconds = 0;
      std::string err;
      if (!rt::parseDuration(*v, seconds, err))
        return usageError("--duration: " + err);
      options.duration = seconds;
    } else if (auto v = value("--checkpoint")) {
      if (v->empty())
        return usageError("--checkpoint needs a file name");
      options.checkpoint = *v;
    } else if (auto v = value("--restore")) {
      if (v->empty())
        return usageError("--restore needs a file name");
      options.restore = *v;
    } else if (auto v = value("--vector-width")) {
      char *end = nullptr;
      unsigned long w = std::strtoul(v->c_str(), &end, 10);
      if (v->empty() || *end || w < 1 || w > 64)
        return usageError("--vector-width needs an integer from 1 to 64");
      options.vectorWidth = unsigned(w);
    } else if (auto v = value("--precision")) {
      std::optional<Precision> p = parsePrecision(*v);
      if (!p)
        return usageError("--precision needs double, mixed or single");
      options.precision = *p;
    } else if (missing)
      return usageError(a + " needs a value");
    else if (a == "--help" || a == "-h") {
      llvm::outs() << kUsage;
      return 0;
    } else if (!a.empty() && a[0] == '-' && a != "-")
      return usageError("unknown option " + rt::quoted(a));
    else if (options.file.empty())
      options.file = a;
    else
      return usageError("more than one input file");
  }
  return -1;
}

} // namespace

int main(int argc, char **argv) {
  // neuroc closes the HDF5 files it writes (SONATA reports, NIR exports).
  h5::File::noCleanupAtExit();
  Options options;
  // The run-time environment, read once here (the compiler's is read by
  // CompileOptions::fromEnvironment()).
  options.env = rt::RunEnvironment::read();
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == "--diagnostics-format=json" ||
        (args[i] == "--diagnostics-format" && i + 1 < args.size() &&
         args[i + 1] == "json"))
      usageErrorsAsJson(true);
  if (args.empty())
    return usageError("no command");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    llvm::outs() << kUsage;
    return 0;
  }
  if (args[0] == "--version") {
    llvm::outs() << "neuroc 0.1.0 (runtime ABI " << NEURO_ABI_VERSION << ")\n";
    return 0;
  }
  options.command = args[0];
  if (std::string why = unknownCommand(options.command); !why.empty())
    return usageError(why);
  usageJoinsProcesses(options.command == "run");
  if (int status = parseOptions(args, options); status >= 0)
    return status;
  if (options.command == "devices")
    return runDevices();
  if (options.file.empty() && options.command != "repl")
    return usageError("no input file");
  if (options.command == "check")
    return runCheck(options);
  if (options.command == "emit")
    return runEmit(options);
  if (options.command == "run")
    return runRun(options);
  if (options.command == "build")
    return runBuild(options);
  if (options.command == "import")
    return runImport(options);
  if (options.command == "export")
    return runExport(options);
  if (options.command == "repl")
    return runRepl(options.file, options.includes, options.precision);
  if (options.command == "plot") {
    std::vector<std::string> written, warnings;
    std::string err;
    bool ok = plotRecordings(options.file, written, warnings, err);
    for (const std::string &w : warnings)
      llvm::errs() << "neuroc: warning: " << w << "\n";
    if (!ok) {
      llvm::errs() << "neuroc: error: " << err << "\n";
      return 1;
    }
    for (const std::string &f : written)
      llvm::outs() << "wrote " << f << "\n";
    return 0;
  }
  llvm_unreachable("every command is handled above");
}

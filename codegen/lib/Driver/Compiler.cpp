//===- Compiler.cpp - From .neuro source to runnable kernels --------------===//

#include "neuro/Codegen/Compiler.h"
#include "neuro/Codegen/ObjectCache.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/Frontend/Imports.h"
#include "neuro/Frontend/MLIRGen.h"
#include "neuro/Frontend/Parser.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Quote.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace neuro;

Compiler::Compiler(llvm::raw_ostream &diagOS, CompileOptions options)
    : diagOS(diagOS), opts(std::move(options)) {
  mlir::DialectRegistry registry;
  registerNeuroDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // Diagnostics point into the .neuro file; the IR dump is noise to users.
  context.printOpOnDiagnostic(false);
  // MLIR's diagnostics (from the passes), notes included, as text or JSON.
  context.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
    printPassDiagnostic(d, /*isNote=*/false);
    for (mlir::Diagnostic &note : d.getNotes())
      printPassDiagnostic(note, /*isNote=*/true);
    return mlir::success();
  });
}

Compiler::~Compiler() = default;

bool Compiler::loadFile(const std::string &path) {
  // Only regular files (or "-", standard input): a FIFO would block the
  // read, a device such as /dev/zero never end.
  std::string why;
  if (path != "-" && llvm::sys::fs::exists(path) &&
      !rt::checkRegularFile(path, why)) {
    plainError(why);
    return false;
  }
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    plainError("cannot read '" + rt::visible(path) +
               "': " + buffer.getError().message());
    return false;
  }
  bufferId = sourceMgr.AddNewSourceBuffer(withLineFeeds(std::move(*buffer)),
                                          llvm::SMLoc());
  diag = std::make_unique<DiagEngine>(sourceMgr, bufferId, diagOS);
  diag->setWarningsAsErrors(opts.warningsAsErrors);
  diag->setJson(opts.jsonDiagnostics);
  return true;
}

void Compiler::loadString(const std::string &name, const std::string &text) {
  bufferId = sourceMgr.AddNewSourceBuffer(
      withLineFeeds(llvm::MemoryBuffer::getMemBufferCopy(text, name)),
      llvm::SMLoc());
  diag = std::make_unique<DiagEngine>(sourceMgr, bufferId, diagOS);
  diag->setWarningsAsErrors(opts.warningsAsErrors);
  diag->setJson(opts.jsonDiagnostics);
}

void Compiler::loadParts(const std::vector<SourcePart> &parts) {
  moreBuffers.clear();
  if (parts.empty())
    return loadString("<repl>", "");
  loadString(parts.front().name, parts.front().text);
  for (size_t i = 1; i < parts.size(); ++i)
    moreBuffers.push_back(sourceMgr.AddNewSourceBuffer(
        withLineFeeds(
            llvm::MemoryBuffer::getMemBufferCopy(parts[i].text, parts[i].name)),
        llvm::SMLoc()));
}

/// The name quoted after `what` in `err` ("population 'E'": E), or empty.
static std::string quotedAfter(const std::string &err,
                               const std::string &what) {
  size_t at = err.find(what + " '");
  if (at == std::string::npos)
    return "";
  at += what.size() + 2;
  size_t end = err.find('\'', at);
  return end == std::string::npos ? "" : err.substr(at, end - at);
}

/// The range of the entry of `list` named `name`, if any.
static const SourceRange *rangeOf(const std::vector<NamedExpr> &list,
                                  const std::string &name) {
  for (const NamedExpr &e : list)
    if (e.name == name && !name.empty())
      return &e.range;
  return nullptr;
}

bool Compiler::reportBuildError(const std::string &network,
                                const std::string &err) {
  const NetworkInfo *net = nullptr;
  for (const NetworkInfo &n : sema().networks)
    if (n.decl && n.decl->name == network)
      net = &n;
  if (!net)
    return false;
  std::string message = "building the network failed: " + err;
  std::string pop = quotedAfter(err, "population");
  std::string proj = quotedAfter(err, "projection");
  std::string var = quotedAfter(err, "variable");
  for (const PopulationInfo &p : net->populations)
    if (p.decl && !pop.empty() && p.decl->name == pop) {
      const SourceRange *arg = rangeOf(p.decl->args, var);
      diagnostics().error(arg ? *arg : p.decl->range, message);
      return true;
    }
  for (const ProjectionInfo &p : net->projections)
    if (p.decl && !proj.empty() && p.name == proj) {
      const SourceRange *arg = err.find("delay") != std::string::npos
                                   ? rangeOf(p.decl->options, "delay")
                                   : rangeOf(p.decl->args, var);
      diagnostics().error(arg ? *arg : p.decl->range, message);
      return true;
    }
  return false;
}

void Compiler::plainError(const llvm::Twine &message) {
  plainDiagnostic("error", message);
}

void Compiler::plainDiagnostic(llvm::StringRef severity,
                               const llvm::Twine &message) {
  llvm::StringRef file =
      bufferId ? sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier()
               : llvm::StringRef("neuroc");
  if (opts.jsonDiagnostics)
    printJsonDiagnostic(diagOS, bufferId ? file : "", 0, 0, 0, 0, severity,
                        message.str());
  else
    diagOS << file << ": " << severity << ": " << message << "\n";
}

void Compiler::setJsonDiagnostics(bool value) {
  opts.jsonDiagnostics = value;
  if (diag)
    diag->setJson(value);
}

void Compiler::printPassDiagnostic(mlir::Diagnostic &d, bool isNote) {
  mlir::FileLineColLoc loc;
  d.getLocation()->walk([&](mlir::Location l) {
    if (!loc)
      loc = mlir::dyn_cast<mlir::FileLineColLoc>(l);
    return mlir::WalkResult::advance();
  });
  mlir::DiagnosticSeverity severity =
      isNote ? mlir::DiagnosticSeverity::Note : d.getSeverity();
  if (opts.jsonDiagnostics) {
    unsigned line = loc ? loc.getLine() : 0, col = loc ? loc.getColumn() : 0;
    printJsonDiagnostic(
        diagOS, loc ? loc.getFilename().getValue() : "", line, col, line, col,
        severity == mlir::DiagnosticSeverity::Error     ? "error"
        : severity == mlir::DiagnosticSeverity::Warning ? "warning"
                                                        : "note",
        d.str());
    return;
  }
  // As the frontend prints its own: the source line and the file's name
  // without control characters.
  llvm::SourceMgr::DiagKind kind =
      severity == mlir::DiagnosticSeverity::Error ? llvm::SourceMgr::DK_Error
      : severity == mlir::DiagnosticSeverity::Warning
          ? llvm::SourceMgr::DK_Warning
      : severity == mlir::DiagnosticSeverity::Note ? llvm::SourceMgr::DK_Note
                                                   : llvm::SourceMgr::DK_Remark;
  llvm::SMLoc at;
  if (loc)
    for (unsigned id = 1; id <= sourceMgr.getNumBuffers() && !at.isValid();
         ++id)
      if (sourceMgr.getMemoryBuffer(id)->getBufferIdentifier() ==
          loc.getFilename().getValue())
        at = sourceMgr.FindLocForLineAndColumn(id, loc.getLine(),
                                               loc.getColumn());
  std::string message = rt::visible(d.str());
  printDiagnostic(
      diagOS, sourceMgr,
      at.isValid()
          ? sourceMgr.GetMessage(at, kind, message)
          : llvm::SMDiagnostic(loc ? loc.getFilename().getValue() : "neuroc",
                               kind, message));
}

/// "N error(s) generated." after the diagnostics of a failed stage (not
/// with JSON diagnostics, one object per line).
static bool countErrors(llvm::raw_ostream &os, const DiagEngine &diag,
                        bool json) {
  if (!json && diag.numErrors())
    os << diag.numErrors() << " error" << (diag.numErrors() == 1 ? "" : "s")
       << " generated.\n";
  return false;
}

bool Compiler::parse() {
  astModule = parseModule(*diag);
  // Every part is parsed, for its syntax errors, and appended in order.
  for (unsigned id : moreBuffers) {
    diag->setBufferId(id);
    std::unique_ptr<Module> part = parseModule(*diag);
    if (part && astModule)
      appendModule(*astModule, std::move(*part));
  }
  diag->setBufferId(bufferId);
  if (!astModule || diag->hadError())
    return countErrors(diagOS, *diag, opts.jsonDiagnostics);
  setStdlibDirectory(opts.stdlibDir);
  if (resolveImports(*astModule, *diag, opts.searchPaths) &&
      expandVectors(*astModule, *diag))
    return true;
  return countErrors(diagOS, *diag, opts.jsonDiagnostics);
}

bool Compiler::check() {
  if (runSema(*astModule, *diag, semaResult, opts.tunable, opts.overrides,
              opts.optionNames))
    return true;
  return countErrors(diagOS, *diag, opts.jsonDiagnostics);
}

bool Compiler::generate() {
  mlirModule = mlirGen(context, *astModule, semaResult, &sourceMgr);
  current = Stage::Neuro;
  if (!mlirModule)
    return false;
  // Elaboration removes the models: keep which parameters each has.
  parameters.clear();
  for (auto net : mlirModule->getOps<NetworkOp>())
    for (auto pop : net.getBody().getOps<PopulationOp>()) {
      auto neuron = pop.getModelAttr()
                        ? llvm::dyn_cast_or_null<NeuronOp>(
                              mlir::SymbolTable::lookupSymbolIn(
                                  *mlirModule, pop.getModelAttr().getAttr()))
                        : NeuronOp();
      if (!neuron)
        continue;
      auto &names =
          parameters[{net.getSymName().str(), pop.getSymName().str()}];
      for (ParamOp param : neuron.getBody().getOps<ParamOp>())
        names.push_back(param.getSymName().str());
    }
  return true;
}

std::vector<std::string>
Compiler::modelParameters(const std::string &network,
                          const std::string &population) const {
  auto it = parameters.find({network, population});
  return it == parameters.end() ? std::vector<std::string>() : it->second;
}

bool Compiler::lower(Stage until) {
  if (until <= current)
    return true;
  // Through the lowered stage first: its projections are checked there.
  if (current < Stage::Lowered && until > Stage::Lowered &&
      !lower(Stage::Lowered))
    return false;
  // A name given a value that is compiled in (`--set PROJ.w=...`) is no
  // row.
  std::vector<std::string> rows;
  for (const std::string &name : opts.tunable)
    if (!semaResult.usedOverrides.count(name))
      rows.push_back(name);
  // The passes' errors, counted on their way to the handler that prints
  // them, end with their number as the checker's do.
  unsigned errors = 0;
  mlir::ScopedDiagnosticHandler counter(&context, [&](mlir::Diagnostic &d) {
    errors += d.getSeverity() == mlir::DiagnosticSeverity::Error;
    return mlir::failure();
  });
  bool converted = current < Stage::Lowered && until == Stage::Lowered;
  if (failed(lowerModule(*mlirModule, current, until, opts.vectorWidth,
                         opts.precision, rows)) ||
      (converted && failed(checkSynapseRows()))) {
    if (errors && !opts.jsonDiagnostics)
      diagOS << errors << " error" << (errors == 1 ? "" : "s")
             << " generated.\n";
    return false;
  }
  current = until;
  return true;
}

mlir::LogicalResult Compiler::checkSynapseRows() {
  // What the model spec refuses later, for `neuroc check` and emit too.
  mlir::LogicalResult result = mlir::success();
  mlirModule->walk([&](ProjectionOp proj) {
    if (failed(checkSynapseRowCount(proj)))
      result = mlir::failure();
  });
  return result;
}

std::vector<std::string>
Compiler::readFiles(std::vector<std::string> more) const {
  std::vector<std::string> files(semaResult.dataFiles.begin(),
                                 semaResult.dataFiles.end());
  files.insert(files.end(), more.begin(), more.end());
  for (std::string &f : files) {
    llvm::SmallString<256> path(f);
    if (!llvm::sys::fs::make_absolute(path))
      f = std::string(path);
  }
  return files;
}

bool Compiler::lowerToGPU() {
  opts.vectorWidth = 1;
  if (!lower(Stage::Lowered))
    return false;
  mlir::PassManager pm(&context);
  buildGPUOutliningPipeline(pm, opts.gpu.merge);
  return succeeded(pm.run(*mlirModule));
}

bool Compiler::compileGPU(const GPUOptions &options,
                          std::vector<GPUImage> &images) {
  return succeeded(compileGPUModule(*mlirModule, options, images));
}

bool Compiler::compileGPUKernels(const GPUOptions &options,
                                 std::vector<GPUImage> *images, bool host) {
  if (!loweredCopy) {
    plainError("no lowered module to compile for the GPU");
    return false;
  }
  mlir::PassManager pm(&context);
  buildGPUOutliningPipeline(pm, options.merge);
  if (failed(pm.run(*loweredCopy)))
    return false;
  if (host) {
    mlir::OwningOpRef<mlir::ModuleOp> kernels = gpuKernelsForHost(*loweredCopy);
    if (!kernels) {
      plainError("the GPU kernels could not be compiled for the host");
      return false;
    }
    auto object = objectOf(*kernels);
    if (!object)
      return false;
    hostKernels = link(std::move(object), "linking the GPU kernels for the "
                                          "host failed: ");
    if (!hostKernels)
      return false;
  }
  return !images || succeeded(compileGPUModule(*loweredCopy, options, *images));
}

void *Compiler::hostKernel(const std::string &name) {
  return hostKernels ? hostKernels->lookup(name) : nullptr;
}

bool Compiler::resolveNetwork(std::string &network) {
  std::vector<std::string> names = networkNames(*mlirModule);
  if (network.empty()) {
    if (names.size() != 1) {
      plainError(names.empty() ? std::string("no network to run")
                               : std::to_string(names.size()) +
                                     " networks; choose one by name "
                                     "(neuroc: --network NAME; REPL: build "
                                     "NAME; Python: network=NAME)");
      return false;
    }
    network = names.front();
  } else if (std::find(names.begin(), names.end(), network) == names.end()) {
    plainError("no network named '" + network + "'");
    return false;
  }
  return true;
}

bool Compiler::lowerNetwork(std::string &network, rt::ModelSpec &spec) {
  if (!resolveNetwork(network) || !lower(Stage::Lowered) ||
      failed(extractModelSpec(*mlirModule, network, spec)))
    return false;
  if (keepLowered) {
    loweredCopy = mlirModule->clone();
    warnDeviceEventOrder(network, spec);
  }
  return true;
}

void Compiler::warnDeviceEventOrder(const std::string &network,
                                    const rt::ModelSpec &spec) {
  auto net = mlirModule->lookupSymbol<NetworkOp>(network);
  for (const rt::ProjectionSpec &p : spec.projections)
    if (auto proj = p.readsWrittenSource && net
                        ? net.lookupSymbol<ProjectionOp>(p.name)
                        : nullptr)
      proj.emitWarning()
          << "on the GPU the step's events of '" << p.name
          << "' run at once: one that reads a state of the source (`pre`) "
             "which others write may see their writes or not, so results "
             "may differ from run to run and from the CPU, which delivers "
             "them one after another";
}

std::unique_ptr<llvm::MemoryBuffer> Compiler::objectOf(mlir::ModuleOp module) {
  auto object = emitObject(module);
  if (!object) {
    plainError("code generation failed: " + llvm::toString(object.takeError()));
    return nullptr;
  }
  return std::move(*object);
}

std::unique_ptr<JITModule>
Compiler::link(std::unique_ptr<llvm::MemoryBuffer> object,
               const llvm::Twine &failure) {
  auto linked = JITModule::create(std::move(object));
  if (!linked) {
    plainError(failure + llvm::toString(linked.takeError()));
    return nullptr;
  }
  return std::move(*linked);
}

std::unique_ptr<llvm::MemoryBuffer>
Compiler::compileObject(std::string network, rt::ModelSpec &spec) {
  if (!lowerNetwork(network, spec) || !lower(Stage::LLVMDialect))
    return nullptr;
  return objectOf(*mlirModule);
}

bool Compiler::compileNetwork(std::string network, rt::ModelSpec &spec) {
  if (!lowerNetwork(network, spec))
    return false;
  // Kernels unchanged since an earlier run are linked from the cache.
  ObjectCache cache(opts.cacheDir);
  std::string key;
  hit = false;
  if (cache.enabled()) {
    key = ObjectCache::key(*mlirModule, opts.vectorWidth);
    if (auto object = cache.lookup(key)) {
      // An entry that does not link or bind (a kernel missing) is compiled
      // again and replaced, like one whose checksum does not match.
      auto linked = JITModule::create(std::move(object));
      if (!linked) {
        llvm::consumeError(linked.takeError());
      } else if (auto err = (*linked)->bind(network, spec)) {
        llvm::consumeError(std::move(err));
      } else {
        jit = std::move(*linked);
        hit = true;
      }
    }
  }
  if (hit)
    return true;
  if (!lower(Stage::LLVMDialect))
    return false;
  auto object = objectOf(*mlirModule);
  if (!object)
    return false;
  if (std::string why = cache.store(key, object->getMemBufferRef());
      !why.empty())
    plainDiagnostic(
        "warning",
        "the compiled kernels are not kept for the next run: " + why +
            " (set NEURO_CACHE_DIR, or " + opts.optionNames.noCache + ")");
  jit = link(std::move(object), "JIT compilation failed: ");
  if (!jit)
    return false;
  if (auto err = jit->bind(network, spec)) {
    plainError(llvm::toString(std::move(err)));
    return false;
  }
  return true;
}

//===- Compiler.cpp - From .neuro source to runnable kernels --------------===//

#include "neuro/Codegen/Compiler.h"
#include "neuro/Frontend/Imports.h"
#include "neuro/Frontend/MLIRGen.h"
#include "neuro/Frontend/Parser.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace neuro;

Compiler::Compiler(llvm::raw_ostream &diagOS) : diagOS(diagOS) {
  mlir::DialectRegistry registry;
  registerNeuroDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // Diagnostics point into the .neuro file; the IR dump is noise to users.
  context.printOpOnDiagnostic(false);
  handler = std::make_unique<mlir::SourceMgrDiagnosticHandler>(
      sourceMgr, &context, diagOS);
}

Compiler::~Compiler() = default;

bool Compiler::loadFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    diagOS << "neuroc: error: cannot read '" << path
           << "': " << buffer.getError().message() << "\n";
    return false;
  }
  bufferId = sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  diag = std::make_unique<DiagEngine>(sourceMgr, bufferId, diagOS);
  diag->setWarningsAsErrors(warningsAsErrors);
  return true;
}

void Compiler::loadString(const std::string &name, const std::string &text) {
  bufferId = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, name), llvm::SMLoc());
  diag = std::make_unique<DiagEngine>(sourceMgr, bufferId, diagOS);
  diag->setWarningsAsErrors(warningsAsErrors);
}

bool Compiler::parse() {
  astModule = parseModule(*diag);
  if (!astModule)
    return false;
  std::vector<std::string> roots = searchPaths;
  if (const char *env = std::getenv("NEURO_PATH")) {
    llvm::SmallVector<llvm::StringRef, 4> dirs;
    llvm::StringRef(env).split(dirs, ':', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef d : dirs)
      roots.push_back(d.str());
  }
  return resolveImports(*astModule, *diag, roots);
}

bool Compiler::check() {
  if (runSema(*astModule, *diag, semaResult))
    return true;
  diagOS << diag->numErrors() << " error" << (diag->numErrors() == 1 ? "" : "s")
         << " generated.\n";
  return false;
}

bool Compiler::generate() {
  mlirModule = mlirGen(context, *astModule, semaResult, &sourceMgr);
  current = Stage::Neuro;
  return static_cast<bool>(mlirModule);
}

bool Compiler::lower(Stage until) {
  if (until <= current)
    return true;
  if (failed(lowerModule(*mlirModule, current, until)))
    return false;
  current = until;
  return true;
}

bool Compiler::compileNetwork(std::string network, rt::ModelSpec &spec) {
  std::vector<std::string> names = networkNames(*mlirModule);
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier();
  if (network.empty()) {
    if (names.size() != 1) {
      diagOS << file << ": error: "
             << (names.empty() ? std::string("no network to run")
                               : std::to_string(names.size()) +
                                     " networks; choose one with --network "
                                     "NAME")
             << "\n";
      return false;
    }
    network = names.front();
  } else if (std::find(names.begin(), names.end(), network) == names.end()) {
    diagOS << file << ": error: no network named '" << network << "'\n";
    return false;
  }
  if (!lower(Stage::Lowered) ||
      failed(extractModelSpec(*mlirModule, network, spec)) ||
      !lower(Stage::LLVMDialect))
    return false;
  auto compiled = JITModule::create(*mlirModule);
  if (!compiled) {
    diagOS << "neuroc: error: JIT compilation failed: "
           << llvm::toString(compiled.takeError()) << "\n";
    return false;
  }
  jit = std::move(*compiled);
  if (auto err = jit->bind(network, spec)) {
    diagOS << "neuroc: error: " << llvm::toString(std::move(err)) << "\n";
    return false;
  }
  return true;
}

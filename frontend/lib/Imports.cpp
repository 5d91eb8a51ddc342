//===- Imports.cpp - Resolving `import` declarations ----------------------===//

#include "neuro/Frontend/Imports.h"
#include "neuro/Frontend/Parser.h"
#include "neuro/Runtime/Files.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

using namespace neuro;

/// The model library's folder, as the driver set it.
static std::string &stdlibSetting() {
  static std::string dir = NEURO_STDLIB_DIR;
  return dir;
}

std::string neuro::stdlibDirectory() { return stdlibSetting(); }

void neuro::setStdlibDirectory(const std::string &dir) {
  stdlibSetting() = dir.empty() ? std::string(NEURO_STDLIB_DIR) : dir;
}

namespace {

/// `file` parsed in a source manager of its own with nothing reported;
/// null when it cannot be read or does not parse.
std::unique_ptr<Module> parseQuietly(const std::string &file) {
  std::string why;
  if (!rt::checkRegularFile(file, why))
    return nullptr;
  auto buffer = llvm::MemoryBuffer::getFile(file);
  if (!buffer)
    return nullptr;
  llvm::SourceMgr sm;
  unsigned id =
      sm.AddNewSourceBuffer(withLineFeeds(std::move(*buffer)), llvm::SMLoc());
  DiagEngine quiet(sm, id, llvm::nulls());
  return parseModule(quiet);
}

class Importer {
public:
  Importer(DiagEngine &diag, const std::vector<std::string> &roots)
      : diag(diag), roots(roots) {}

  bool run(Module &module) {
    bool ok = true;
    for (const ImportDecl &imp : module.imports)
      ok &= importOne(module, imp);
    return ok;
  }

private:
  bool importOne(Module &into, const ImportDecl &imp) {
    llvm::SmallVector<llvm::StringRef, 4> parts;
    llvm::StringRef(imp.path).split(parts, '.');
    if (parts.size() < 2) {
      diag.error(imp.range, "cannot import '" + imp.path +
                                "': name a model in a folder, as in "
                                "'std.neurons.LIF'");
      return false;
    }
    std::string model = parts.back().str();
    auto clash = [&](const std::string &name, SourceRange range) {
      if (name != model || range.begin.buffer != diag.getBufferId())
        return false;
      diag.error(imp.range, "cannot import '" + model +
                                "': this file declares a model of that name");
      diag.note(range, "declared here");
      return true;
    };
    for (const NeuronDecl &n : into.neurons)
      if (clash(n.name, n.range))
        return false;
    for (const SynapseDecl &syn : into.synapses)
      if (clash(syn.name, syn.range))
        return false;
    for (const FunctionDecl &f : into.functions)
      if (clash(f.name, f.range))
        return false;
    std::vector<std::string> candidates;
    llvm::SmallString<256> relative;
    size_t first = 0;
    if (parts[0] == "std") {
      first = 1;
      llvm::SmallString<256> dir(stdlibDirectory());
      for (size_t i = 1; i + 1 < parts.size(); ++i)
        llvm::sys::path::append(dir, parts[i]);
      candidates.push_back(std::string(dir));
    }
    if (first == 0) {
      std::vector<std::string> bases = roots;
      // The folder of the file the import is in (the REPL's parts come
      // from several).
      unsigned buffer =
          imp.range.begin.buffer ? imp.range.begin.buffer : diag.getBufferId();
      llvm::SmallString<256> here(
          diag.getSourceMgr().getMemoryBuffer(buffer)->getBufferIdentifier());
      llvm::sys::path::remove_filename(here);
      bases.push_back(here.empty() ? "." : std::string(here));
      for (const std::string &base : bases) {
        llvm::SmallString<256> dir(base);
        for (size_t i = 0; i + 1 < parts.size(); ++i)
          llvm::sys::path::append(dir, parts[i]);
        candidates.push_back(std::string(dir));
      }
    }
    std::string folder = imp.path.substr(0, imp.path.rfind('.'));
    for (const std::string &dir : candidates) {
      if (!llvm::sys::fs::is_directory(dir))
        continue;
      std::vector<std::string> files;
      std::error_code ec;
      for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
           it.increment(ec))
        if (llvm::sys::path::extension(it->path()) == ".neuro")
          files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (size_t f = 0; f < files.size(); ++f) {
        Module *loaded = load(files[f], imp);
        if (!loaded)
          return false;
        if (!take(into, *loaded, model))
          continue;
        // Another file of the folder with the same name would make the
        // choice depend on file names.
        for (size_t g = f + 1; g < files.size(); ++g)
          if (declaresQuietly(files[g], model)) {
            diag.error(imp.range,
                       "model '" + model + "' is declared in two files of '" +
                           folder + "': '" +
                           llvm::sys::path::filename(files[f]) + "' and '" +
                           llvm::sys::path::filename(files[g]) +
                           "'; rename one of them");
            return false;
          }
        return true;
      }
      diag.error(imp.range,
                 "no model '" + model + "' in '" + folder + "' (" + dir + ")");
      return false;
    }
    std::string looked;
    for (const std::string &dir : candidates)
      looked += (looked.empty() ? "" : ", ") + dir;
    diag.error(imp.range, "cannot find '" + folder + "' for 'import " +
                              imp.path + "' (looked in " + looked + ")");
    return false;
  }

  /// Parses `file` once; null after reporting its errors.
  Module *load(const std::string &file, const ImportDecl &imp) {
    auto it = modules.find(file);
    if (it != modules.end())
      return it->second.get();
    // A FIFO would block the read, a device never end.
    std::string why;
    if (llvm::sys::fs::exists(file) && !rt::checkRegularFile(file, why)) {
      diag.error(imp.range, "'import " + imp.path + "': " + why);
      return nullptr;
    }
    auto buffer = llvm::MemoryBuffer::getFile(file);
    if (!buffer) {
      diag.error(imp.range,
                 "cannot read '" + file + "': " + buffer.getError().message());
      return nullptr;
    }
    llvm::SourceMgr &sm = diag.getSourceMgr();
    unsigned id =
        sm.AddNewSourceBuffer(withLineFeeds(std::move(*buffer)), llvm::SMLoc());
    auto fileDiag = std::make_unique<DiagEngine>(sm, id, diag.stream());
    std::unique_ptr<Module> parsed = parseModule(*fileDiag);
    if (!parsed) {
      diag.error(imp.range,
                 "'import " + imp.path + "': '" + file + "' has errors");
      return nullptr;
    }
    Module *result = parsed.get();
    buffers[result->filename] = id;
    modules[file] = std::move(parsed);
    diagnostics.push_back(std::move(fileDiag));
    // Only models are imported, and a model never names another model, so
    // the imported file's own imports (for its networks) are not needed.
    return result;
  }

  /// Whether `file` declares a model `name`, from a parse that reports
  /// nothing: a file that does not parse declares nothing here (its errors
  /// matter only when a model is taken from it).
  bool declaresQuietly(const std::string &file, const std::string &name) {
    auto it = quietNames.find(file);
    if (it == quietNames.end()) {
      std::set<std::string> names;
      if (std::unique_ptr<Module> parsed = parseQuietly(file)) {
        for (const NeuronDecl &n : parsed->neurons)
          names.insert(n.name);
        for (const SynapseDecl &syn : parsed->synapses)
          names.insert(syn.name);
        for (const FunctionDecl &fn : parsed->functions)
          names.insert(fn.name);
      }
      it = quietNames.emplace(file, std::move(names)).first;
    }
    return it->second.count(name) != 0;
  }

  /// Moves model `name` from `from` into `into` (once: a second import of
  /// the same model finds it taken and is satisfied). A model calls the
  /// functions of its own file, whatever the importing file declares: the
  /// first model or function taken from a file brings all the file's
  /// functions, seen by that file's calls only until one is imported.
  bool take(Module &into, Module &from, const std::string &name) {
    std::string key = from.filename + "\n" + name;
    if (taken.count(key))
      return true;
    auto moveNamed = [&](auto &source, auto &target) {
      for (auto &decl : source)
        if (decl.name == name) {
          taken.insert(key);
          target.push_back(std::move(decl));
          return true;
        }
      return false;
    };
    if (moveNamed(from.neurons, into.neurons) ||
        moveNamed(from.synapses, into.synapses)) {
      bringFunctions(into, from);
      return true;
    }
    // A function: brought with the file's others (once), then seen by all.
    unsigned buffer = buffers[from.filename];
    bool here =
        std::any_of(from.functions.begin(), from.functions.end(),
                    [&](const FunctionDecl &f) { return f.name == name; });
    if (!here && std::none_of(into.functions.begin(), into.functions.end(),
                              [&](const FunctionDecl &f) {
                                return f.privateTo == buffer && f.name == name;
                              }))
      return false; // not in this file: nothing of it is brought
    bringFunctions(into, from);
    for (FunctionDecl &f : into.functions)
      if (f.privateTo == buffer && f.name == name) {
        taken.insert(key);
        f.privateTo = 0;
        return true;
      }
    return false;
  }

  /// The functions of `from`, private to its buffer, once.
  void bringFunctions(Module &into, Module &from) {
    unsigned buffer = buffers[from.filename];
    if (std::find(into.libraryBuffers.begin(), into.libraryBuffers.end(),
                  buffer) != into.libraryBuffers.end())
      return;
    into.libraryBuffers.push_back(buffer);
    for (FunctionDecl &f : from.functions) {
      f.privateTo = buffer;
      into.functions.push_back(std::move(f));
    }
    from.functions.clear();
  }

  DiagEngine &diag;
  const std::vector<std::string> &roots;
  std::map<std::string, std::unique_ptr<Module>> modules;
  std::vector<std::unique_ptr<DiagEngine>> diagnostics;
  llvm::StringSet<> taken;
  /// The source buffer of each file loaded, by its module's file name.
  std::map<std::string, unsigned> buffers;
  std::map<std::string, std::set<std::string>> quietNames;
};

} // namespace

bool neuro::resolveImports(Module &module, DiagEngine &diag,
                           const std::vector<std::string> &searchRoots) {
  return Importer(diag, searchRoots).run(module);
}

namespace {

/// The models of the library: (name, kind) -> import path, the first of
/// each in folder and file name order. Files that do not parse are
/// skipped (their imports report them).
using LibraryIndex = std::map<std::pair<std::string, ModelKind>, std::string>;

LibraryIndex indexLibrary() {
  LibraryIndex index;
  std::string root = stdlibDirectory();
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(root, ec), end;
       it != end && !ec; it.increment(ec)) {
    if (it.level() > 8) {
      it.no_push();
      continue;
    }
    if (llvm::sys::path::extension(it->path()) == ".neuro")
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const std::string &file : files) {
    // `std.a.b.Model` for a model in ROOT/a/b/*.neuro.
    llvm::SmallString<256> folder(file);
    llvm::sys::path::remove_filename(folder);
    std::string path = "std";
    llvm::StringRef relative(folder);
    if (!relative.consume_front(root))
      continue;
    for (auto part = llvm::sys::path::begin(relative),
              last = llvm::sys::path::end(relative);
         part != last; ++part)
      if (*part != "/" && *part != "." && !part->empty())
        path += "." + part->str();
    std::unique_ptr<Module> parsed = parseQuietly(file);
    if (!parsed)
      continue;
    for (const NeuronDecl &n : parsed->neurons)
      index.insert({{n.name, ModelKind::Neuron}, path + "." + n.name});
    for (const SynapseDecl &s : parsed->synapses)
      index.insert({{s.name, s.isRule ? ModelKind::Rule : ModelKind::Synapse},
                    path + "." + s.name});
  }
  return index;
}

} // namespace

std::string neuro::libraryImportHint(const std::string &name, ModelKind kind) {
  // Read once per library folder ($NEURO_STDLIB may change between calls
  // only in tests).
  static std::map<std::string, LibraryIndex> indexes;
  std::string root = stdlibDirectory();
  auto it = indexes.find(root);
  if (it == indexes.end())
    it = indexes.emplace(root, indexLibrary()).first;
  auto found = it->second.find({name, kind});
  if (found == it->second.end())
    return "";
  return "; import it with 'import " + found->second + "'";
}

//===- CompileOptions.cpp - The environment, read once --------------------===//
//
// The only place the compiler's libraries learn about environment
// variables: NEURO_PATH, NEURO_STDLIB, NEURO_CACHE_DIR (XDG_CACHE_HOME,
// HOME), NEURO_LIBDEVICE (CUDA_HOME, CUDA_PATH) and NEURO_CXX.
//
//===----------------------------------------------------------------------===//

#include "neuro/Codegen/CompileOptions.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdlib>

using namespace neuro;

/// $NEURO_CACHE_DIR, else $XDG_CACHE_HOME/neuro, else ~/.cache/neuro;
/// empty when none can be named.
static std::string defaultCacheDir() {
  if (const char *d = std::getenv("NEURO_CACHE_DIR"))
    return d;
  llvm::SmallString<256> path;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    path = xdg;
  else if (const char *home = std::getenv("HOME"); home && *home)
    llvm::sys::path::append(path, home, ".cache");
  else
    return "";
  llvm::sys::path::append(path, "neuro");
  return std::string(path);
}

/// libdevice.10.bc: $NEURO_LIBDEVICE when set (empty if it names no file),
/// else from $CUDA_HOME or $CUDA_PATH, /usr/local/cuda, /usr/local/cuda-*
/// (newest first), /usr/lib/cuda, Debian's nvidia-cuda-toolkit; empty when
/// none is found.
static std::string findLibdevice() {
  auto exists = [](const std::string &p) {
    return !p.empty() && llvm::sys::fs::is_regular_file(p);
  };
  // An explicit setting wins, also when it names no file (no libdevice).
  if (const char *env = std::getenv("NEURO_LIBDEVICE"))
    return exists(env) ? std::string(env) : std::string();
  std::vector<std::string> roots;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *env = std::getenv(var))
      roots.push_back(env);
  roots.push_back("/usr/local/cuda");
  // Versioned installs, newest first.
  std::vector<std::string> versioned;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it("/usr/local", ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("cuda-"))
      versioned.push_back(it->path());
  std::sort(versioned.rbegin(), versioned.rend());
  roots.insert(roots.end(), versioned.begin(), versioned.end());
  roots.push_back("/usr/lib/cuda");
  for (const std::string &root : roots)
    if (std::string p = root + "/nvvm/libdevice/libdevice.10.bc"; exists(p))
      return p;
  std::string debian = "/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc";
  return exists(debian) ? debian : std::string();
}

std::optional<Precision> neuro::parsePrecision(const std::string &name) {
  if (name == "double")
    return Precision::Double;
  if (name == "mixed")
    return Precision::Mixed;
  if (name == "single")
    return Precision::Single;
  return std::nullopt;
}

CompileOptions CompileOptions::fromEnvironment(bool cache) {
  CompileOptions options;
  if (const char *env = std::getenv("NEURO_PATH")) {
    llvm::SmallVector<llvm::StringRef, 4> dirs;
    llvm::StringRef(env).split(dirs, ':', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef d : dirs)
      options.searchPaths.push_back(d.str());
  }
  const char *stdlib = std::getenv("NEURO_STDLIB");
  options.stdlibDir = stdlib ? stdlib : NEURO_STDLIB_DIR;
  if (cache)
    options.cacheDir = defaultCacheDir();
  options.gpu.libdevice = findLibdevice();
  if (const char *merge = std::getenv("NEURO_GPU_MERGE"))
    options.gpu.merge = std::string(merge) != "0";
  const char *cxx = std::getenv("NEURO_CXX");
  options.cxx = cxx && *cxx ? cxx : NEURO_CXX_COMPILER;
  return options;
}

//===- ObjectCache.cpp - Compiled kernels kept on disk --------------------===//

#include "neuro/Codegen/ObjectCache.h"
#include "neuro/Codegen/JIT.h"
#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Files.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace neuro;

/// What identifies the compiler that made an object: a rebuilt neuroc has
/// another size or time, so its objects are not mixed with older ones.
static std::string compilerId() {
  std::string id = "neuroc 0.1.0 abi " + std::to_string(NEURO_ABI_VERSION) +
                   " llvm " LLVM_VERSION_STRING;
  std::string exe = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&compilerId));
  llvm::sys::fs::file_status status;
  if (!exe.empty() && !llvm::sys::fs::status(exe, status))
    id += " " + std::to_string(status.getSize()) + " " +
          std::to_string(
              status.getLastModificationTime().time_since_epoch().count());
  return id;
}

std::string ObjectCache::key(mlir::ModuleOp module, unsigned vectorWidth) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << compilerId() << "\n"
     << hostTargetId() << "\nwidth " << vectorWidth << "\n";
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(false);
  // Each function printed on its own (a scope of the whole module per
  // function would make the key quadratic in the number of kernels); the
  // module was verified by the pipeline.
  flags.useLocalScope();
  flags.assumeVerified();
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    fn->print(os, flags);
    os << "\n";
  }
  llvm::XXH128_hash_t hash = llvm::xxh3_128bits(llvm::ArrayRef(
      reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx",
                static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return buf;
}

namespace {

/// Every entry ends with this mark and a 128-bit hash of its key and
/// object: an entry that was damaged, cut short, written by another
/// version or copied under another key is compiled again.
constexpr llvm::StringLiteral kMark("NEUROSUM");
constexpr size_t kTrailerBytes = 8 + 16;

std::string trailer(const std::string &key, llvm::StringRef object) {
  std::string bytes = key;
  bytes += object;
  llvm::XXH128_hash_t hash = llvm::xxh3_128bits(llvm::ArrayRef(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
  std::string out(kMark);
  for (uint64_t word : {hash.low64, hash.high64})
    for (int b = 0; b < 8; ++b)
      out += char((word >> (8 * b)) & 0xff);
  return out;
}

} // namespace

std::string ObjectCache::path(const std::string &key) const {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, key + ".o");
  return std::string(p);
}

std::unique_ptr<llvm::MemoryBuffer>
ObjectCache::lookup(const std::string &key) const {
  if (!enabled())
    return nullptr;
  // An entry that is not a regular file (a FIFO would block the read, a
  // device such as /dev/zero never end) is a miss.
  std::string why;
  if (!rt::checkRegularFile(path(key), why))
    return nullptr;
  auto buffer = llvm::MemoryBuffer::getFile(path(key), /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer || (*buffer)->getBufferSize() <= kTrailerBytes)
    return nullptr;
  llvm::StringRef bytes = (*buffer)->getBuffer();
  llvm::StringRef object = bytes.drop_back(kTrailerBytes);
  if (bytes.take_back(kTrailerBytes) != trailer(key, object))
    return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(object, path(key));
}

std::string ObjectCache::store(const std::string &key,
                               llvm::MemoryBufferRef object) const {
  if (!enabled())
    return "";
  auto failed = [&](const std::string &what, std::error_code ec) {
    return what + " '" + dir + "': " + ec.message();
  };
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return failed("cannot create the folder", ec);
  if (!llvm::sys::fs::is_directory(dir))
    return "'" + dir + "' is not a folder";
  llvm::SmallString<256> temp;
  int fd = -1;
  llvm::SmallString<256> model(dir);
  llvm::sys::path::append(model, key + "-%%%%%%.tmp");
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, temp))
    return failed("cannot write in", ec);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object.getBuffer() << trailer(key, object.getBuffer());
    os.close();
    if (os.has_error()) {
      std::error_code ec = os.error();
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return failed("cannot write in", ec);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path(key))) {
    llvm::sys::fs::remove(temp);
    return failed("cannot write in", ec);
  }
  return "";
}

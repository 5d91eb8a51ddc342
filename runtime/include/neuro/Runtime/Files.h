//===- Files.h - Reading the files a model names ----------------*- C++ -*-===//
//
// Data files, checkpoints and sources are read whole, and only when they are
// regular files: a FIFO would block the open forever and a device such as
// /dev/zero never ends. The type is checked with stat() before the file is
// opened.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_FILES_H
#define NEURO_RUNTIME_FILES_H

#include <cstdint>
#include <string>

namespace neuro::rt {

/// Whether `path` is a regular file (or a link to one); sets `size` to its
/// size. Otherwise false and `err`: "cannot open 'PATH': No such file or
/// directory", or "'PATH' is a directory (FIFO, device, ...), not a regular
/// file".
bool checkRegularFile(const std::string &path, std::string &err,
                      uint64_t *size = nullptr);

/// Whether a file written to `path` may replace what is there: nothing, or
/// a regular file (or a link to one), in a folder that takes new files.
/// Otherwise false and `err`: "'PATH' is a directory (FIFO, device, ...),
/// not a regular file", "cannot write 'PATH': 'FOLDER' is not a folder"
/// or "cannot create 'PATH': REASON".
bool checkReplaceable(const std::string &path, std::string &err);

/// The bytes of the regular file `path`; false and `err` (naming the path)
/// when it is not one or cannot be read.
bool readWholeFile(const std::string &path, std::string &bytes,
                   std::string &err);

/// Writes `bytes` to `path` (replacing it); false and `err` ("cannot write
/// 'PATH': No space left on device") when it cannot, a partial regular
/// file removed so that nothing half written is left to be read.
bool writeWholeFile(const std::string &path, const std::string &bytes,
                    std::string &err);

/// Creates output directory `dir` (empty: ".") with its parents if needed;
/// false and `err` ("cannot create directory 'DIR': why") when it cannot
/// be made or is not a directory.
bool makeOutputDirectory(const std::string &dir, std::string &err);

/// The bytes of the regular files in folder `dir` and its subfolders ("":
/// the current folder), as far as they can be listed.
uint64_t bytesUnder(const std::string &dir);

/// The deepest nesting of arrays and objects allowed in a JSON file (the
/// parser recurses once per level).
constexpr int kMaxJsonDepth = 512;
/// Whether JSON text nests arrays and objects deeper than kMaxJsonDepth.
bool jsonTooDeep(const std::string &text);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_FILES_H

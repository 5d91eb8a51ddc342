//===- ModelIO.h - ModelSpec to bytes and back ------------------*- C++ -*-===//
//
// The one serialized form of a network's run-time description: built
// programs embed it (neuroc build), and anything that hands a compiled
// network across a process boundary uses it. Kernel pointers are not part
// of it: bind them with bindKernels (Kernels.h) after reading.
//
// Layout: "NEUROMDL", the format version (u32), then every field of
// ModelSpec in declaration order, little-endian: integers and doubles as
// their 8 (4, 1) bytes, strings and vectors as a u64 count and their
// elements, optional tables as a presence byte first.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_MODELIO_H
#define NEURO_RUNTIME_MODELIO_H

#include "neuro/Runtime/Model.h"

#include <cstddef>
#include <string>

namespace neuro::rt {

/// Bump on any change of ModelSpec's fields or of their order.
constexpr uint32_t kModelFormatVersion = 14;

/// The bytes of `spec` (kernel pointers left out).
std::string serializeModel(const ModelSpec &spec);

/// Reads bytes written by serializeModel into `spec` (kernel pointers
/// null). False with `err` for another format version or damaged bytes;
/// every count is bounded by the bytes left before anything is allocated.
bool deserializeModel(const char *data, size_t size, ModelSpec &spec,
                      std::string &err);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_MODELIO_H

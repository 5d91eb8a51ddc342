//===- AOT.h - Executables that run a compiled model without LLVM -*- C++
//-*-===//
//
// `neuroc build` links the kernels' object code with the runtime and a
// generated C++ file that rebuilds the model's ModelSpec (populations,
// projections, initial values, recordings) and points it at the kernels.
// The executable (runtime/aot/Main.cpp) takes the run flags of `neuroc run`
// and needs neither LLVM nor MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_AOT_H
#define NEURO_CODEGEN_AOT_H

#include "neuro/Codegen/GPU.h"
#include "neuro/Runtime/Model.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <string>

namespace neuro {

/// The C++ source of `const neuro::rt::ModelSpec &neuroAotModel()` for
/// `spec` (network `network`), whose kernel pointers are the symbols of
/// the kernels `defined` says the object holds.
std::string emitModelSource(const rt::ModelSpec &spec,
                            const std::string &network,
                            llvm::function_ref<bool(llvm::StringRef)> defined);

/// The C header of a shared library built from `spec`: the C API of
/// runtime/aot/CApi.cpp, with the model's variables listed.
std::string emitCHeader(const rt::ModelSpec &spec);

/// C++ source defining `neuro_aot_inputs(int *count)`: the files the model
/// read when it was built (absolute paths), which the program's recordings
/// must not replace. Every built program links one.
std::string emitInputsSource(const std::vector<std::string> &inputs);

/// C++ source defining `neuro_aot_ptx(int *count)`, the PTX images a built
/// program runs on a GPU (chip and PTX, alternating; none without
/// --target=cuda). Every built program links one.
std::string emitPtxSource(const std::vector<GPUImage> &images);

/// Compiles `source` and links it with `object`, the runtime and the
/// executable's main into `output` (or, when `shared`, with the C API into
/// a shared library). Uses `compiler` (CompileOptions::cxx), else the C++
/// compiler Neuro was built with.
llvm::Error linkExecutable(llvm::MemoryBufferRef object,
                           const std::string &source, const std::string &output,
                           bool shared = false,
                           const std::string &compiler = "");

} // namespace neuro

#endif // NEURO_CODEGEN_AOT_H

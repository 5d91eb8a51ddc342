//===- ModelPrint.h - ModelSpec as readable text ----------------*- C++ -*-===//
//
// A stable text form of a network's run-time description, one line per
// population, row, projection, synapse row, recording and switch, for tests
// (neuro-opt --neuro-print-model-spec) and for tools that show what a
// compiled network holds. Doubles are printed in their shortest form that
// reads back to the same value. Kernel pointers are not printed.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_MODELPRINT_H
#define NEURO_RUNTIME_MODELPRINT_H

#include "neuro/Runtime/Model.h"

#include <string>

namespace neuro::rt {

/// `spec` as text, ending in a newline.
std::string describeModel(const ModelSpec &spec);

/// `init` as text: `constant(a)`, `uniform(a, b)`, `normal(a, b)` or
/// `timed(every E, T x C)`.
std::string describeInit(const InitSpec &init);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_MODELPRINT_H

//===- Units.h - Physical dimensions and unit names -------------*- C++ -*-===//
//
// The language's units are the runtime's one table (neuro/Runtime/Units.h),
// so that values given at run time read the same names.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_UNITS_H
#define NEURO_FRONTEND_UNITS_H

#include "neuro/Runtime/Units.h"

namespace neuro {
using rt::Dim;
using rt::knownUnitsHint;
using rt::lookupUnit;
using rt::Unit;
using rt::unitSpelledLike;
} // namespace neuro

#endif // NEURO_FRONTEND_UNITS_H

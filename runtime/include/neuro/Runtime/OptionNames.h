//===- OptionNames.h - How messages name the options ------------*- C++ -*-===//

#ifndef NEURO_RUNTIME_OPTIONNAMES_H
#define NEURO_RUNTIME_OPTIONNAMES_H

#include <string>

namespace neuro {

/// How messages name the options that give tunable parameters and
/// compile-time values: the command line's flags, or the Python API's
/// arguments (`tunable`, `overrides`).
struct OptionNames {
  std::string set = "--set";
  std::string tunable = "--tunable";
};

} // namespace neuro

#endif // NEURO_RUNTIME_OPTIONNAMES_H

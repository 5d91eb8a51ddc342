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
  /// How a value is compiled in, NAME standing for the variable.
  std::string setValue = "--set NAME=VALUE";
  /// How the kernel cache is turned off.
  std::string noCache = "--no-cache";
  /// `text` (setValue) with NAME replaced by `name`.
  static std::string with(std::string text, const std::string &name) {
    if (auto at = text.find("NAME"); at != std::string::npos)
      text.replace(at, 4, name);
    return text;
  }
};

} // namespace neuro

#endif // NEURO_RUNTIME_OPTIONNAMES_H

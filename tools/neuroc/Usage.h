//===- Usage.h - neuroc's usage text and usage errors ------------*- C++
//-*-===//

#ifndef NEURO_TOOLS_USAGE_H
#define NEURO_TOOLS_USAGE_H

#include <string>

namespace neuro {

/// Every command and flag of neuroc, as `neuroc --help` prints them.
extern const char *const kUsage;

/// Prints `message` and the usage text (on the first process only, under
/// mpirun) and gives the exit status of a usage error, 2 (0 elsewhere).
int usageError(const std::string &message);

/// Why `command` is not one of neuroc's commands, or empty when it is.
std::string unknownCommand(const std::string &command);

} // namespace neuro

#endif // NEURO_TOOLS_USAGE_H

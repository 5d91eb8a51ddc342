//===- Usage.h - neuroc's usage text and usage errors ------------*- C++
//-*-===//

#ifndef NEURO_TOOLS_USAGE_H
#define NEURO_TOOLS_USAGE_H

#include <string>

namespace neuro {

/// Every command and flag of neuroc, as `neuroc --help` prints them.
extern const char *const kUsage;

/// Prints `message` and the usage text and gives the exit status of a
/// usage error, 2. Under mpirun, for `run` (usageJoinsProcesses), the
/// process fails together with the others, rank 0 saying why.
int usageError(const std::string &message);
/// With --diagnostics-format=json anywhere on the command line, usage
/// errors are JSON lines too (the flag may come after the one at fault).
void usageErrorsAsJson(bool json);

/// Whether a usage error joins the processes of an MPI launch: `run`
/// only, the command whose processes wait for each other.
void usageJoinsProcesses(bool joins);

/// Why `command` is not one of neuroc's commands, or empty when it is.
std::string unknownCommand(const std::string &command);

/// Why `command` does not take the option `arg` (`--seed`, `--seed=4`,
/// `-Ifolder`), which another command takes; empty when it does, or when
/// no command knows it (an unknown option, said as such).
std::string optionNotTaken(const std::string &command, const std::string &arg);

} // namespace neuro

#endif // NEURO_TOOLS_USAGE_H

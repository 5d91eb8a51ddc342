//===- Repl.h - neuroc repl: build, run and inspect interactively -*- C++
//-*-===//

#ifndef NEURO_TOOLS_REPL_H
#define NEURO_TOOLS_REPL_H

#include "neuro/Codegen/CompileOptions.h"

#include <string>
#include <vector>

namespace neuro {

/// Runs the interactive session on standard input (with line editing,
/// history and completion when it is a terminal); `file`, if not empty, is
/// loaded first; `precision` is --precision's.
/// Returns the exit status.
int runRepl(const std::string &file, const std::vector<std::string> &includes,
            Precision precision = Precision::Double);

} // namespace neuro

#endif // NEURO_TOOLS_REPL_H

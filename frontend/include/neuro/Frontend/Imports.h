//===- Imports.h - Resolving `import` declarations --------------*- C++ -*-===//
//
// `import std.neurons.LIF` names the model LIF in one of the .neuro files of
// the folder neurons/ of the model library; `import a.b.Model` names Model
// in folder a/b/ under a search root (-I, NEURO_PATH, the importing file's
// folder). Imported models join the module with their own source
// locations. A model never names another model, so the imports of an
// imported file (which serve its networks) are not followed.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_IMPORTS_H
#define NEURO_FRONTEND_IMPORTS_H

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"

#include <string>
#include <vector>

namespace neuro {

/// The folder of the model library: the one set last, else the one this
/// build was configured with (the driver sets $NEURO_STDLIB's through
/// CompileOptions).
std::string stdlibDirectory();
/// Sets the model library's folder (empty: the configured one).
void setStdlibDirectory(const std::string &dir);

/// Adds the models `module`'s imports name. Errors go through `diag` (and
/// through diagnostics of the imported files); false if there were any.
bool resolveImports(Module &module, DiagEngine &diag,
                    const std::vector<std::string> &searchRoots);

/// The kinds of model a name may be unknown as.
enum class ModelKind { Neuron, Synapse, Rule };

/// For an unknown model `name`: "; import it with 'import
/// std.neurons.PoissonSource'" when the model library declares a model of
/// that name and kind (the first in folder and file name order), else "".
std::string libraryImportHint(const std::string &name, ModelKind kind);

} // namespace neuro

#endif // NEURO_FRONTEND_IMPORTS_H

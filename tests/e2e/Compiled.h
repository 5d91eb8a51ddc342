//===- Compiled.h - Compile a .neuro source and build its network ---------===//
//
// The harness of the end-to-end tests: the whole pipeline (parse, check,
// neuro dialect, passes, JIT) on a source string, then the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TESTS_E2E_COMPILED_H
#define NEURO_TESTS_E2E_COMPILED_H

#include "neuro/Codegen/Compiler.h"
#include "neuro/Runtime/Simulator.h"

#include "gtest/gtest.h"

#include <fstream>
#include <memory>
#include <sstream>

namespace neuro::test {

/// Compiles `source` and builds its only network; `ok` says whether both
/// worked, `text` holds the diagnostics.
struct Compiled {
  explicit Compiled(const std::string &source,
                    const std::string &name = "test.neuro",
                    Precision precision = Precision::Double)
      : compiler(diagnostics) {
    compiler.setPrecision(precision);
    compiler.loadString(name, source);
    ok = compiler.parse() && compiler.check() && compiler.generate() &&
         compiler.compileNetwork("", spec);
    if (!ok)
      return;
    sim = std::make_unique<rt::Simulator>(spec);
    std::string err;
    ok = sim->build(err);
    if (!ok)
      diagnostics << err;
  }

  /// State `row` of neuron `i` of population `pop`.
  double state(const std::string &pop, const std::string &row, int i) {
    int p = sim->populationIndex(pop);
    return sim->state(p)(sim->rowIndex(p, row), i);
  }

  /// Advances one step.
  void step() {
    std::string err;
    ASSERT_TRUE(sim->run(1, err)) << err;
  }

  /// Runs to the end of the network's `run`.
  void runAll() {
    std::string err;
    ASSERT_TRUE(sim->run(err)) << err;
  }

  std::string text;
  llvm::raw_string_ostream diagnostics{text};
  Compiler compiler;
  rt::ModelSpec spec;
  std::unique_ptr<rt::Simulator> sim;
  bool ok = false;
};

/// The text of a file of the model library, `stdlib/<relative>`.
inline std::string readStdlib(const std::string &relative) {
  std::ifstream in(std::string(NEURO_SOURCE_DIR) + "/stdlib/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << relative;
  return ss.str();
}

} // namespace neuro::test

#endif // NEURO_TESTS_E2E_COMPILED_H

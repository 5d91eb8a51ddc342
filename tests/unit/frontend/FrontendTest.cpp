//===- FrontendTest.cpp - The parser, vectors and Sema on source strings --===//

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"
#include "neuro/Frontend/Parser.h"
#include "neuro/Frontend/Sema.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace neuro;

namespace {

/// One source buffer with its diagnostics collected in `text`.
struct Source {
  explicit Source(const std::string &code) {
    id = sources.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(code, "t.neuro"), llvm::SMLoc());
    diag = std::make_unique<DiagEngine>(sources, id, os);
  }
  llvm::SourceMgr sources;
  unsigned id = 0;
  std::string text;
  llvm::raw_string_ostream os{text};
  std::unique_ptr<DiagEngine> diag;
};

const char *kModel = R"(neuron LIF {
  param tau: ms = 20 ms
  state v: mV = 0 mV
  state m[3]: 1 = 0
  dv/dt = -v / tau
  spike when v > 10 mV { v = 0 mV }
}
network Net {
  dt = 0.1 ms
  param g = 5
  param tau0: ms = 4 ms * g
  P = 8 of LIF(tau = tau0)
  run 10 ms
}
)";

TEST(Parser, BuildsTheTreeWithSourceRanges) {
  Source src(kModel);
  auto module = parseModule(*src.diag);
  ASSERT_TRUE(module) << src.text;
  ASSERT_EQ(module->neurons.size(), 1u);
  const NeuronDecl &lif = module->neurons[0];
  EXPECT_EQ(lif.name, "LIF");
  EXPECT_EQ(lif.range.begin.line, 1u);
  EXPECT_EQ(lif.range.begin.col, 1u);
  ASSERT_EQ(lif.vars.size(), 3u);
  EXPECT_EQ(lif.vars[1].kind, VarDecl::Kind::State);
  EXPECT_EQ(lif.odes.size(), 1u);
  EXPECT_TRUE(lif.spike.has_value());
  ASSERT_EQ(module->networks.size(), 1u);
}

TEST(Parser, ReportsTheFirstSyntaxErrorWithItsPosition) {
  Source src("neuron N {\n  state v: mV = 0 mV +\n}\n");
  EXPECT_FALSE(parseModule(*src.diag) && src.diag->numErrors() == 0);
  EXPECT_NE(src.text.find("t.neuro:3:1: error: syntax error: unexpected '}'"),
            std::string::npos)
      << src.text;
}

TEST(Vectors, ExpandAVectorStateIntoOneScalarPerElement) {
  Source src(kModel);
  auto module = parseModule(*src.diag);
  ASSERT_TRUE(module);
  ASSERT_TRUE(expandVectors(*module, *src.diag)) << src.text;
  std::vector<std::string> names;
  for (const VarDecl &v : module->neurons[0].vars)
    names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"tau", "v", "m_0", "m_1", "m_2"}));
}

TEST(Sema, EvaluatesNetworkConstantsAndArguments) {
  Source src(kModel);
  auto module = parseModule(*src.diag);
  ASSERT_TRUE(module && expandVectors(*module, *src.diag));
  SemaResult result;
  ASSERT_TRUE(runSema(*module, *src.diag, result)) << src.text;
  const NetworkInfo &net = result.networks.at(0);
  EXPECT_DOUBLE_EQ(net.constants.at("g"), 5.0);
  EXPECT_DOUBLE_EQ(net.constants.at("tau0"), 0.02);
  const PopulationInfo &pop = net.populations.at(0);
  EXPECT_EQ(pop.size, 8);
  EXPECT_DOUBLE_EQ(pop.params.at("tau"), 0.02);
}

TEST(Sema, OverridesAreCheckedAgainstTheirDimension) {
  Source src(kModel);
  auto module = parseModule(*src.diag);
  ASSERT_TRUE(module && expandVectors(*module, *src.diag));
  SemaResult result;
  EXPECT_TRUE(runSema(*module, *src.diag, result, {}, {{"tau0", "30 ms"}}));
  EXPECT_DOUBLE_EQ(result.networks.at(0).populations.at(0).params.at("tau"),
                   0.03);
  EXPECT_EQ(result.usedOverrides.count("tau0"), 1u);
  SemaResult wrong;
  Source again(kModel);
  auto other = parseModule(*again.diag);
  ASSERT_TRUE(other && expandVectors(*other, *again.diag));
  EXPECT_FALSE(runSema(*other, *again.diag, wrong, {}, {{"tau0", "30 mV"}}));
  EXPECT_NE(again.text.find("error:"), std::string::npos);
  EXPECT_NE(again.text.find("tau0"), std::string::npos) << again.text;
}

TEST(Sema, NamesAnUndeclaredVariableAtItsUse) {
  Source src("neuron N {\n  state v: mV = 0 mV\n  dv/dt = -v / tau\n}\n");
  auto module = parseModule(*src.diag);
  ASSERT_TRUE(module && expandVectors(*module, *src.diag));
  SemaResult result;
  EXPECT_FALSE(runSema(*module, *src.diag, result));
  EXPECT_NE(
      src.text.find("t.neuro:3:16: error: use of undeclared name 'tau' in 'N'"),
      std::string::npos)
      << src.text;
}

} // namespace

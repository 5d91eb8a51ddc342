//===- ModelIOTest.cpp - ModelSpec to bytes and back ----------------------===//

#include "neuro/Runtime/ModelIO.h"
#include "neuro/Runtime/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace neuro::rt;

namespace {

/// A spec with a value in every field (some at their limits).
ModelSpec sampleSpec() {
  ModelSpec m;
  m.name = "Net \xc2\xb5";
  m.dt = 1e-4;
  m.steps = 12345;
  m.duration = 1.23449;
  m.seed = ~uint64_t(0) - 7;
  m.singlePrecision = true;
  PopulationSpec e;
  e.name = "E";
  e.size = 3200;
  e.rows = {"v", "tau_m", "_lastspike"};
  e.init = {InitSpec::uniform(-0.06, -0.05), InitSpec::constant(0.02),
            InitSpec::normal(-1e15, 0.0)};
  InitSpec timed;
  timed.kind = InitSpec::Timed;
  timed.every = 10;
  timed.columns = 2;
  timed.values =
      std::make_shared<const std::vector<double>>(std::vector<double>{
          1.5, -2.5, std::numeric_limits<double>::infinity(), std::nan("")});
  e.init.push_back(timed);
  e.rows.push_back("I_ext");
  e.units = {"V", "s", "", "A"};
  e.derived = {"V_peak"};
  e.ablated = {3, 17};
  PopulationSpec in;
  in.name = "In";
  in.size = 4;
  in.generator = true;
  in.schedule = {{0, 1}, {5, 3}, {int64_t(1) << 40, 0}};
  PopulationSpec drive;
  drive.name = "Ext";
  drive.size = 1;
  drive.generator = true;
  drive.poissonRate = 8.5;
  drive.driveInputs = 1000;
  m.populations = {e, in, drive};
  ProjectionSpec p;
  p.name = "E_to_E";
  p.src = 0;
  p.dst = 0;
  p.rule = ProjectionSpec::FixedInDegree;
  p.degree = 100;
  p.srcBegin = 10;
  p.srcEnd = 3000;
  p.dstBegin = 0;
  p.dstEnd = -1;
  p.p = 0.02;
  p.delaySteps = 15;
  p.heterogeneousDelay = true;
  p.delayInit = InitSpec::normal(1.5e-3, 0.75e-3);
  p.delayFromInit = true;
  p.synRows = {"w", "x"};
  p.synInit = {InitSpec::constant(1.62e-3), InitSpec::constant(0)};
  p.synUnits = {"V", ""};
  p.allowAutapses = false;
  p.synapsesWritten = false;
  p.partitionable = true;
  p.weightRow = 1;
  p.needsSources = true;
  p.readsSource = false;
  p.writesSource = true;
  p.updateAfterStep = true;
  p.modulators = {{2, 0}};
  p.plastic = false;
  p.sign = -1;
  ProjectionSpec f;
  f.name = "In_to_E";
  f.src = 1;
  f.dst = 0;
  f.rule = ProjectionSpec::FromFile;
  f.file = "tables/w.npy";
  m.projections = {p, f};
  m.records = {{0}, {1, 1, 3}};
  StateRecordSpec r;
  r.population = 0;
  r.rows = {0, 1};
  r.begin = 5;
  r.end = 10;
  r.every = 3;
  StateRecordSpec s;
  s.projection = 0;
  s.rows = {0};
  s.end = -1;
  m.stateRecords = {r, s};
  m.plasticSwitches = {{100, 0, false}, {200, 0, true}};
  return m;
}

TEST(ModelIO, RoundTripsEveryField) {
  ModelSpec m = sampleSpec();
  std::string bytes = serializeModel(m);
  ModelSpec back;
  std::string err;
  ASSERT_TRUE(deserializeModel(bytes.data(), bytes.size(), back, err)) << err;
  // Equal bytes again, and the fields a comparison can see.
  EXPECT_EQ(serializeModel(back), bytes);
  EXPECT_EQ(back.name, m.name);
  EXPECT_EQ(back.seed, m.seed);
  EXPECT_EQ(back.duration, m.duration);
  EXPECT_EQ(back.populations[0].init[3].values->size(), 4u);
  EXPECT_TRUE(std::isnan(back.populations[0].init[3].values->at(3)));
  EXPECT_EQ(back.populations[1].schedule[2].first, int64_t(1) << 40);
  EXPECT_EQ(back.populations[2].driveInputs, 1000);
  EXPECT_EQ(back.projections[0].rule, ProjectionSpec::FixedInDegree);
  EXPECT_EQ(back.projections[0].modulators[0].population, 2);
  EXPECT_EQ(back.projections[0].sign, -1);
  EXPECT_FALSE(back.projections[0].allowAutapses);
  EXPECT_TRUE(back.projections[0].updateAfterStep);
  EXPECT_EQ(back.projections[1].file, "tables/w.npy");
  EXPECT_EQ(back.stateRecords[1].end, -1);
  EXPECT_EQ(back.records[1].begin, 1);
  EXPECT_EQ(back.records[1].end, 3);
  EXPECT_TRUE(back.plasticSwitches[1].plastic);
  EXPECT_EQ(back.populations[0].step, nullptr);
}

TEST(ModelIO, RefusesDamagedBytesWithoutCrashing) {
  std::string bytes = serializeModel(sampleSpec());
  std::string err;
  ModelSpec back;
  // Every prefix is refused (none is a whole model).
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(deserializeModel(bytes.data(), n, back, err)) << n;
  // A count far beyond the bytes is refused before anything is allocated:
  // the name's length is the first field after magic and version.
  std::string huge = bytes;
  for (size_t k = 12; k < 20; ++k)
    huge[k] = '\x7f';
  EXPECT_FALSE(deserializeModel(huge.data(), huge.size(), back, err));
  EXPECT_EQ(err, "damaged serialized model");
  std::string extra = bytes + "x";
  EXPECT_FALSE(deserializeModel(extra.data(), extra.size(), back, err));
  std::string other = bytes;
  uint32_t newer = kModelFormatVersion + 1; // a format from the future
  other[8] = char(newer);
  EXPECT_FALSE(deserializeModel(other.data(), other.size(), back, err));
  EXPECT_EQ(err, "serialized model of format version " + std::to_string(newer) +
                     ", this runtime reads version " +
                     std::to_string(kModelFormatVersion));
}

void kernelA() {}

TEST(Kernels, BindsByNameAndNamesWhatIsMissing) {
  ModelSpec m = sampleSpec();
  EXPECT_EQ(kernelName(KernelKind::DeliverPost, "Net", "E_to_E"),
            "neuro_deliver_post_Net_E_to_E");
  std::vector<std::string> asked;
  std::string err;
  auto lookup = [&](const std::string &name) -> void * {
    asked.push_back(name);
    return name == "_mlir_ciface_neuro_step_Net_E" ||
                   name == "_mlir_ciface_neuro_deliver_Net_E_to_E"
               ? reinterpret_cast<void *>(&kernelA)
               : nullptr;
  };
  // In_to_E has no deliver kernel: the first missing required one.
  EXPECT_FALSE(bindKernels(m, "Net", lookup, err));
  EXPECT_EQ(err, "kernel 'neuro_deliver_Net_In_to_E' missing from the "
                 "compiled module");
  EXPECT_EQ(m.populations[0].step, reinterpret_cast<NeuroStepFn>(&kernelA));
  // Generators have no kernels: nothing asked for In or Ext.
  for (const std::string &name : asked) {
    EXPECT_NE(name, "_mlir_ciface_neuro_step_Net_In");
    EXPECT_NE(name, "_mlir_ciface_neuro_step_Net_Ext");
  }
}

} // namespace

//===- ModelPrint.cpp - ModelSpec as readable text ------------------------===//
//
// One header line for the network, then each population with its rows,
// each projection with its synapse rows and flags, the recordings and the
// plasticity switches, in the spec's order.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/ModelPrint.h"

#include <charconv>
#include <sstream>

using namespace neuro::rt;

namespace {

/// The shortest text that reads back to `v`.
std::string num(double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

/// The name of population `i`, or its index when out of range.
std::string popName(const ModelSpec &spec, int i) {
  if (i >= 0 && size_t(i) < spec.populations.size())
    return spec.populations[size_t(i)].name;
  return "#" + std::to_string(i);
}

/// The name of projection `i`, or its index when out of range.
std::string projName(const ModelSpec &spec, int i) {
  if (i >= 0 && size_t(i) < spec.projections.size())
    return spec.projections[size_t(i)].name;
  return "#" + std::to_string(i);
}

/// Entry `i` of `v`, or "?" when `v` is shorter.
std::string at(const std::vector<std::string> &v, size_t i) {
  return i < v.size() ? v[i] : "?";
}

const char *ruleName(ProjectionSpec::Rule rule) {
  switch (rule) {
  case ProjectionSpec::FixedProbability:
    return "fixed_probability";
  case ProjectionSpec::FixedInDegree:
    return "in_degree";
  case ProjectionSpec::FixedOutDegree:
    return "out_degree";
  case ProjectionSpec::OneToOne:
    return "one_to_one";
  case ProjectionSpec::FromFile:
    return "file";
  case ProjectionSpec::Expression:
    return "expression";
  }
  return "?";
}

/// `rows` of a population or projection with their units and inits.
void printRows(std::ostream &os, const char *what,
               const std::vector<std::string> &rows,
               const std::vector<std::string> &units,
               const std::vector<InitSpec> &inits) {
  for (size_t i = 0; i < rows.size(); ++i) {
    os << "  " << what << ' ' << rows[i] << " unit \"" << at(units, i)
       << "\" init ";
    os << (i < inits.size() ? describeInit(inits[i]) : "?") << '\n';
  }
}

void printPopulation(std::ostream &os, const PopulationSpec &p) {
  os << "population " << p.name << " size " << p.size << '\n';
  printRows(os, "row", p.rows, p.units, p.init);
  if (!p.derived.empty()) {
    os << "  derived";
    for (const std::string &d : p.derived)
      os << ' ' << d;
    os << '\n';
  }
  if (p.generator && p.poissonRate < 0) {
    // At most the first eight spikes: enough to tell schedules apart.
    os << "  schedule " << p.schedule.size() << " spikes";
    for (size_t i = 0; i < p.schedule.size() && i < 8; ++i)
      os << " (" << p.schedule[i].first << ", " << p.schedule[i].second << ')';
    os << (p.schedule.size() > 8 ? " ..." : "");
    if (p.schedulePeriod > 0)
      os << " every " << p.schedulePeriod << " steps";
    os << '\n';
  }
  if (p.poissonRate >= 0)
    os << "  poisson rate " << num(p.poissonRate) << " inputs " << p.driveInputs
       << '\n';
  if (!p.ablated.empty()) {
    os << "  ablated";
    for (int64_t n : p.ablated)
      os << ' ' << n;
    os << '\n';
  }
}

void printProjection(std::ostream &os, const ModelSpec &spec,
                     const ProjectionSpec &p) {
  os << "projection " << p.name << ' ' << popName(spec, p.src) << " -> "
     << popName(spec, p.dst) << " rule " << ruleName(p.rule) << " p "
     << num(p.p) << " degree " << p.degree << " delay " << p.delaySteps
     << " steps\n";
  if (!p.file.empty())
    os << "  file \"" << p.file << "\"\n";
  os << "  slices src [" << p.srcBegin << ", " << p.srcEnd << ") dst ["
     << p.dstBegin << ", " << p.dstEnd << ")\n";
  if (p.heterogeneousDelay)
    os << "  delays " << describeInit(p.delayInit)
       << (p.delayFromInit ? " from init\n" : "\n");
  printRows(os, "syn", p.synRows, p.synUnits, p.synInit);
  if (p.synInitCounts)
    os << "  init reads synapse counts\n";
  if (p.weightRow < 0)
    os << "  weight constant\n";
  else
    os << "  weight row " << p.weightRow << '\n';
  for (const ProjectionSpec::Modulator &m : p.modulators) {
    os << "  modulator " << popName(spec, m.population) << " row " << m.row;
    if (m.population >= 0 && size_t(m.population) < spec.populations.size())
      os << " ("
         << at(spec.populations[size_t(m.population)].rows, size_t(m.row))
         << ')';
    os << '\n';
  }
  os << "  flags autapses=" << p.allowAutapses << " n=" << p.multiplicity
     << " synapses_written=" << p.synapsesWritten
     << " partitionable=" << p.partitionable
     << " needs_sources=" << p.needsSources << " reads_source=" << p.readsSource
     << " writes_source=" << p.writesSource << " plastic=" << p.plastic
     << " sign=" << p.sign << (p.procedural ? " procedural=1" : "")
     << (p.updateAfterStep ? " update_after_step=1" : "")
     << (p.readsWrittenSource ? " reads_written_source=1" : "") << '\n';
}

void printRecords(std::ostream &os, const ModelSpec &spec) {
  for (const RecordSpec &r : spec.records)
    os << "record spikes " << popName(spec, r.population)
       << (r.end == -1 ? std::string()
                       : " [" + std::to_string(r.begin) + ", " +
                             std::to_string(r.end) + ")")
       << '\n';
  for (const StateRecordSpec &r : spec.stateRecords) {
    bool syn = r.projection >= 0;
    const std::vector<std::string> *rows = nullptr;
    if (syn && size_t(r.projection) < spec.projections.size())
      rows = &spec.projections[size_t(r.projection)].synRows;
    else if (!syn && r.population >= 0 &&
             size_t(r.population) < spec.populations.size())
      rows = &spec.populations[size_t(r.population)].rows;
    os << "record " << (syn ? "synapses " : "state ")
       << (syn ? projName(spec, r.projection) : popName(spec, r.population))
       << " rows";
    for (int row : r.rows)
      os << ' ' << (rows ? at(*rows, size_t(row)) : std::to_string(row));
    os << " [" << r.begin << ", " << r.end << ") every " << r.every << '\n';
  }
}

} // namespace

std::string neuro::rt::describeInit(const InitSpec &init) {
  switch (init.kind) {
  case InitSpec::Constant:
    return "constant(" + num(init.a) + ")";
  case InitSpec::Uniform:
    return "uniform(" + num(init.a) + ", " + num(init.b) + ")";
  case InitSpec::Normal:
    return "normal(" + num(init.a) + ", " + num(init.b) + ")";
  case InitSpec::Timed: {
    size_t n = init.values ? init.values->size() : 0;
    size_t columns = init.columns > 0 ? size_t(init.columns) : 1;
    return "timed(every " + std::to_string(init.every) + ", " +
           std::to_string(n / columns) + " x " + std::to_string(columns) + ")";
  }
  }
  return "?";
}

std::string neuro::rt::describeModel(const ModelSpec &spec) {
  std::ostringstream os;
  os << "model " << spec.name << " dt " << num(spec.dt) << " steps "
     << spec.steps << " seed " << spec.seed << " precision "
     << precisionName(spec) << '\n';
  for (const PopulationSpec &p : spec.populations)
    printPopulation(os, p);
  for (const ProjectionSpec &p : spec.projections)
    printProjection(os, spec, p);
  printRecords(os, spec);
  for (const ModelSpec::PlasticSwitch &s : spec.plasticSwitches)
    os << "plastic " << projName(spec, s.projection)
       << (s.plastic ? " on" : " off") << " at step " << s.step << '\n';
  return os.str();
}

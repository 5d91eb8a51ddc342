//===- ProjectionSummary.cpp - A projection's rule and delays as text -----===//
//
// What `neuroc check --verbose` prints for a projection: its connection
// rule as written (p, in_degree, out_degree, one_to_one, a file, an
// expression of the pair) and its delays, constant or drawn per synapse.
//
//===----------------------------------------------------------------------===//

#include "neuro/Frontend/Sema.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace neuro;

namespace {

std::string number(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%g", v);
  return s;
}

std::string rule(const ProjectionInfo &pr) {
  if (pr.rule == "in_degree" || pr.rule == "out_degree")
    return pr.rule + " " + std::to_string(pr.degree);
  if (pr.rule == "one_to_one")
    return "one_to_one";
  if (pr.rule == "file")
    return "from \"" +
           (pr.decl && pr.decl->file ? pr.decl->file->name : pr.file) + "\"";
  if (pr.rule == "expression")
    return std::string(pr.probExpr ? "p per pair (expression)"
                                   : "p " + number(pr.p)) +
           (pr.whereExpr ? " where (condition)" : "");
  return "p " + number(pr.p);
}

std::string delay(const ProjectionInfo &pr) {
  if (pr.fileDelays)
    return "delay per synapse (from the file)";
  if (!pr.delayInit)
    return "delay " + number(pr.delay) + " s";
  const InitValue &d = *pr.delayInit;
  if (d.expr)
    return "delay per synapse (expression)";
  return "delay " + describeDraw(d, "s") +
         (d.kind == InitValue::Kind::Normal ? ", clipped at 0" : "");
}

} // namespace

std::string neuro::describeDraw(const InitValue &v, const std::string &unit) {
  std::string u = unit.empty() ? "" : " " + unit;
  switch (v.kind) {
  case InitValue::Kind::Uniform:
    return "uniform(" + number(v.a) + u + ", " + number(v.b) + u + ")";
  case InitValue::Kind::Normal:
    return "normal(" + number(v.a) + u + ", " + number(v.b) + u + ")";
  default:
    return number(v.a) + u;
  }
}

std::string neuro::describeConnectivity(const ProjectionInfo &pr) {
  return rule(pr) + (pr.autapses ? "" : ", no_autapses") +
         (pr.multiplicity > 1 ? ", n = " + std::to_string(pr.multiplicity)
                              : "") +
         ", " + delay(pr) + (pr.procedural ? ", procedural" : "");
}

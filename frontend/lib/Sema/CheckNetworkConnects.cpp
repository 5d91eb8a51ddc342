//===- CheckNetworkConnects.cpp - Connect statements of a network ---------===//
//
// `connect A[0:10] -> B, C with S(w = 1 mV) p = 0.1, delay = 2 ms as Name`:
// the synapse model (with rules attached), the options (one connection
// rule, delays, autapses), the synapses listed in a file, the slices of
// source and targets, and one projection per target, named and with its
// expressions for p, `where` and delays typed.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Frontend/Imports.h"
#include "neuro/Runtime/Connectivity.h"
#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace neuro;
using namespace neuro::sema;

/// A connect statement being checked: what its options and file give, and
/// its source neurons; each of its targets makes one projection.
struct sema::Connection {
  const ConnectDecl *decl = nullptr;
  /// The synapse model, with the rules attached.
  const ModelInfo *syn = nullptr;
  double p = 1.0, delay = 0.0;
  std::optional<InitValue> delayInit;
  /// Where `delay` is given; no line when it is not.
  SourceRange delayRange;
  /// `p` and `delay` as expressions of the pair (needsKernel).
  const Expr *probExpr = nullptr, *delayExpr = nullptr;
  std::string rule = "probability";
  int64_t degree = 0;
  bool autapses = true;
  /// Where `no_autapses` is written; no line when it is not.
  SourceRange noAutapses;
  /// `n = K`: synapses per selected pair, and where it is given.
  int64_t multiplicity = 1;
  SourceRange multiplicityRange;
  /// `procedural`: where it is written; no line when it is not.
  SourceRange procedural;
  /// Where the rule is given; empty when none is.
  SourceRange ruleRange;
  /// `from "FILE"`: the synapses listed, and the file's resolved path.
  std::optional<rt::ConnectionSummary> listed;
  std::string listedPath;
  /// The source population and its neurons [srcBegin, srcEnd).
  int src = 0;
  int64_t srcBegin = 0, srcEnd = 0;
};

/// The end of the error for a delay of `seconds` past the runtime's limit
/// at step `dt` ("more than the N steps (dt = ...) a delay may have"), or
/// nothing when it is within it.
static std::optional<std::string> pastDelayLimit(double seconds, double dt) {
  if (std::round(seconds / dt) <= double(rt::Network::kMaxDelaySteps))
    return std::nullopt;
  return "more than the " + std::to_string(rt::Network::kMaxDelaySteps) +
         " steps (dt = " + fmt(dt) + " s) a delay may have";
}

/// Whether synapse `syn` needs states of its target neuron (post states,
/// post variables or drives); a spike source given by times can only be
/// the target of a synapse that does not (e.g. pure plasticity).
/// Whether synapse `syn` runs statements when a spike arrives (`on pre`).
static bool hasOnPre(const ModelInfo &syn) {
  for (const EventDecl &e : syn.synapse->events)
    if (e.event == "pre")
      return true;
  return false;
}

static bool touchesTarget(const ModelInfo &syn) {
  if (!syn.synapse->drives.empty())
    return true;
  for (const VarDecl &v : syn.synapse->vars)
    if (v.kind == VarDecl::Kind::PostState || v.kind == VarDecl::Kind::PostVar)
      return true;
  return false;
}

void Checker::checkConnect(const ConnectDecl &c, NetworkInfo &net,
                           const std::map<std::string, int> &popIndex,
                           std::map<std::string, int> &projNames) {
  auto src = popIndex.find(c.source.name);
  if (src == popIndex.end()) {
    unknownPopulation(c.source.range, c.source.name);
    return;
  }
  auto mit = result.models.find(c.synapse.name);
  if (mit == result.models.end() || !mit->second.isSynapse) {
    diag.error(c.synapse.range,
               mit == result.models.end()
                   ? "unknown synapse model '" + c.synapse.name + "'" +
                         libraryImportHint(c.synapse.name, ModelKind::Synapse)
                   : "'" + c.synapse.name + "' is a neuron, not a synapse");
    return;
  }
  if (mit->second.isRule) {
    diag.error(c.synapse.range,
               "'" + c.synapse.name +
                   "' is a plasticity rule; attach it to a synapse "
                   "model, as in 'with ExpConductance + " +
                   c.synapse.name + "'");
    return;
  }
  const ModelInfo *withRules = &mit->second;
  if (!c.rules.empty()) {
    withRules = attachRules(mit->second, c);
    if (!withRules)
      return;
  }
  Connection conn;
  conn.decl = &c;
  conn.syn = withRules;
  conn.src = src->second;
  readConnectOptions(conn);
  if (const Expr *draw = eventDraw(*conn.syn->synapse))
    checkEventKeys(conn, *draw);
  // `from "FILE"`: the synapses as listed, checked against the sizes of the
  // source and target below.
  if (c.file && !readListed(conn))
    return;
  // A Poisson drive has no neurons to slice (connectDrive says so).
  if (!net.populations[size_t(conn.src)].driveInputs &&
      !sliceNeurons(cellSlice(c.sourceSlice, c.sourceCell, net, conn.src), net,
                    conn.src, c.source.range, conn.srcBegin, conn.srcEnd))
    return;
  for (size_t ti = 0; ti < c.targets.size(); ++ti)
    if (!checkTarget(conn, ti, net, popIndex, projNames))
      break;
}

/// The first call of rand() or randn() in `e`, or null.
static const Expr *findRand(const Expr &e) {
  if (e.kind == Expr::Kind::Call && (e.name == "rand" || e.name == "randn"))
    return &e;
  for (const ExprPtr &a : e.args)
    if (const Expr *r = a ? findRand(*a) : nullptr)
      return r;
  return nullptr;
}

const Expr *Checker::eventDraw(const SynapseDecl &syn) {
  for (const EventDecl &e : syn.events)
    for (const Stmt &st : e.body)
      if (const Expr *r = st.value ? findRand(*st.value) : nullptr)
        return r;
  return nullptr;
}

void Checker::checkEventKeys(const Connection &conn, const Expr &draw) {
  // An event's draws are keyed by the synapse's source, target and step
  // (and the entries of its source before it in the step's list: a drive's
  // inputs, SpikeTimes' same_step = "all"): two synapses of one pair would
  // draw alike.
  if (conn.multiplicity <= 1)
    return;
  diag.error(conn.multiplicityRange,
             "n = " + std::to_string(conn.multiplicity) +
                 " makes copies of each pair, whose events would draw the "
                 "same random numbers (rand() in a synapse event is drawn "
                 "per source, target and step)");
  diag.note(draw.range, "drawn here");
}

void Checker::readConnectOptions(Connection &conn) {
  auto setRule = [&](const std::string &r, SourceRange where) {
    if (conn.rule != "probability" || conn.ruleRange.begin.line) {
      diag.error(where, "a connection has one rule: p, in_degree, "
                        "out_degree or one_to_one");
      return false;
    }
    conn.rule = r;
    conn.ruleRange = where;
    return true;
  };
  std::optional<SourceRange> delaySeen;
  for (const NamedExpr &o : conn.decl->options) {
    if (o.name == "delay" && o.value) {
      if (delaySeen) {
        diag.error(o.nameRange, "'delay' is given twice");
        diag.note(*delaySeen, "first given here");
        continue;
      }
      delaySeen = o.nameRange;
    }
    if (!o.value) {
      if (o.name == "one_to_one")
        setRule("one_to_one", o.range);
      else if (o.name == "no_autapses")
        conn.autapses = false, conn.noAutapses = o.range;
      else if (o.name == "procedural")
        conn.procedural = o.range;
      else
        diag.error(o.nameRange,
                   "unknown connect option '" + o.name +
                       "' (expected one_to_one, no_autapses, procedural, or "
                       "p, "
                       "in_degree, out_degree, delay with a value)");
      continue;
    }
    if (o.name == "p" && needsKernel(*o.value)) {
      // A probability per pair, typed per target below.
      if (setRule("probability", o.range))
        conn.probExpr = o.value.get();
    } else if (o.name == "delay" && needsKernel(*o.value)) {
      conn.delayExpr = o.value.get();
      conn.delayRange = o.value->range;
    } else if (o.name == "p") {
      if (auto v = netQuantity(*o.value, Dim::none(),
                               "the connection probability p")) {
        if (*v < 0 || *v > 1)
          diag.error(o.value->range,
                     "the connection probability p must lie in [0, 1], "
                     "got " +
                         fmtExact(*v));
        else if (setRule("probability", o.range))
          conn.p = *v;
      }
    } else if (o.name == "n") {
      // Brian2's connect(n=...): several synapses per selected pair.
      if (auto v = netQuantity(*o.value, Dim::none(), "n")) {
        if (*v < 1 || *v != std::floor(*v) || *v > 1e4)
          diag.error(o.value->range,
                     "n (synapses per pair) must be a whole number from 1 "
                     "to 10000, got " +
                         fmt(*v));
        else {
          conn.multiplicity = static_cast<int64_t>(*v);
          conn.multiplicityRange = o.range;
        }
      }
    } else if (o.name == "in_degree" || o.name == "out_degree") {
      if (auto v = netQuantity(*o.value, Dim::none(), o.name)) {
        if (*v < 0 || *v != std::floor(*v) || *v > 2e9)
          diag.error(o.value->range,
                     o.name + " must be a whole number >= 0, got " + fmt(*v));
        else if (setRule(o.name, o.range))
          conn.degree = static_cast<int64_t>(*v);
      }
    } else if (o.name == "delay" && o.value->kind == Expr::Kind::Call &&
               (o.value->name == "uniform" || o.value->name == "normal")) {
      // A delay per synapse.
      conn.delayRange = o.value->range;
      static const std::map<std::string, double> env;
      static const std::map<std::string, Dim> dims;
      if (auto v = evalInit(*o.value, env, dims, Dim::time())) {
        if (v->first.kind == InitValue::Kind::Uniform && v->first.a < 0)
          diag.error(o.value->range, "delays must be >= 0");
        else {
          // normal() reaches below 0: those delays are taken as 0 steps
          // (NEST refuses them, Brian2 misplaces them); say how often.
          double below =
              v->first.kind == InitValue::Kind::Normal && v->first.b > 0
                  ? 0.5 * std::erfc(v->first.a / (v->first.b * std::sqrt(2.0)))
                  : 0.0;
          if (below > 1e-6) {
            char share[32];
            std::snprintf(share, sizeof share, "%.3g%%", 100 * below);
            diag.warning(o.value->range,
                         "this draws a negative delay for about " +
                             std::string(share) +
                             " of the synapses; they are taken as 0 (bound "
                             "the draw, max(normal(...), 0.1 ms), or draw "
                             "from uniform(...))");
          }
          conn.delayInit = v->first;
          conn.delay = v->first.kind == InitValue::Kind::Uniform
                           ? (v->first.a + v->first.b) / 2
                           : std::max(0.0, v->first.a);
        }
      }
    } else if (o.name == "delay") {
      conn.delayRange = o.value->range;
      if (auto v = netQuantity(*o.value, Dim::time(), "delay")) {
        if (*v < 0)
          diag.error(o.value->range, "delay must be >= 0");
        else
          conn.delay = *v;
      }
    } else {
      std::string msg = "unknown connect option '" + o.name +
                        "' (expected p, in_degree, out_degree, n, delay, "
                        "one_to_one, no_autapses or procedural)";
      if (o.name == "dt" || o.name == "seed")
        msg += "; network settings go before the connect statements";
      diag.error(o.nameRange, msg);
    }
  }
}

bool Checker::readListed(Connection &conn) {
  const ConnectDecl &c = *conn.decl;
  bool sliced = c.sourceSlice.has_value();
  for (const auto &ts : c.targetSlices)
    sliced |= ts.has_value();
  std::string weightName;
  for (const VarDecl &v : conn.syn->synapse->vars)
    if (v.kind == VarDecl::Kind::Weight)
      weightName = v.name;
  conn.listedPath = resolvePath(c.file->name, c.file->range);
  rt::ConnectionSummary list;
  std::string err;
  if (conn.ruleRange.begin.line) {
    diag.error(conn.ruleRange, "'from' lists the synapses; a connect from a "
                               "file takes no rule");
  } else if (c.targets.size() != 1 || sliced) {
    diag.error(c.file->range, "a connect from a file has one target "
                              "and no slices (the file gives neuron "
                              "indices)");
  } else if (!rt::summarizeConnections(conn.listedPath, weightName, list,
                                       err)) {
    diag.error(c.file->range, "cannot read the synapses: " + err);
  } else if (list.delays && conn.delayRange.begin.line) {
    diag.error(conn.delayRange, "the file gives the delays; remove the "
                                "'delay' option");
  } else if (conn.noAutapses.begin.line) {
    diag.error(conn.noAutapses,
               "a connect from a file makes exactly the synapses it lists: "
               "no_autapses does not apply (remove it)");
  } else {
    for (const NamedExpr &a : c.args)
      if (list.weights && a.name == weightName)
        diag.error(a.nameRange, "the file gives the weights; '" + weightName +
                                    "' is set twice");
    conn.listed = std::move(list);
    conn.rule = "file";
    if (const Expr *draw = eventDraw(*conn.syn->synapse))
      checkDistinctPairs(conn, weightName, *draw);
  }
  return conn.listed.has_value();
}

namespace {
/// Every row's pair as pre * posts + post, in file order (8 bytes a row).
class PairSink : public rt::ConnectionSink {
public:
  explicit PairSink(int64_t maxPost) : posts(uint64_t(maxPost) + 1) {}
  bool columns(bool, bool, std::string &) override { return true; }
  bool synapse(uint64_t, int64_t pre, int64_t post, double, double,
               std::string &) override {
    pairs.push_back(uint64_t(pre) * posts + uint64_t(post));
    return true;
  }
  uint64_t posts;
  std::vector<uint64_t> pairs;
};
} // namespace

void Checker::checkDistinctPairs(const Connection &conn,
                                 const std::string &weightName,
                                 const Expr &draw) {
  const ConnectDecl &c = *conn.decl;
  PairSink sink(conn.listed->maxPost);
  std::string err;
  if (!rt::scanConnections(conn.listedPath, weightName, sink, err)) {
    diag.error(c.file->range, "cannot read the synapses: " + err);
    return;
  }
  // Rows in the order of their pairs (stable: the first of twins first).
  std::vector<uint64_t> &pairs = sink.pairs;
  std::vector<uint32_t> rows(pairs.size());
  for (size_t r = 0; r < rows.size(); ++r)
    rows[r] = uint32_t(r);
  std::stable_sort(rows.begin(), rows.end(),
                   [&](uint32_t a, uint32_t b) { return pairs[a] < pairs[b]; });
  auto twin =
      std::adjacent_find(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
        return pairs[a] == pairs[b];
      });
  if (twin == rows.end())
    return;
  uint64_t first = *twin, second = *(twin + 1);
  diag.error(c.file->range,
             c.file->name + ": rows " + std::to_string(first + 1) + " and " +
                 std::to_string(second + 1) + " join the same pair (" +
                 std::to_string(pairs[first] / sink.posts) + ", " +
                 std::to_string(pairs[first] % sink.posts) +
                 "), whose events would draw the same random numbers "
                 "(rand() in a synapse event is drawn per source, target "
                 "and step)");
  diag.note(draw.range, "drawn here");
}

bool Checker::sliceNeurons(
    const std::optional<std::pair<double, double>> &slice,
    const NetworkInfo &net, int pop, SourceRange where, int64_t &begin,
    int64_t &end) {
  int64_t size = net.populations[size_t(pop)].size;
  begin = 0;
  end = size;
  if (!slice)
    return true;
  double b = slice->first, e = slice->second;
  if (auto problem = sliceProblem(b, e, double(size),
                                  net.populations[size_t(pop)].decl->name)) {
    diag.error(where, *problem);
    return false;
  }
  begin = int64_t(b);
  end = int64_t(e);
  return true;
}

bool Checker::checkActs(const Connection &conn, const NameRef &t, int dst,
                        const NetworkInfo &net) {
  const ConnectDecl &c = *conn.decl;
  const ModelInfo &syn = *conn.syn;
  const PopulationInfo &to = net.populations[size_t(dst)];
  if ((to.generator || to.poissonRate) && touchesTarget(syn)) {
    diag.error(
        t.range,
        "'" + t.name + "' " +
            (to.generator ? "gives spikes by time" : "draws Poisson spikes") +
            " and has no states for synapse '" + syn.name + "' to act on");
    return false;
  }
  // Spikes are what a delay postpones and what `on pre` runs on; a
  // connect that has neither to act on would be silently inert.
  if (c.rules.empty() && !hasOnPre(syn)) {
    if ((conn.delay > 0 || conn.delayInit || conn.delayExpr) &&
        conn.delayRange.begin.line) {
      diag.error(conn.delayRange,
                 "a delay postpones `on pre`, which synapse '" + syn.name +
                     "' does not have (what it drives acts every step)");
      return false;
    }
  } else if (const PopulationInfo &from = net.populations[size_t(conn.src)];
             !from.generator && !from.poissonRate && !from.driveInputs &&
             from.model && from.model->neuron && !from.model->neuron->spike) {
    // A warning: the connectivity may still be what the network is for.
    diag.warning(c.source.range,
                 "'" + c.source.name + "' never spikes (neuron '" +
                     from.model->name +
                     "' has no `spike when`), so `on pre` of synapse '" +
                     syn.name + "' will never run");
  }
  return true;
}

bool Checker::checkTarget(const Connection &conn, size_t ti, NetworkInfo &net,
                          const std::map<std::string, int> &popIndex,
                          std::map<std::string, int> &projNames) {
  const ConnectDecl &c = *conn.decl;
  const ModelInfo &syn = *conn.syn;
  const NameRef &t = c.targets[ti];
  auto dst = popIndex.find(t.name);
  if (dst == popIndex.end()) {
    unknownPopulation(t.range, t.name);
    return true;
  }
  if (!checkActs(conn, t, dst->second, net))
    return true;
  ProjectionInfo proj;
  if (!sliceNeurons(
          cellSlice(c.targetSlices[ti], c.targetCells[ti], net, dst->second),
          net, dst->second, t.range, proj.dstBegin, proj.dstEnd))
    return true;
  proj.srcBegin = conn.srcBegin;
  proj.srcEnd = conn.srcEnd;
  proj.decl = &c;
  proj.targetRange = t.range;
  proj.src = conn.src;
  proj.dst = dst->second;
  proj.model = &syn;
  proj.p = conn.p;
  proj.delay = conn.delay;
  proj.delayInit = conn.delayInit;
  // A constant delay in steps; drawn ones are checked as they are drawn,
  // but their mean (the projection's delay) here.
  if (auto past = pastDelayLimit(conn.delay, net.dt);
      past && conn.delayRange.begin.line) {
    diag.error(conn.delayRange,
               (conn.delayInit ? "the delays drawn here average " +
                                     fmt(conn.delay) + " s, "
                               : "a delay of " + fmt(conn.delay) + " s is ") +
                   *past);
    return true;
  }
  proj.rule = conn.rule;
  proj.degree = conn.degree;
  proj.autapses = conn.autapses;
  proj.multiplicity = conn.multiplicity;
  proj.procedural = conn.procedural.begin.line != 0;
  proj.proceduralRange = conn.procedural;
  if (net.populations[size_t(conn.src)].driveInputs &&
      !connectDrive(c, syn, conn.ruleRange.begin.line || conn.probExpr,
                    net.populations[size_t(conn.src)], proj))
    return true;
  std::string degreeErr;
  if ((conn.rule == "in_degree" || conn.rule == "out_degree") &&
      !rt::checkFixedDegree(conn.rule == "in_degree", conn.degree,
                            conn.srcEnd - conn.srcBegin,
                            proj.dstEnd - proj.dstBegin,
                            conn.autapses || proj.src != proj.dst ||
                                !rt::slicesOverlap(conn.srcBegin, conn.srcEnd,
                                                   proj.dstBegin, proj.dstEnd),
                            degreeErr)) {
    diag.error(conn.ruleRange, degreeErr);
    return true;
  }
  // one_to_one pairs the k-th source with the k-th target: with the same
  // neurons on both sides, every pair is one that no_autapses forbids.
  if (conn.rule == "one_to_one" && !conn.autapses && proj.src == proj.dst &&
      conn.srcBegin == proj.dstBegin) {
    diag.error(conn.ruleRange,
               "one_to_one connects each neuron of '" + t.name +
                   "' to itself here, which no_autapses forbids: no synapse "
                   "would be made");
    return true;
  }
  int64_t sources = conn.srcEnd - conn.srcBegin;
  int64_t targets = proj.dstEnd - proj.dstBegin;
  if (conn.rule == "one_to_one" &&
      !net.populations[size_t(conn.src)].driveInputs && sources != targets) {
    diag.error(conn.ruleRange,
               "one_to_one pairs the k-th source with the k-th target and "
               "needs as many of each; got " +
                   std::to_string(sources) + " sources and " +
                   std::to_string(targets) + " targets");
    return true;
  }
  if (c.alias && c.targets.size() > 1) {
    diag.error(c.alias->range, "'as " + c.alias->name +
                                   "' names one projection; give "
                                   "one target per named connect");
    return false;
  }
  if (!nameProjection(c, t, popIndex, projNames, proj))
    return true;
  proj.params = paramEnv(syn);
  std::map<std::string, Dim> env =
      connectEnv(syn, net.populations[proj.src], net.populations[proj.dst]);
  if (!checkConnectExprs(conn, env, proj))
    return true;
  // Known once the synapses are made: in their arguments (and the delay).
  env["N_incoming"] = env["N_outgoing"] = Dim::none();
  if (conn.listed) {
    proj.file = conn.listedPath;
    proj.fileWeights = conn.listed->weights;
    proj.fileDelays = conn.listed->delays;
    if (!checkListed(*conn.listed, net.populations[proj.src],
                     net.populations[proj.dst], *c.file))
      return true;
    const rt::ConnectionSummary &list = *conn.listed;
    if (auto past = pastDelayLimit(list.maxDelay, net.dt);
        past && list.delays) {
      diag.error(c.file->range, c.file->name + ": row " +
                                    std::to_string(list.maxDelayRow + 1) +
                                    ": a delay of " + fmt(list.maxDelay) +
                                    " s is " + *past);
      return true;
    }
  }
  for (const VarDecl &v : syn.synapse->vars)
    if ((v.kind == VarDecl::Kind::Weight && !proj.fileWeights) ||
        v.kind == VarDecl::Kind::PostState || v.kind == VarDecl::Kind::State)
      proj.inits.push_back({v.name, InitValue{}});
  argEnv = &env;
  applyArgs(
      syn, c.synapse.range, c.args, proj.params, proj.inits,
      {VarDecl::Kind::Weight, VarDecl::Kind::PostState, VarDecl::Kind::State});
  argEnv = nullptr;
  overrideProjection(syn, c, proj);
  if (proj.fileWeights)
    for (const VarDecl &v : syn.synapse->vars)
      if (v.kind == VarDecl::Kind::Weight)
        proj.inits.insert(proj.inits.begin(), {v.name, InitValue{}});
  proj.sign = net.populations[proj.src].decl->sign;
  if (proj.sign)
    checkDale(proj, syn, c, conn.listed ? &*conn.listed : nullptr,
              *net.populations[proj.src].decl);
  bindModulators(syn, c, net, popIndex, proj);
  checkNeuronVars(syn, net.populations[proj.src], VarDecl::Kind::PreVar,
                  c.source.range);
  checkDrives(syn, net.populations[proj.dst], t.range);
  net.projections.push_back(std::move(proj));
  return true;
}

bool Checker::nameProjection(const ConnectDecl &c, const NameRef &target,
                             const std::map<std::string, int> &popIndex,
                             std::map<std::string, int> &projNames,
                             ProjectionInfo &proj) {
  if (c.alias) {
    if (popIndex.count(c.alias->name) || projNames[c.alias->name]) {
      diag.error(c.alias->range,
                 popIndex.count(c.alias->name)
                     ? "'" + c.alias->name + "' already names a population"
                     : "'" + c.alias->name +
                           "' already names a projection (a connect without "
                           "'as' before it takes SRC_to_DST, then "
                           "SRC_to_DST_1, ...)");
      return false;
    }
    proj.name = c.alias->name;
    ++projNames[c.alias->name];
    return true;
  }
  proj.name = defaultProjectionName(
      c.source.name, target.name, [&](const std::string &name) {
        auto taken = projNames.find(name);
        return popIndex.count(name) ||
               (taken != projNames.end() && taken->second);
      });
  ++projNames[proj.name];
  return true;
}

bool Checker::checkConnectExprs(const Connection &conn,
                                const std::map<std::string, Dim> &env,
                                ProjectionInfo &proj) {
  const ConnectDecl &c = *conn.decl;
  const Expr *probExpr = conn.probExpr, *delayExpr = conn.delayExpr;
  if (!probExpr && !c.where && !delayExpr)
    return true;
  const char *what = "a connection rule (use i, j, N_pre, N_post, "
                     "NAME_pre, NAME_post and parameters)";
  // Delays per synapse go with any rule; a file has its own.
  if (c.file && !probExpr && !c.where) {
    diag.error(delayExpr->range,
               "a delay given by an expression does not go with 'from': "
               "give the delays in the file's 'delay' column (seconds)");
    return false;
  }
  if (c.file || (conn.rule != "probability" && (probExpr || c.where))) {
    diag.error(c.where ? c.where->range : c.synapse.range,
               "'where' and an expression for p go with the "
               "probability rule only");
    return false;
  }
  noDraws = true;
  if (probExpr) {
    auto t = typeNetExpr(*probExpr, env, what);
    if (t && (t->isBool || !t->dim.isDimensionless()))
      diag.error(probExpr->range, "the connection probability p is "
                                  "a dimensionless number");
    if (!t) {
      noDraws = false;
      return false;
    }
    proj.probExpr = probExpr;
  }
  if (c.where) {
    auto t = typeNetExpr(*c.where, env, what);
    if (t && !t->isBool)
      diag.error(c.where->range, "'where' needs a truth value, such "
                                 "as abs(i - j) <= 2");
    if (!t) {
      noDraws = false;
      return false;
    }
    proj.whereExpr = c.where.get();
  }
  noDraws = false;
  if (probExpr || c.where)
    proj.rule = "expression";
  if (delayExpr) {
    std::map<std::string, Dim> withCounts = env;
    withCounts["N_incoming"] = withCounts["N_outgoing"] = Dim::none();
    auto t = typeNetExpr(*delayExpr, withCounts,
                         "a delay (use i, j, N_pre, N_post, N_incoming, "
                         "N_outgoing, NAME_pre, NAME_post and parameters)");
    if (t && (t->isBool || t->dim != Dim::time()))
      diag.error(delayExpr->range, "the delay must be a time");
    if (!t)
      return false;
    InitValue iv;
    iv.expr = delayExpr;
    proj.delayInit = iv;
  }
  return true;
}

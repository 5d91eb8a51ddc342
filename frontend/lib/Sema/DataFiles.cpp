//===- DataFiles.cpp - Files named in a model -----------------------------===//
//
// Tables a model names, read while it is checked: values("FILE") per
// neuron, timed tables, the spikes of SpikeTimes(file = "FILE"), the
// neuron names of `named "FILE"`, and the synapses `connect ... from
// "FILE"` lists (read with the connect's options, checked here against
// the populations). Paths are relative to the file that holds the
// network.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/Table.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <tuple>

using namespace neuro;
using namespace neuro::sema;

/// The unit to write for numbers of dimension `d`: "1 mV", or "1" for
/// dimensionless ones.
static std::string unitExample(const Dim &d) {
  return d == Dim::none() ? "1" : "1 " + Dim(d).symbol();
}

std::optional<InitValue>
Checker::evalValues(const Expr &e, const std::string &name, const Dim &want) {
  static const std::map<std::string, double> env;
  static const std::map<std::string, Dim> dims;
  if (e.args.size() < 1 || e.args.size() > 2 ||
      e.args[0]->kind != Expr::Kind::String) {
    diag.error(e.range, "values takes a file name in quotes and the unit "
                        "of its numbers: values(\"FILE\", 1 ms)");
    return std::nullopt;
  }
  const std::string &file = e.args[0]->text;
  double scale = 1.0;
  Dim dim;
  if (e.args.size() == 2) {
    auto unit = evalConst(*e.args[1], env, dims, "the unit of a file");
    if (!unit)
      return std::nullopt;
    scale = unit->first;
    dim = unit->second;
  }
  if (dim != want) {
    diag.error(e.range, "the numbers of '" + file + "' are " + dim.str() +
                            " but '" + name + "' is in " + want.str() +
                            "; give their unit, as in values(\"" + file +
                            "\", " + unitExample(want) + ")");
    return std::nullopt;
  }
  rt::Table table;
  std::string err;
  if (!rt::readTable(resolvePath(file, e.args[0]->range), table, err)) {
    diag.error(e.args[0]->range, "cannot read the values: " + err);
    return std::nullopt;
  }
  int col = table.column(name);
  if (col < 0 && table.columns.size() == 1)
    col = 0;
  if (col < 0) {
    diag.error(e.args[0]->range, "'" + file + "' has no column '" + name +
                                     "' (or a single column)");
    return std::nullopt;
  }
  const std::vector<double> &column = table.columns[size_t(col)];
  if (int64_t(column.size()) != timedSize) {
    diag.error(e.args[0]->range,
               "'" + file + "' has " + std::to_string(column.size()) +
                   " values for the " + std::to_string(timedSize) +
                   " neurons of the population");
    return std::nullopt;
  }
  auto values = std::make_shared<std::vector<double>>();
  for (double v : column) {
    if (!std::isfinite(v)) {
      diag.error(e.args[0]->range, "'" + file +
                                       "' holds a value that is "
                                       "not finite");
      return std::nullopt;
    }
    values->push_back(v * scale);
  }
  InitValue iv;
  iv.kind = InitValue::Kind::Timed;
  iv.every = rt::InitSpec::kSetOnce; // set once, never refilled
  iv.columns = timedSize;
  iv.a = iv.b = values->front();
  iv.values = std::move(values);
  return iv;
}

bool Checker::readTimedFile(const Expr &e, const Dim &want, int64_t &columns,
                            std::vector<double> &values) {
  static const std::map<std::string, double> env;
  static const std::map<std::string, Dim> dims;
  const Expr &list = *e.args[0];
  double scale = 1.0;
  Dim dim;
  if (e.args.size() == 3) {
    auto unit = evalConst(*e.args[2], env, dims, "the unit of a file");
    if (!unit)
      return false;
    scale = unit->first;
    dim = unit->second;
  }
  if (dim != want) {
    diag.error(e.args.size() == 3 ? e.args[2]->range : e.range,
               "the numbers of '" + list.text + "' are " + dim.str() +
                   " but the parameter is in " + want.str() +
                   "; give their unit, as in timed(\"" + list.text +
                   "\", every, " + unitExample(want) + ")");
    return false;
  }
  rt::Table table;
  std::string err;
  if (!rt::readTable(resolvePath(list.text, list.range), table, err)) {
    diag.error(list.range, "cannot read the timed values: " + err);
    return false;
  }
  size_t cols = table.columns.size();
  if (cols != 1 && int64_t(cols) != timedSize) {
    diag.error(list.range, "'" + list.text + "' has " + std::to_string(cols) +
                               " columns: give one, shared by all "
                               "neurons, or one per neuron (" +
                               std::to_string(timedSize) + ")");
    return false;
  }
  columns = int64_t(cols);
  for (size_t r = 0; r < table.numRows(); ++r)
    for (size_t c = 0; c < cols; ++c)
      values.push_back(table.columns[c][r] * scale);
  return true;
}

std::optional<Spikes> Checker::readSpikeTimesFile(const PopulationDecl &p,
                                                  const Expr &file,
                                                  int64_t size, double dt,
                                                  bool sameStepAll) {
  std::vector<int64_t> is;
  std::vector<double> ts;
  std::string err;
  if (!rt::readSpikeTimes(resolvePath(file.text, file.range), is, ts, err)) {
    diag.error(file.range, "cannot read the spike times: " + err);
    return std::nullopt;
  }
  // A spike file Neuro recorded stamps each spike at the end of its step
  // (recordings.json beside it says so): replayed in that step.
  double shift =
      recordedStampShift(resolvePath(file.text, file.range), ts, file.range);
  Spikes spikes;
  for (size_t r = 0; r < is.size(); ++r) {
    ts[r] -= shift;
    if (is[r] >= size) {
      diag.error(file.range, file.text + ": row " + std::to_string(r + 1) +
                                 ": index " + std::to_string(is[r]) +
                                 " is not a neuron of the " +
                                 std::to_string(size) + " of '" + p.name + "'");
      return std::nullopt;
    }
    spikes.push_back({ts[r], is[r]});
  }
  if (auto twice = sameStepAll ? std::nullopt : sameStep(spikes, dt)) {
    diag.error(file.range, file.text + ": rows " +
                               std::to_string(twice->first + 1) + " and " +
                               std::to_string(twice->second + 1) + ": " +
                               twiceInStep(spikes[twice->first],
                                           spikes[twice->second], dt));
    return std::nullopt;
  }
  return spikes;
}

double Checker::recordedStampShift(const std::string &path,
                                   const std::vector<double> &times,
                                   SourceRange where) {
  llvm::SmallString<256> meta(llvm::sys::path::parent_path(path));
  llvm::sys::path::append(meta, "recordings.json");
  // A recordings.json that cannot say whether the file is a recording:
  // the times are taken as written, which for a recording is a step late.
  auto unread = [&](const std::string &why) {
    diag.warning(where, "'" + std::string(meta) + "' " + why +
                            ": the spike times are taken as written (the "
                            "spikes of a Neuro recording, stamped at the end "
                            "of their step, would each come one step late)");
    return 0.0;
  };
  std::string text, err;
  if (!llvm::sys::fs::exists(meta))
    return 0.0;
  result.dataFiles.insert(std::string(meta)); // it says how to read the file
  if (!rt::readWholeFile(std::string(meta), text, err))
    return unread("cannot be read (" + err + ")");
  if (rt::jsonTooDeep(text))
    return unread("is not a recordings.json (nested too deep)");
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json) {
    std::string why = llvm::toString(json.takeError());
    return unread("is not JSON (" + why + ")");
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *files = root ? root->getObject("files") : nullptr;
  if (!files)
    return unread("lists no files");
  const llvm::json::Object *entry =
      files->getObject(llvm::sys::path::filename(path));
  // Not listed, or another kind of file: not a recording of spikes.
  if (!entry || entry->getString("kind") != "spikes")
    return 0.0;
  std::optional<double> dt = root->getNumber("dt_s");
  if (!dt || !(*dt > 0) || !std::isfinite(*dt) ||
      entry->getString("stamps") != "end of step")
    return unread("does not say how the file's spikes are stamped (its "
                  "\"dt_s\" and \"stamps\")");
  // A recording stamps each spike at the end of its step: none before the
  // first step's end (else the shift back would put it before t = 0).
  for (double t : times)
    if (t < *dt * (1 - 1e-9)) {
      char what[160];
      std::snprintf(what, sizeof what,
                    "gives steps of %.17g s, but the file has a spike at "
                    "t = %.17g s, before the first step's end",
                    *dt, t);
      return unread(what + std::string(": it describes another run"));
    }
  // The spikes it lists, up to the steps it says were run (a streamed run
  // stopped midway may have flushed more since): another count means the
  // file was replaced after the run.
  std::optional<int64_t> listed = entry->getInteger("spikes");
  std::optional<int64_t> steps = root->getInteger("steps");
  if (listed && steps) {
    double end = double(*steps) * *dt * (1 + 1e-9);
    int64_t upTo = llvm::count_if(times, [&](double t) { return t <= end; });
    if (upTo != *listed)
      return unread("lists " + std::to_string(*listed) + " spikes for '" +
                    llvm::sys::path::filename(path).str() + "', which holds " +
                    std::to_string(upTo) +
                    " by then: it describes another file");
  }
  return *dt;
}

std::string Checker::resolvePath(const std::string &written,
                                 SourceRange where) {
  // Listed absolute: the directory a run is started from may change
  // before it writes (a Python script's os.chdir()).
  auto listed = [&](llvm::StringRef path) {
    llvm::SmallString<256> absolute(path);
    llvm::sys::fs::make_absolute(absolute);
    result.dataFiles.insert(std::string(absolute));
  };
  if (written.empty() || llvm::sys::path::is_absolute(written)) {
    if (!written.empty())
      listed(written);
    return written;
  }
  // Beside the file that names it (the REPL's declarations come from
  // several).
  llvm::StringRef from = module.filename;
  if (where.begin.buffer)
    from = diag.getSourceMgr()
               .getMemoryBuffer(where.begin.buffer)
               ->getBufferIdentifier();
  llvm::SmallString<256> path(llvm::sys::path::parent_path(from));
  llvm::sys::path::append(path, written);
  listed(path);
  return std::string(path);
}

bool Checker::checkListed(const rt::ConnectionSummary &list,
                          const PopulationInfo &src, const PopulationInfo &dst,
                          const NameRef &file) {
  // The largest index of each side, at the first row that holds it.
  for (auto [index, row, pop, what] :
       {std::make_tuple(list.maxPre, list.maxPreRow, &src, "pre"),
        std::make_tuple(list.maxPost, list.maxPostRow, &dst, "post")}) {
    if (index < pop->size)
      continue;
    diag.error(file.range,
               file.name + ": row " + std::to_string(row + 1) + ": " + what +
                   " " + std::to_string(index) + " is not a neuron of the " +
                   std::to_string(pop->size) + " of '" + pop->decl->name + "'");
    return false;
  }
  return true;
}

void Checker::readCells(const PopulationDecl &p, PopulationInfo &pop) {
  if (!p.cells)
    return;
  std::vector<std::string> names;
  std::string err;
  if (!rt::readNames(resolvePath(p.cells->name, p.cells->range), names, err)) {
    diag.error(p.cells->range, "cannot read the names: " + err);
    return;
  }
  if (int64_t(names.size()) != pop.size) {
    diag.error(p.cells->range,
               "'" + p.cells->name + "' names " + std::to_string(names.size()) +
                   " neurons, the population has " + std::to_string(pop.size));
    return;
  }
  std::set<std::string> seen;
  for (const std::string &n : names)
    if (!seen.insert(n).second) {
      diag.error(p.cells->range,
                 "'" + p.cells->name + "' names '" + n + "' twice");
      return;
    }
  pop.cells = names;
}

//===- Session.cpp - An interactive model: declarations and a network -----===//

#include "neuro/Codegen/Session.h"
#include "neuro/Codegen/Compiler.h"
#include "neuro/Frontend/Imports.h"
#include "neuro/Frontend/Parser.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"
#include "neuro/Runtime/Steps.h"
#include "neuro/Runtime/Units.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

using namespace neuro;

namespace {

std::string trimmed(llvm::StringRef s) { return s.trim().str(); }

/// `[a:b]`, `[i]`, `[a:]`, `[:b]` of a row of `size` values.
/// The text between the brackets of `bracketed` ("[a:b]", nothing after
/// the ']'); false and `err` when they are not closed.
bool sliceText(const std::string &bracketed, std::string &slice,
               std::string &err) {
  size_t close = bracketed.find(']');
  if (close == std::string::npos ||
      !trimmed(bracketed.substr(close + 1)).empty()) {
    err = rt::quoted(bracketed) + " is not a slice such as [0:10]";
    return false;
  }
  slice = bracketed.substr(1, close - 1);
  return true;
}

bool parseSlice(const std::string &slice, int64_t size, int64_t &begin,
                int64_t &end, std::string &err) {
  begin = 0;
  end = size;
  if (slice.empty())
    return true;
  // A whole number, all of `text` (std::stoll alone would take "1x" as 1).
  auto whole = [](const std::string &text, int64_t &v) {
    size_t used = 0;
    try {
      v = std::stoll(text, &used);
    } catch (...) {
      return false;
    }
    return used == text.size();
  };
  auto colon = slice.find(':');
  bool ok;
  if (colon == std::string::npos) {
    ok = whole(trimmed(slice), begin);
    end = begin + 1;
  } else {
    std::string a = trimmed(slice.substr(0, colon)),
                b = trimmed(slice.substr(colon + 1));
    ok = (a.empty() || whole(a, begin)) && (b.empty() || whole(b, end));
  }
  if (!ok || begin < 0 || end > size || begin >= end) {
    err = "[" + slice + "] is not a range of 0.." + std::to_string(size);
    return false;
  }
  return true;
}

/// Where `var` of population `p` is an input summed from projections'
/// synapses, its rows INPUT_PROJ, as " (the sums ... are ...)"; else "".
std::string summedRows(const rt::Simulator &sim, int p,
                       const std::string &var) {
  std::string sums;
  for (const rt::ProjectionSpec &proj : sim.spec().projections)
    if (proj.dst == p && sim.rowIndex(p, var + "_" + proj.name) >= 0)
      sums += (sums.empty() ? "" : ", ") + var + "_" + proj.name;
  return sums.empty() ? ""
                      : " (the sums of its projections' drives into it are " +
                            sums + ")";
}

} // namespace

Session::Session(CompileOptions options) : options(std::move(options)) {}
Session::~Session() = default;

int Session::define(const std::string &name, const std::string &text,
                    std::string &err) {
  llvm::SourceMgr sourceMgr;
  unsigned id = sourceMgr.AddNewSourceBuffer(
      withLineFeeds(llvm::MemoryBuffer::getMemBufferCopy(text, name)),
      llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  DiagEngine diag(sourceMgr, id, os);
  std::vector<TopLevelDecl> decls;
  if (!splitTopLevel(diag, decls)) {
    err = trimmed(os.str());
    return -1;
  }
  // An import that names no model would make every later build fail, and
  // only a declaration of the same name replaces one: refused now, as a
  // syntax error is.
  if (std::any_of(decls.begin(), decls.end(),
                  [](const TopLevelDecl &d) { return d.kind == "import"; })) {
    std::unique_ptr<Module> module = parseModule(diag);
    setStdlibDirectory(options.stdlibDir);
    if (!module || !resolveImports(*module, diag, options.searchPaths)) {
      err = trimmed(os.str());
      return -1;
    }
  }
  // Top-level names share one namespace: a declaration of another kind
  // under a name taken would make every later build fail until removed,
  // and nothing removes one. Refused, the set stays as it was. An import
  // declares the model its path ends with (`import std.neurons.LIF`).
  auto declared = [](const std::string &kind, const std::string &name) {
    return kind == "import" ? name.substr(name.rfind('.') + 1) : name;
  };
  std::map<std::string, std::string> kinds; // name -> kind
  auto clash = [&](const std::string &kind, const std::string &key) {
    auto [it, fresh] = kinds.emplace(declared(kind, key), kind);
    if (fresh || it->second == kind)
      return false;
    err = name + ": error: '" + it->first + "' is already " +
          (it->second == "import" ? "imported" : "a " + it->second) + ": a " +
          kind + " of that name would clash with it (redefine the " +
          (it->second == "import" ? "import" : it->second) +
          " or name this one otherwise); nothing was defined";
    return true;
  };
  for (const Declaration &old : declarations) {
    size_t space = old.key.find(' ');
    std::string kind = old.key.substr(0, space);
    bool replaced = std::any_of(decls.begin(), decls.end(), [&](auto &d) {
      return d.kind + " " + d.name == old.key;
    });
    if (!replaced)
      kinds.emplace(declared(kind, old.key.substr(space + 1)), kind);
  }
  for (const TopLevelDecl &d : decls)
    if (clash(d.kind, d.name))
      return -1;
  sources.push_back({name, sourceMgr.getMemoryBuffer(id)->getBuffer().str()});
  for (TopLevelDecl &d : decls) {
    Declaration decl{d.kind + " " + d.name, sources.size() - 1, d.offset,
                     d.text.size()};
    auto it = std::find_if(declarations.begin(), declarations.end(),
                           [&](auto &entry) { return entry.key == decl.key; });
    if (it != declarations.end())
      *it = std::move(decl);
    else
      declarations.push_back(std::move(decl));
  }
  forgetUnusedSources();
  changed = true;
  return int(decls.size());
}

/// `path` with symbolic links, `.` and `..` resolved where it exists, so
/// that one file read under two spellings is one file.
static std::string canonicalPath(const std::string &path) {
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(path, real))
    return std::string(real);
  return path;
}

void Session::forgetUnusedSources() {
  // The text of a call whose declarations were all given again since is
  // not needed any more.
  for (size_t source = 0; source + 1 < sources.size(); ++source)
    if (std::none_of(declarations.begin(), declarations.end(),
                     [&](const Declaration &d) { return d.source == source; }))
      sources[source].second.clear();
}

int Session::loadFile(const std::string &path, std::string &err) {
  std::string text;
  if (!rt::readWholeFile(path, text, err))
    return -1;
  // The file is read whole: the declarations an earlier read of it gave
  // go (a typed redefinition stays), unless this read fails; they neither
  // clash with its new ones.
  std::string same = canonicalPath(path);
  std::vector<Declaration> before = declarations;
  llvm::erase_if(declarations, [&](const Declaration &d) {
    return canonicalPath(sources[d.source].first) == same;
  });
  int n = define(path, text, err);
  if (n < 0) {
    declarations = std::move(before);
    return n;
  }
  file = path;
  changed = true;
  forgetUnusedSources();
  return n;
}

std::unique_ptr<Compiler> Session::load(CompileOptions opts,
                                        llvm::raw_ostream &diag) const {
  // One part per define() call that still has declarations: its text
  // with everything else blanked (line feeds kept), so that diagnostics
  // point into the file or input at the positions it had there.
  std::vector<SourcePart> parts;
  for (size_t source = 0; source < sources.size(); ++source) {
    const std::string &text = sources[source].second;
    std::optional<SourcePart> part;
    for (const Declaration &d : declarations) {
      if (d.source != source)
        continue;
      if (!part) {
        part = SourcePart{sources[source].first, text};
        for (char &ch : part->text)
          if (ch != '\n')
            ch = ' ';
      }
      part->text.replace(d.offset, d.length, text, d.offset, d.length);
    }
    if (part)
      parts.push_back(std::move(*part));
  }
  auto c = std::make_unique<Compiler>(diag, std::move(opts));
  c->loadParts(parts);
  return c;
}

void Session::dropStaleRows() {
  if (tunable.empty())
    return;
  std::string ignored;
  llvm::raw_string_ostream diag(ignored);
  CompileOptions opts = options;
  opts.tunable.clear();
  std::unique_ptr<Compiler> loaded = load(std::move(opts), diag);
  Compiler &c = *loaded;
  if (!c.parse() || !c.check())
    return; // the build reports the errors
  // A parameter set earlier that the model no longer has (it was
  // redefined) is no row to keep.
  for (auto it = tunable.begin(); it != tunable.end();) {
    auto dot = it->find('.');
    std::string pop = it->substr(0, dot), var = it->substr(dot + 1);
    bool found = false;
    for (const NetworkInfo &net : c.sema().networks)
      for (const PopulationInfo &p : net.populations)
        if (p.decl && p.decl->name == pop && p.model) {
          auto v = p.model->vars.find(var);
          found |= v != p.model->vars.end() && v->second.decl &&
                   v->second.decl->kind == VarDecl::Kind::Param;
        }
    it = found ? std::next(it) : tunable.erase(it);
  }
}

bool Session::build(const std::string &network, Built &built,
                    std::string &err) {
  dropStaleRows();
  std::string diagnostics;
  llvm::raw_string_ostream diag(diagnostics);
  CompileOptions opts = options;
  opts.tunable = tunable;
  std::unique_ptr<Compiler> c = load(std::move(opts), diag);
  rt::ModelSpec spec;
  if (!c->parse() || !c->check()) {
    err = trimmed(diag.str());
    return false;
  }
  // No name: the running network, where the model still declares it (a
  // rebuild after `build NAME` of one of several); else the only one.
  std::string name = network;
  if (name.empty() && sim)
    for (const NetworkInfo &n : c->sema().networks)
      if (n.decl && n.decl->name == sim->spec().name)
        name = n.decl->name;
  if (!c->generate() || !c->compileNetwork(name, spec)) {
    err = trimmed(diag.str());
    return false;
  }
  if (sim && spec.dt != sim->spec().dt) {
    char was[32], now[32];
    std::snprintf(was, sizeof was, "%g", sim->spec().dt * 1e3);
    std::snprintf(now, sizeof now, "%g", spec.dt * 1e3);
    err = std::string("error: the network's dt changes from ") + was +
          " ms to " + now +
          " ms; a running network keeps its time and spikes in steps of its "
          "dt: keep dt, or start the REPL again with the new model";
    return false;
  }
  auto fresh = std::make_unique<rt::Simulator>(spec);
  if (!fresh->build(err)) {
    // At the declaration that gave the value, when the message names one.
    if (c->reportBuildError(spec.name, err))
      err = trimmed(diag.str());
    else
      err = "building the network failed: " + err;
    return false;
  }
  built = Built();
  std::vector<std::string> kept;
  for (const std::string &r : records) {
    std::string what, why;
    if (addRecord(*fresh, r, what, why))
      kept.push_back(r);
    else
      built.dropped.push_back({r, why});
  }
  records = std::move(kept);
  built.network = spec.name;
  if (sim) {
    built.kept =
        fresh->adoptState(*sim, &built.inFlightDropped, &built.recordingsLost)
            .size();
    built.rebuilt = true;
  }
  // A Poisson drive's neurons stand for its targets' inputs, not neurons.
  for (const rt::PopulationSpec &p : spec.populations)
    built.neurons += p.driveInputs > 0 ? 0 : p.size;
  built.synapses = fresh->numSynapses();
  built.time = fresh->currentTime();
  compiler = std::move(c);
  sim = std::move(fresh);
  changed = false;
  return true;
}

bool Session::ensureBuilt(std::string &err) {
  Built built;
  return isBuilt() || build("", built, err);
}

bool Session::run(double seconds, const std::atomic<bool> &stop, int64_t &done,
                  std::string &err) {
  done = 0;
  if (!ensureBuilt(err))
    return false;
  int64_t steps = 0;
  // The whole run's end, not a slice's, is checked against float32 steps.
  if (!sim->stepsFor(seconds, steps, err) ||
      !sim->checkStepLimit(sim->currentStep() + steps, err))
    return false;
  while (done < steps && !stop) {
    int64_t n = std::min<int64_t>(steps - done, 1000);
    if (!sim->run(n, err))
      return false;
    done += n;
  }
  return true;
}

bool Session::resolve(const std::string &ref, Ref &out, std::string &err) {
  // Declarations that do not build leave the network built before to read.
  if (!ensureBuilt(err) && !sim)
    return false;
  err.clear();
  std::string name = trimmed(ref), slice;
  if (auto b = ref.find('['); b != std::string::npos) {
    name = trimmed(ref.substr(0, b)); // `E.v [0:2]` too
    if (!sliceText(ref.substr(b), slice, err))
      return false;
  }
  auto dot = name.find('.');
  if (dot == std::string::npos) {
    err = "name a variable as POP.VAR, e.g. E.v";
    return false;
  }
  std::string owner = name.substr(0, dot), var = name.substr(dot + 1);
  rt::StateView view;
  const std::vector<std::string> *units = nullptr;
  out = Ref();
  if (int p = sim->populationIndex(owner); p >= 0) {
    view = sim->state(p);
    out.row = sim->rowIndex(p, var);
    out.population = p;
    units = &sim->spec().populations[size_t(p)].units;
  } else if (int j = sim->projectionIndex(owner); j >= 0) {
    if (!sim->checkStored(j, err))
      return false;
    view = sim->synapseState(j);
    out.row = sim->synRowIndex(j, var);
    units = &sim->spec().projections[size_t(j)].synUnits;
  } else {
    err = "no population or projection " + rt::quoted(owner);
    return false;
  }
  if (out.row < 0) {
    std::string sums = out.population >= 0
                           ? summedRows(*sim, out.population, var)
                           : std::string();
    err = rt::quoted(owner) + " has no variable " + rt::quoted(var) +
          (!sums.empty() ? sums
                         : " (parameters and constant weights are compiled "
                           "into the kernels: change them in the model and "
                           "reload)");
    return false;
  }
  if (size_t(out.row) < units->size())
    out.unit = (*units)[size_t(out.row)];
  if (!parseSlice(slice, view.cols, out.begin, out.end, err))
    return false;
  out.data = view.row(out.row);
  return true;
}

bool Session::isFoldedParameter(const std::string &name) const {
  auto dot = name.find('.');
  if (dot == std::string::npos || !compiler || !sim)
    return false;
  std::string pop = name.substr(0, dot), var = name.substr(dot + 1);
  int p = sim->populationIndex(pop);
  if (p < 0)
    return false;
  // A parameter computed from others (AdEx's V_peak): set, it stops
  // following them, as --tunable makes it its own row.
  const std::vector<std::string> &derived =
      sim->spec().populations[size_t(p)].derived;
  if (sim->rowIndex(p, var) >= 0)
    return std::find(derived.begin(), derived.end(), var) != derived.end() &&
           !tunable.count(name);
  // A parameter of the model that is no row of the compiled network.
  std::vector<std::string> params =
      compiler->modelParameters(sim->spec().name, pop);
  return std::find(params.begin(), params.end(), var) != params.end();
}

bool Session::makeRow(const std::string &name, Built &built, std::string &err) {
  tunable.insert(name);
  bool wasChanged = changed;
  changed = true;
  if (build("", built, err))
    return true;
  tunable.erase(name);
  changed = wasChanged;
  return false;
}

bool Session::set(const std::string &ref, const std::string &value, Ref &out,
                  double &result, std::string &err) {
  std::string name = trimmed(ref.substr(0, ref.find('[')));
  if (!resolve(trimmed(ref), out, err) ||
      !rt::parseQuantityOf(trimmed(value), out.unit, "'" + name + "'", result,
                           err))
    return false;
  auto write = [&] {
    std::fill(out.data + out.begin, out.data + out.end, result);
  };
  // What is computed from a parameter follows it (propagators, derived
  // parameters); a value they cannot follow is not kept.
  if (out.population < 0) {
    write();
  } else if (!sim->changeRow(out.population, out.row, write, err)) {
    err += "; " + name + " keeps its value";
    return false;
  }
  return true;
}

bool Session::record(const std::string &args, std::string &what,
                     std::string &err) {
  if (!ensureBuilt(err) || !addRecord(*sim, args, what, err))
    return false;
  records.push_back(args);
  return true;
}

bool Session::addRecord(rt::Simulator &target, const std::string &args,
                        std::string &what, std::string &err) {
  auto of = args.find(" of ");
  std::string vars = trimmed(args.substr(0, of));
  std::string rest =
      of == std::string::npos ? "" : trimmed(args.substr(of + 4));
  double every = 0;
  bool everyGiven = false;
  std::string everyText;
  if (auto at = rest.find(" every "); at != std::string::npos) {
    everyGiven = true;
    everyText = rest.substr(at + 7);
    std::string why;
    if (!rt::parseDuration(trimmed(everyText), every, why)) {
      err = "every: " + why;
      return false;
    }
    rest = trimmed(rest.substr(0, at));
  }
  std::string pop = trimmed(rest.substr(0, rest.find('[')));
  int p = target.populationIndex(pop);
  if (vars.empty() || pop.empty()) {
    err = "record spikes of POP[a:b], or record VAR[, VAR] of POP[a:b] "
          "[every T]";
    return false;
  }
  if (p < 0) {
    err = "the network has no population " + rt::quoted(pop) +
          (target.projectionIndex(pop) >= 0
               ? " (" + rt::quoted(pop) +
                     " is a projection: the REPL records populations; "
                     "record its synapses in the model)"
               : "");
    return false;
  }
  rt::StateRecordSpec r;
  r.population = p;
  if (auto lb = rest.find('['); lb != std::string::npos) {
    std::string slice;
    if (!sliceText(rest.substr(lb), slice, err) ||
        !parseSlice(slice, target.spec().populations[size_t(p)].size, r.begin,
                    r.end, err))
      return false;
  } else {
    r.end = target.spec().populations[size_t(p)].size;
  }
  if (vars == "spikes") {
    if (everyGiven) {
      err = "spikes are recorded as they happen; 'every' applies to states";
      return false;
    }
    if (!target.recordSpikes(rt::RecordSpec{p, r.begin, r.end}, err))
      return false;
    what = "spikes of " + rest;
    return true;
  }
  r.every = 1;
  if (everyGiven) {
    double steps = std::round(every / target.spec().dt);
    if (!(steps >= 1)) {
      char dt[32];
      std::snprintf(dt, sizeof dt, "%g", target.spec().dt * 1e3);
      err = "every " + trimmed(everyText) +
            " is less than one step (dt = " + dt + " ms)";
      return false;
    }
    if (steps > 1e12) {
      err =
          "every " + trimmed(everyText) + " is more steps than a run can have";
      return false;
    }
    if (!rt::onStepGrid(every, target.spec().dt)) {
      char dt[32];
      std::snprintf(dt, sizeof dt, "%g", target.spec().dt * 1e3);
      err = "every " + trimmed(everyText) +
            " is not a whole number of steps (dt = " + dt + " ms)";
      return false;
    }
    r.every = int64_t(steps);
  }
  // Names between commas, none of them empty (`record v, of E` is not
  // `record v of E`).
  for (size_t start = 0;;) {
    size_t comma = vars.find(',', start);
    std::string var = trimmed(vars.substr(start, comma - start));
    if (var.empty()) {
      err = "a name is missing in " + rt::quoted(vars) +
            ": record VAR[, VAR] of POP[a:b] [every T]";
      return false;
    }
    int row = target.rowIndex(p, var);
    if (row < 0) {
      err = rt::quoted(pop) + " has no state " + rt::quoted(var) +
            summedRows(target, p, var);
      return false;
    }
    r.rows.push_back(row);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (!target.recordStates(r, err))
    return false;
  what = vars + " of " + rest + " every " + std::to_string(r.every) + " steps";
  return true;
}

std::vector<std::string> Session::inputFiles() const {
  std::vector<std::string> loaded;
  for (const auto &[name, text] : sources)
    if (name != "<repl>")
      loaded.push_back(name);
  if (!compiler)
    return loaded;
  return compiler->readFiles(std::move(loaded));
}

std::vector<std::string> Session::names() const {
  std::vector<std::string> out;
  if (!sim)
    return out;
  for (const rt::PopulationSpec &p : sim->spec().populations)
    for (const std::string &r : p.rows)
      if (r[0] != '_')
        out.push_back(p.name + "." + r);
  return out;
}

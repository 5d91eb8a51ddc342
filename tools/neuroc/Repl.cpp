//===- Repl.cpp - neuroc repl: build, run and inspect interactively -------===//
//
// The session keeps the model as a list of top-level declarations (from
// `load FILE` and typed in, several lines until the braces close); a
// declaration of a kind and name already there replaces it. The network is
// compiled and built when first run after a change, taking over the time
// and the variables that still exist (Simulator::adoptState). Commands:
// see kHelp. Ctrl-C stops a run at a step boundary.
//
//===----------------------------------------------------------------------===//

#include "Repl.h"
#include "Plot.h"
#include "ReplSource.h"

#include "neuro/Codegen/Compiler.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"
#include "neuro/Runtime/Units.h"

#include "llvm/Support/raw_ostream.h"

#include <editline/readline.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace neuro;

namespace {

const char *kHelp = R"(commands:
  load FILE            read the declarations of FILE (replacing ones of the
                       same kind and name)
  reload               read the last file again, rebuild, keep the state
  neuron/synapse/network/... { ... }
                       define or redefine a declaration inline
  build [NETWORK]      compile and build now (else done by run)
  run T                run for T (100 ms, 2 s); Ctrl-C stops at a step
  time                 the simulated time
  print POP.VAR[a:b]   values (POP.VAR: all neurons, summarized if many)
  stats POP.VAR[a:b]   mean, sd, min and max
  set POP.VAR[a:b] = X set values (X with its unit, -65 mV; a bare number
                       only for dimensionless variables); a parameter is
                       made a per-neuron row (one rebuild)
  record spikes of POP record VAR[, VAR] of POP[a:b] [every T]
                       record from now on (plot writes and draws them)
  spikes [POP]         spike counts and rates since the network was built
  plot [DIR]           write the recordings to DIR (repl_out) and plot them
  checkpoint FILE      save the state; restore FILE continues from one
  vars                 populations, projections and their variables
  help, quit
A script read on standard input goes on after a command fails, and the
session then exits with status 1.
)";

std::atomic<bool> interrupted{false};

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

void onInterrupt(int) { interrupted = true; }

class Session {
public:
  /// The environment is read once, when the session starts, as neuroc
  /// reads it for a run.
  Session(const std::vector<std::string> &includes, bool singlePrecision)
      : options(CompileOptions::fromEnvironment(/*cache=*/true)) {
    options.searchPaths.insert(options.searchPaths.begin(), includes.begin(),
                               includes.end());
    options.singlePrecision = singlePrecision;
  }

  void loadFile(const std::string &path) {
    std::string text, err;
    if (!rt::readWholeFile(path, text, err)) {
      error() << err << "\n";
      return;
    }
    if (std::string bad = invalidUtf8(text); !bad.empty()) {
      error() << path << ":" << bad
              << ": .neuro files are UTF-8 text; nothing was loaded\n";
      return;
    }
    lastFile = path;
    size_t n = merge(text);
    std::cout << "loaded " << path << " (" << n << " declarations)\n";
  }

  /// Merges declarations; returns how many.
  size_t merge(const std::string &text) {
    auto decls = splitDeclarations(text);
    for (auto &[key, body] : decls) {
      auto it = std::find_if(declarations.begin(), declarations.end(),
                             [&](auto &d) { return d.first == key; });
      if (it != declarations.end())
        it->second = body;
      else
        declarations.push_back({key, body});
    }
    changed = true;
    return decls.size();
  }

  bool build(const std::string &network) {
    std::string source;
    for (auto &d : declarations)
      source += d.second + "\n";
    std::string diagnostics;
    llvm::raw_string_ostream diag(diagnostics);
    CompileOptions opts = options;
    opts.tunable = tunable;
    auto c = std::make_unique<Compiler>(diag, std::move(opts));
    c->loadString(lastFile.empty() ? "<repl>" : lastFile, source);
    rt::ModelSpec spec;
    if (!c->parse() || !c->check() || !c->generate() ||
        !c->compileNetwork(network, spec)) {
      failed = true;
      std::cout << diagnostics;
      return false;
    }
    auto fresh = std::make_unique<rt::Simulator>(spec);
    std::string err;
    if (!fresh->build(err)) {
      error() << "building the network failed: " << err << "\n";
      return false;
    }
    for (const std::string &r : records)
      addRecord(*fresh, r, /*quiet=*/true);
    if (sim) {
      std::vector<std::string> kept = fresh->adoptState(*sim);
      std::cout << "rebuilt " << spec.name << " at t = " << fresh->currentTime()
                << " s, kept " << kept.size() << " variables\n";
    } else {
      std::cout << "built " << spec.name << ": ";
      int64_t neurons = 0;
      for (const rt::PopulationSpec &p : spec.populations)
        neurons += p.size;
      std::cout << neurons << " neurons, " << fresh->numSynapses()
                << " synapses\n";
    }
    compiler = std::move(c);
    sim = std::move(fresh);
    changed = false;
    return true;
  }

  bool ensureBuilt() { return (!changed && sim) || build(""); }

  void run(const std::string &arg) {
    double seconds = 0;
    if (!rt::parseDuration(arg, seconds) &&
        !rt::parseDuration(removeSpaces(arg), seconds)) {
      error() << "run needs a time such as 100 ms or 2 s\n";
      return;
    }
    if (!ensureBuilt())
      return;
    int64_t steps = 0;
    std::string why;
    if (!rt::durationSteps(seconds, sim->spec().dt, steps, why)) {
      error() << "" << why << "\n";
      return;
    }
    std::vector<int64_t> before(sim->spec().populations.size());
    for (size_t p = 0; p < before.size(); ++p)
      before[p] = sim->spikeCount(int(p));
    interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    std::string err;
    int64_t done = 0;
    bool ok = true;
    while (done < steps && !interrupted) {
      int64_t n = std::min<int64_t>(steps - done, 1000);
      if (!(ok = sim->run(n, err)))
        break;
      done += n;
    }
    std::signal(SIGINT, previous);
    if (!ok)
      error() << "" << err << "\n";
    if (interrupted)
      std::cout << "stopped at t = " << sim->currentTime() << " s\n";
    std::cout << "t = " << sim->currentTime() << " s;";
    double window = double(done) * sim->spec().dt;
    for (size_t p = 0; p < before.size(); ++p) {
      const rt::PopulationSpec &pop = sim->spec().populations[p];
      int64_t n = sim->spikeCount(int(p)) - before[p];
      std::cout << " " << pop.name << " " << n << " spikes";
      if (window > 0)
        std::cout << " (" << fixed3(double(n) / (double(pop.size) * window))
                  << " Hz)";
    }
    std::cout << "\n";
  }

  /// POP.VAR[a:b] -> a view of the values (population or projection).
  bool resolve(const std::string &ref, double *&data, int64_t &begin,
               int64_t &end, std::string *unit = nullptr) {
    if (!ensureBuilt())
      return false;
    std::string name = ref, slice;
    if (auto b = ref.find('['); b != std::string::npos) {
      name = ref.substr(0, b);
      slice = ref.substr(b + 1, ref.find(']') - b - 1);
    }
    auto dot = name.find('.');
    if (dot == std::string::npos) {
      error() << "name a variable as POP.VAR, e.g. E.v\n";
      return false;
    }
    std::string owner = name.substr(0, dot), var = name.substr(dot + 1);
    rt::StateView view;
    int row = -1;
    if (int p = sim->populationIndex(owner); p >= 0) {
      view = sim->state(p);
      row = sim->rowIndex(p, var);
      const std::vector<std::string> &units = sim->spec().populations[p].units;
      if (unit && row >= 0 && size_t(row) < units.size())
        *unit = units[size_t(row)];
    } else if (int j = sim->projectionIndex(owner); j >= 0) {
      view = sim->synapseState(j);
      row = sim->synRowIndex(j, var);
      const std::vector<std::string> &units =
          sim->spec().projections[j].synUnits;
      if (unit && row >= 0 && size_t(row) < units.size())
        *unit = units[size_t(row)];
    } else {
      error() << "no population or projection '" << owner << "'\n";
      return false;
    }
    if (row < 0) {
      error() << "'" << owner << "' has no variable '" << var
              << "' (parameters and constant weights are compiled into "
                 "the kernels: change them in the model and reload)\n";
      return false;
    }
    begin = 0;
    end = view.cols;
    if (!slice.empty()) {
      auto colon = slice.find(':');
      try {
        if (colon == std::string::npos) {
          begin = std::stoll(slice);
          end = begin + 1;
        } else {
          std::string a = trim(slice.substr(0, colon)),
                      b = trim(slice.substr(colon + 1));
          begin = a.empty() ? 0 : std::stoll(a);
          end = b.empty() ? view.cols : std::stoll(b);
        }
      } catch (...) {
        begin = -1;
      }
      if (begin < 0 || end > view.cols || begin >= end) {
        error() << "[" << slice << "] is not a range of 0.." << view.cols
                << "\n";
        return false;
      }
    }
    data = view.row(row);
    return true;
  }

  void print(const std::string &ref, bool statsOnly) {
    double *data;
    int64_t b, e;
    if (!resolve(ref, data, b, e))
      return;
    int64_t n = e - b;
    if (!statsOnly) {
      std::cout << ref << " =";
      for (int64_t i = b; i < e && i < b + 10; ++i)
        std::cout << " " << data[i];
      if (n > 10)
        std::cout << " ... (" << n << " values)";
      std::cout << "\n";
      if (n <= 10)
        return;
    }
    double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
    for (int64_t i = b; i < e; ++i) {
      sum += data[i];
      sq += data[i] * data[i];
      lo = std::min(lo, data[i]);
      hi = std::max(hi, data[i]);
    }
    double mean = sum / double(n);
    double sd = std::sqrt(std::max(0.0, sq / double(n) - mean * mean));
    std::cout << ref << ": n " << n << ", mean " << mean << ", sd " << sd
              << ", min " << lo << ", max " << hi << "\n";
  }

  void set(const std::string &args) {
    auto eq = args.find('=');
    double value;
    if (eq == std::string::npos) {
      error() << "set POP.VAR[a:b] = VALUE [UNIT]\n";
      return;
    }
    double *data;
    int64_t b, e;
    std::string ref = trim(args.substr(0, eq));
    // A parameter compiled into the kernels: rebuild once with it as a
    // per-neuron row, keeping the state.
    std::string name = ref.substr(0, ref.find('['));
    if (ensureBuilt() && !tunable.count(name) && isFoldedParameter(name)) {
      tunable.insert(name);
      bool wasChanged = changed;
      changed = true;
      if (!build("")) {
        // Keep the running network as it was.
        tunable.erase(name);
        changed = wasChanged;
        return;
      }
    }
    std::string unit, err;
    if (!resolve(ref, data, b, e, &unit))
      return;
    if (!rt::parseQuantityOf(trim(args.substr(eq + 1)), unit, "'" + name + "'",
                             value, err)) {
      error() << err << "\n";
      return;
    }
    std::fill(data + b, data + e, value);
    // What is computed from a parameter follows it (propagators, derived
    // parameters).
    std::string owner = name.substr(0, name.find('.'));
    if (int p = sim->populationIndex(owner);
        p >= 0 &&
        !sim->rowsChanged(p, sim->rowIndex(p, name.substr(name.find('.') + 1)),
                          err))
      error() << err << "\n";
    std::cout << ref << " = " << value << " (" << (e - b) << " values)\n";
  }

  void spikes(const std::string &pop) {
    if (!ensureBuilt())
      return;
    double t = sim->currentTime();
    for (size_t p = 0; p < sim->spec().populations.size(); ++p) {
      const rt::PopulationSpec &spec = sim->spec().populations[p];
      if (!pop.empty() && spec.name != pop)
        continue;
      int64_t n = sim->spikeCount(int(p));
      std::cout << spec.name << ": " << n << " spikes";
      if (t > 0)
        std::cout << ", " << fixed3(double(n) / (double(spec.size) * t))
                  << " Hz";
      std::cout << "\n";
    }
  }

  void vars() {
    if (!ensureBuilt())
      return;
    for (const rt::PopulationSpec &p : sim->spec().populations) {
      std::cout << p.name << " (" << p.size << "):";
      for (const std::string &r : p.rows)
        if (r[0] != '_')
          std::cout << " " << r;
      std::cout << "\n";
    }
    for (size_t j = 0; j < sim->spec().projections.size(); ++j) {
      const rt::ProjectionSpec &p = sim->spec().projections[j];
      std::cout << p.name << " (" << sim->numSynapses(int(j)) << " synapses):";
      for (const std::string &r : p.synRows)
        if (r[0] != '_')
          std::cout << " " << r;
      std::cout << "\n";
    }
  }

  void plot(const std::string &dir) {
    if (!ensureBuilt())
      return;
    std::string out = dir.empty() ? "repl_out" : dir, err;
    if (!sim->writeSpikes(out, err) || !sim->writeStates(out, err)) {
      error() << "" << err << "\n";
      return;
    }
    std::vector<std::string> written;
    if (!plotRecordings(out, written, err))
      error() << "" << err << "\n";
    else
      std::cout << "plotted " << written.size() / 2 << " figures in " << out
                << "\n";
  }

  /// Whether `POP.NAME` names a parameter of POP's model that is not a row.
  bool isFoldedParameter(const std::string &name) {
    auto dot = name.find('.');
    if (dot == std::string::npos || !compiler)
      return false;
    std::string pop = name.substr(0, dot), var = name.substr(dot + 1);
    int p = sim->populationIndex(pop);
    if (p < 0 || sim->rowIndex(p, var) >= 0)
      return false;
    for (const NetworkInfo &net : compiler->sema().networks)
      for (const PopulationInfo &info : net.populations)
        if (info.decl->name == pop && info.params.count(var))
          return true;
    return false;
  }

  /// `record spikes of POP` or `record VAR[, VAR] of POP[a:b] [every T]`.
  bool addRecord(rt::Simulator &target, const std::string &args, bool quiet) {
    std::string what = trim(args.substr(0, args.find(" of ")));
    std::string rest = args.find(" of ") == std::string::npos
                           ? ""
                           : trim(args.substr(args.find(" of ") + 4));
    double every = 0;
    if (auto at = rest.find(" every "); at != std::string::npos) {
      if (!rt::parseDuration(trim(rest.substr(at + 7)), every)) {
        error() << "every needs a time such as 1 ms\n";
        return false;
      }
      rest = trim(rest.substr(0, at));
    }
    std::string pop = rest.substr(0, rest.find('['));
    int p = target.populationIndex(pop);
    if (what.empty() || p < 0) {
      error() << "record spikes of POP, or record VAR[, VAR] of "
                 "POP[a:b] [every T]\n";
      return false;
    }
    if (what == "spikes") {
      target.recordSpikes(p);
      if (!quiet)
        std::cout << "recording spikes of " << pop << "\n";
      return true;
    }
    rt::StateRecordSpec r;
    r.population = p;
    r.begin = 0;
    r.end = target.spec().populations[size_t(p)].size;
    if (auto lb = rest.find('['); lb != std::string::npos) {
      std::string slice = rest.substr(lb + 1, rest.find(']') - lb - 1);
      auto colon = slice.find(':');
      try {
        r.begin = colon == std::string::npos
                      ? std::stoll(slice)
                      : std::stoll(slice.substr(0, colon));
        r.end = colon == std::string::npos
                    ? r.begin + 1
                    : std::stoll(slice.substr(colon + 1));
      } catch (...) {
        r.begin = -1;
      }
    }
    r.every = every > 0
                  ? std::max<int64_t>(1, std::llround(every / target.spec().dt))
                  : 1;
    std::stringstream vars(what);
    std::string var;
    while (std::getline(vars, var, ',')) {
      int row = target.rowIndex(p, trim(var));
      if (row < 0) {
        error() << "" << pop << " has no state '" << trim(var) << "'\n";
        return false;
      }
      r.rows.push_back(row);
    }
    std::string err;
    if (!target.recordStates(r, err)) {
      error() << "" << err << "\n";
      return false;
    }
    if (!quiet)
      std::cout << "recording " << what << " of " << rest << " every "
                << r.every << " steps\n";
    return true;
  }

  /// At the end of input: a declaration still open is reported, not lost
  /// silently.
  void finish() {
    if (!trim(pending).empty())
      error() << "the input ended inside a declaration (unclosed "
                 "'{'); it was not defined\n";
    pending.clear();
  }

  /// Names for tab completion.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (!sim)
      return out;
    for (const rt::PopulationSpec &p : sim->spec().populations)
      for (const std::string &r : p.rows)
        if (r[0] != '_')
          out.push_back(p.name + "." + r);
    return out;
  }

  /// Whether a command failed (printed an error).
  bool hadErrors() const { return failed; }

  /// One input line; false to quit.
  bool line(const std::string &raw) {
    std::string l = trim(raw);
    if (pending.empty() &&
        (scan.inComment || l.rfind("/*", 0) == 0 || l.rfind("//", 0) == 0)) {
      // A comment; what follows a block comment's end is the line.
      l = trim(scan.feed(raw));
      scan.next();
      if (l.empty())
        return true;
    }
    if (!pending.empty() || isDeclarationStart(l)) {
      pending += raw + "\n";
      code += scan.feed(raw) + "\n";
      if (scan.depth > 0 ||
          (!scan.opened && trim(code).rfind("import", 0) != 0))
        return true;
      if (std::string bad = invalidUtf8(pending); !bad.empty()) {
        error() << "<repl>:" << bad << ": it was not defined\n";
      } else {
        size_t n = merge(pending);
        std::cout << "defined " << n << " declaration" << (n == 1 ? "" : "s")
                  << "\n";
      }
      pending.clear();
      code.clear();
      scan.next();
      return true;
    }
    if (l.empty())
      return true;
    std::string cmd = l.substr(0, l.find(' '));
    std::string arg =
        l.find(' ') == std::string::npos ? "" : trim(l.substr(l.find(' ')));
    if (cmd == "quit" || cmd == "exit")
      return false;
    if (cmd == "help")
      std::cout << kHelp;
    else if (cmd == "load")
      loadFile(arg);
    else if (cmd == "reload") {
      if (lastFile.empty())
        error() << "no file loaded\n";
      else {
        loadFile(lastFile);
        build("");
      }
    } else if (cmd == "build")
      build(arg);
    else if (cmd == "run")
      run(arg);
    else if (cmd == "time") {
      if (sim)
        std::cout << "t = " << sim->currentTime() << " s\n";
      else
        std::cout << "t = 0 s (not built)\n";
    } else if (cmd == "print")
      print(arg, false);
    else if (cmd == "stats")
      print(arg, true);
    else if (cmd == "set")
      set(arg);
    else if (cmd == "spikes")
      spikes(arg);
    else if (cmd == "vars")
      vars();
    else if (cmd == "plot")
      plot(arg);
    else if (cmd == "record") {
      if (ensureBuilt() && addRecord(*sim, arg, false))
        records.push_back(arg);
    } else if (cmd == "checkpoint" || cmd == "restore") {
      std::string err;
      if (!ensureBuilt())
        return true;
      bool ok = cmd == "checkpoint" ? sim->saveCheckpoint(arg, err)
                                    : sim->restoreCheckpoint(arg, err);
      if (ok)
        std::cout << (cmd == "checkpoint" ? "saved " : "restored ") << arg
                  << " at t = " << sim->currentTime() << " s\n";
      else
        error() << "" << err << "\n";
    } else
      error() << "unknown command '" << cmd << "' (try help)\n";
    return true;
  }

private:
  /// Prints "error: " and marks the session as having failed.
  std::ostream &error() {
    failed = true;
    return std::cout << "error: ";
  }
  static std::string removeSpaces(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
  }
  static bool isDeclarationStart(const std::string &l) {
    for (const char *kw : {"neuron ", "synapse ", "network ", "plasticity ",
                           "function ", "import ", "@"})
      if (l.rfind(kw, 0) == 0)
        return true;
    return false;
  }

  CompileOptions options;
  std::vector<std::pair<std::string, std::string>> declarations;
  std::string lastFile, pending, code;
  SourceScanner scan;
  bool failed = false;
  bool changed = false;
  std::set<std::string> tunable;
  std::vector<std::string> records;
  std::unique_ptr<Compiler> compiler;
  std::unique_ptr<rt::Simulator> sim;
};

Session *completing = nullptr;

char *completeName(const char *text, int state) {
  static std::vector<std::string> matches;
  static size_t next;
  if (state == 0) {
    matches.clear();
    next = 0;
    std::vector<std::string> all = {"help", "load",    "reload",    "build",
                                    "run",  "time",    "print",     "stats",
                                    "set",  "spikes",  "plot",      "vars",
                                    "quit", "restore", "checkpoint"};
    if (completing)
      for (const std::string &n : completing->names())
        all.push_back(n);
    for (const std::string &n : all)
      if (n.rfind(text, 0) == 0)
        matches.push_back(n);
  }
  if (next >= matches.size())
    return nullptr;
  return strdup(matches[next++].c_str());
}

} // namespace

int neuro::runRepl(const std::string &file,
                   const std::vector<std::string> &includes,
                   bool singlePrecision) {
  Session session(includes, singlePrecision);
  bool terminal = isatty(0) != 0;
  std::string history;
  if (const char *home = std::getenv("HOME"))
    history = std::string(home) + "/.neuro_history";
  if (terminal) {
    completing = &session;
    rl_completion_entry_function = completeName;
    if (!history.empty())
      read_history(history.c_str());
    std::cout << "neuro repl: help for commands, quit to leave\n";
  }
  if (!file.empty())
    session.loadFile(file);
  for (;;) {
    std::string text;
    if (terminal) {
      char *raw = readline("neuro> ");
      if (!raw)
        break;
      text = raw;
      if (!trim(text).empty())
        add_history(raw);
      std::free(raw);
    } else if (!std::getline(std::cin, text)) {
      break;
    } else {
      std::cout << "> " << text << "\n";
    }
    if (!session.line(text))
      break;
    std::cout.flush();
  }
  session.finish();
  if (terminal && !history.empty())
    write_history(history.c_str());
  // A script fails when one of its commands did, as a shell's would.
  return !terminal && session.hadErrors() ? 1 : 0;
}

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

#include "neuro/Codegen/Session.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Quote.h"
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
  reload               read the last file again (what it no longer declares
                       goes), rebuild, keep the state
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
  record spikes of POP[a:b], record VAR[, VAR] of POP[a:b] [every T]
                       record from now on (plot writes and draws them)
  spikes [POP]         spike counts and rates since the network was built
  plot [DIR]           write the recordings to DIR (repl_out) and plot them
  plasticity on|off PROJ[, PROJ...]
                       switch the plasticity of projections (as in a network)
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

/// The mean rate of `n` spikes of `pop` over `window` seconds: per neuron,
/// or per input of a Poisson drive (each of its neurons stands for a
/// target's `driveInputs` inputs).
std::string rateText(const rt::PopulationSpec &pop, int64_t n, double window) {
  bool drive = pop.driveInputs > 0;
  double sources = double(pop.size) * double(drive ? pop.driveInputs : 1);
  return fixed3(double(n) / (sources * window)) +
         (drive ? " Hz per input" : " Hz");
}

/// The terminal side of a Session: reads commands and declarations line by
/// line and prints what they did.
class Repl {
public:
  /// The environment is read once, when the session starts, as neuroc
  /// reads it for a run.
  Repl(const std::vector<std::string> &includes, Precision precision)
      : session(options(includes, precision)) {}

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
    int n = session.loadFile(path, err);
    if (n < 0) {
      failed = true;
      std::cout << err << "\n";
      return;
    }
    std::cout << "loaded " << path << " (" << n << " declarations)\n";
  }

  bool build(const std::string &network) {
    Session::Built built;
    std::string err;
    if (!session.build(network, built, err)) {
      failed = true;
      std::cout << err << "\n";
      return false;
    }
    if (built.rebuilt)
      report(built);
    else
      std::cout << "built " << built.network << ": " << built.neurons
                << " neurons, " << built.synapses << " synapses\n";
    return true;
  }

  static void report(const Session::Built &b) {
    std::cout << "rebuilt " << b.network << " at t = " << b.time << " s, kept "
              << b.kept << " variables\n";
    for (const auto &[record, why] : b.dropped)
      std::cout << "warning: 'record " << record << "' is not kept: " << why
                << "\n";
    for (const std::string &lost : b.recordingsLost)
      std::cout << "warning: " << lost << "\n";
    for (const std::string &pop : b.inFlightDropped)
      std::cout << "warning: the spikes in flight from '" << pop
                << "' are dropped: its projections or their delays changed "
                   "(the new network would deliver them again)\n";
  }

  bool ensureBuilt() { return session.isBuilt() || build(""); }
  /// For commands that read or save the network: the one built before
  /// when the declarations changed since and do not build, so that what
  /// the session ran can still be looked at and saved.
  bool ensureReadable() {
    if (session.isBuilt() || build(""))
      return true;
    if (!session.simulator())
      return false;
    std::cout << "note: this uses the network built before; the "
                 "declarations since do not build\n";
    return true;
  }

  void run(const std::string &arg) {
    double seconds = 0;
    std::string why, again;
    if (!rt::parseDuration(arg, seconds, why) &&
        !rt::parseDuration(removeSpaces(arg), seconds, again)) {
      error() << "run: " << why << "\n";
      return;
    }
    if (!ensureBuilt())
      return;
    rt::Simulator &sim = *session.simulator();
    std::vector<int64_t> before(sim.spec().populations.size());
    for (size_t p = 0; p < before.size(); ++p)
      before[p] = sim.spikeCount(int(p));
    interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    std::string err;
    int64_t done = 0;
    bool ok = session.run(seconds, interrupted, done, err);
    std::signal(SIGINT, previous);
    if (!ok)
      error() << err << "\n";
    if (interrupted)
      std::cout << "stopped at t = " << sim.currentTime() << " s\n";
    // A run refused before its first step has nothing to report.
    if (!ok && done == 0)
      return;
    std::cout << "t = " << sim.currentTime() << " s;";
    double window = double(done) * sim.spec().dt;
    for (size_t p = 0; p < before.size(); ++p) {
      const rt::PopulationSpec &pop = sim.spec().populations[p];
      int64_t n = sim.spikeCount(int(p)) - before[p];
      std::cout << " " << pop.name << " " << n << " spikes";
      if (window > 0)
        std::cout << " (" << rateText(pop, n, window) << ")";
    }
    std::cout << "\n";
  }

  void print(const std::string &ref, bool statsOnly) {
    Session::Ref r;
    std::string err;
    if (!ensureReadable())
      return;
    if (!session.resolve(ref, r, err)) {
      error() << err << "\n";
      return;
    }
    const double *data = r.data;
    int64_t b = r.begin, e = r.end, n = e - b;
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
    if (n == 0) {
      std::cout << ref << ": no values\n";
      return;
    }
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    for (int64_t i = b; i < e; ++i) {
      sum += data[i];
      lo = std::min(lo, data[i]);
      hi = std::max(hi, data[i]);
    }
    double mean = sum / double(n);
    // Two passes: the squares' mean minus the squared mean cancels.
    double sq = 0;
    for (int64_t i = b; i < e; ++i)
      sq += (data[i] - mean) * (data[i] - mean);
    double sd = std::sqrt(sq / double(n));
    std::cout << ref << ": n " << n << ", mean " << mean << ", sd " << sd
              << ", min " << lo << ", max " << hi << "\n";
  }

  void set(const std::string &args) {
    auto eq = args.find('=');
    if (eq == std::string::npos) {
      error() << "set POP.VAR[a:b] = VALUE [UNIT]\n";
      return;
    }
    if (!ensureBuilt())
      return;
    std::string ref = trim(args.substr(0, eq)), err;
    // A parameter compiled into the kernels: rebuild once with it as a
    // per-neuron row, keeping the state.
    std::string name = trim(ref.substr(0, ref.find('[')));
    if (session.isFoldedParameter(name)) {
      Session::Built b;
      if (!session.makeRow(name, b, err)) {
        failed = true;
        std::cout << err << "\n";
        return;
      }
      report(b);
    }
    Session::Ref r;
    double value = 0;
    if (!session.set(ref, args.substr(eq + 1), r, value, err)) {
      error() << err << "\n";
      return;
    }
    std::cout << ref << " = " << value << " (" << (r.end - r.begin)
              << " values)\n";
  }

  void spikes(const std::string &pop) {
    if (!ensureReadable())
      return;
    rt::Simulator &sim = *session.simulator();
    double t = sim.currentTime();
    if (!pop.empty() && sim.populationIndex(pop) < 0) {
      error() << "no population '" << pop << "'\n";
      return;
    }
    for (size_t p = 0; p < sim.spec().populations.size(); ++p) {
      const rt::PopulationSpec &spec = sim.spec().populations[p];
      if (!pop.empty() && spec.name != pop)
        continue;
      int64_t n = sim.spikeCount(int(p));
      std::cout << spec.name << ": " << n << " spikes";
      if (t > 0)
        std::cout << ", " << rateText(spec, n, t);
      std::cout << "\n";
    }
  }

  void vars() {
    if (!ensureReadable())
      return;
    rt::Simulator &sim = *session.simulator();
    for (const rt::PopulationSpec &p : sim.spec().populations) {
      std::cout << p.name << " (" << p.size << "):";
      for (const std::string &r : p.rows)
        if (r[0] != '_')
          std::cout << " " << r;
      std::cout << "\n";
    }
    for (size_t j = 0; j < sim.spec().projections.size(); ++j) {
      const rt::ProjectionSpec &p = sim.spec().projections[j];
      std::cout << p.name << " (" << sim.numSynapses(int(j)) << " synapses";
      if (sim.isProcedural(int(j))) {
        // Drawn again for each spike: nothing to print or set.
        std::cout << ", procedural, not stored)\n";
        continue;
      }
      std::cout << "):";
      for (const std::string &r : p.synRows)
        if (r[0] != '_')
          std::cout << " " << r;
      std::cout << "\n";
    }
  }

  void plot(const std::string &dir) {
    if (!ensureReadable())
      return;
    rt::Simulator &sim = *session.simulator();
    std::string out = dir.empty() ? "repl_out" : dir, err;
    if (!sim.checkOutputs(out, session.inputFiles(), err) ||
        !sim.writeSpikes(out, err) || !sim.writeStates(out, err)) {
      error() << "" << err << "\n";
      return;
    }
    std::vector<std::string> written, warnings;
    bool ok = plotRecordings(out, written, warnings, err);
    for (const std::string &w : warnings)
      std::cout << "warning: " << w << "\n";
    if (!ok)
      error() << "" << err << "\n";
    else
      std::cout << "plotted " << written.size() / 2 << " figures in " << out
                << "\n";
  }

  /// `plasticity on|off PROJ[, PROJ...]`, as the network statement.
  void plasticity(const std::string &args) {
    std::string mode = args.substr(0, args.find(' '));
    std::vector<std::string> names;
    std::stringstream list(args.size() > mode.size() ? args.substr(mode.size())
                                                     : std::string());
    for (std::string name; std::getline(list, name, ',');)
      names.push_back(trim(name));
    if ((mode != "on" && mode != "off") || names.empty() ||
        std::find(names.begin(), names.end(), "") != names.end()) {
      error() << "plasticity on|off PROJ[, PROJ...]\n";
      return;
    }
    if (!ensureBuilt())
      return;
    rt::Simulator &sim = *session.simulator();
    std::vector<int> projections;
    for (const std::string &name : names) {
      projections.push_back(sim.projectionIndex(name));
      if (projections.back() < 0) {
        error() << "no projection '" << name << "'\n";
        return;
      }
    }
    for (int j : projections) {
      sim.setPlastic(j, mode == "on");
      // As the network statement warns: a weight nothing writes.
      const rt::ProjectionSpec &p = sim.spec().projections[size_t(j)];
      if (p.weightRow < 0 || !p.synapsesWritten)
        std::cout << "warning: nothing changes the weight of '" << p.name
                  << "': 'plasticity " << mode << "' has no effect on it\n";
    }
    std::cout << "plasticity " << mode << " for "
              << args.substr(mode.size() + 1) << "\n";
  }

  void record(const std::string &args) {
    std::string what, err;
    if (!ensureBuilt())
      return;
    if (!session.record(args, what, err))
      error() << err << "\n";
    else
      std::cout << "recording " << what << "\n";
  }

  void checkpoint(const std::string &cmd, const std::string &arg) {
    if (!ensureReadable())
      return;
    rt::Simulator &sim = *session.simulator();
    std::string err;
    bool ok = cmd == "checkpoint" ? sim.saveCheckpoint(arg, err)
                                  : sim.restoreCheckpoint(arg, err);
    if (ok)
      std::cout << (cmd == "checkpoint" ? "saved " : "restored ") << arg
                << " at t = " << sim.currentTime() << " s\n";
    else
      error() << "" << err << "\n";
  }

  /// Declarations typed in: defined once their braces close.
  void define(const std::string &text) {
    if (std::string bad = invalidUtf8(text); !bad.empty()) {
      error() << "<repl>:" << bad << ": it was not defined\n";
      return;
    }
    std::string err;
    int n = session.define("<repl>", text, err);
    if (n < 0) {
      failed = true;
      std::cout << err << "\n";
      return;
    }
    std::cout << "defined " << n << " declaration" << (n == 1 ? "" : "s")
              << "\n";
  }

  /// At the end of input: a declaration still open is reported, not lost
  /// silently.
  void finish() {
    if (!trim(pending).empty())
      error() << "the input ended inside a declaration (unclosed "
                 "'{'); it was not defined\n";
    pending.clear();
  }

  std::vector<std::string> names() const { return session.names(); }

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
      std::string c = trim(code);
      // Imports and functions end with their line, the others with their
      // braces.
      bool lineEnds = c.rfind("import", 0) == 0 || c.rfind("function", 0) == 0;
      if (scan.depth > 0 || (!scan.opened && !lineEnds))
        return true;
      define(pending);
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
    return command(cmd, arg);
  }

private:
  static CompileOptions options(const std::vector<std::string> &includes,
                                Precision precision) {
    CompileOptions o = CompileOptions::fromEnvironment(/*cache=*/true);
    o.searchPaths.insert(o.searchPaths.begin(), includes.begin(),
                         includes.end());
    o.precision = precision;
    return o;
  }

  bool command(const std::string &cmd, const std::string &arg) {
    if (cmd == "quit" || cmd == "exit")
      return false;
    if (cmd == "help")
      std::cout << kHelp;
    else if (cmd == "load")
      loadFile(arg);
    else if (cmd == "reload") {
      if (session.lastFile().empty())
        error() << "no file loaded\n";
      else {
        loadFile(session.lastFile());
        build("");
      }
    } else if (cmd == "build")
      build(arg);
    else if (cmd == "run")
      run(arg);
    else if (cmd == "time") {
      if (rt::Simulator *sim = session.simulator())
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
    else if (cmd == "record")
      record(arg);
    else if (cmd == "plasticity")
      plasticity(arg);
    else if (cmd == "checkpoint" || cmd == "restore")
      checkpoint(cmd, arg);
    else
      error() << "unknown command '" << cmd << "' (try help)\n";
    return true;
  }

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
    // `plasticity on/off PROJ` is a command, `plasticity NAME {` a rule:
    // a name followed by anything but its brace is not one.
    if (l.rfind("plasticity ", 0) == 0) {
      // (A comment after the name is no part of it.)
      std::string rest = trim(l.substr(0, l.find("//")).substr(11));
      size_t end = rest.find_first_of(" \t{");
      std::string word = rest.substr(0, end);
      std::string after =
          end == std::string::npos ? "" : trim(rest.substr(end));
      if (word == "on" || word == "off" || (!after.empty() && after[0] != '{'))
        return false;
    }
    for (const char *kw : {"neuron ", "synapse ", "network ", "plasticity ",
                           "function ", "import ", "@"})
      if (l.rfind(kw, 0) == 0)
        return true;
    return false;
  }

  Session session;
  std::string pending, code;
  SourceScanner scan;
  bool failed = false;
};

Repl *completing = nullptr;

char *completeName(const char *text, int state) {
  static std::vector<std::string> matches;
  static size_t next;
  if (state == 0) {
    matches.clear();
    next = 0;
    std::vector<std::string> all = {
        "help",       "load",   "reload", "build",   "run",       "time",
        "print",      "stats",  "set",    "spikes",  "plot",      "vars",
        "plasticity", "record", "quit",   "restore", "checkpoint"};
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
                   Precision precision) {
  Repl session(includes, precision);
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
  // Lines longer than any model's: read no further than this.
  constexpr size_t kMaxLine = size_t(1) << 24;
  auto readLine = [&](std::istream &in, std::string &line) {
    line.clear();
    for (int c; (c = in.get()) != EOF;) {
      if (c == '\n')
        return true;
      line.push_back(char(c));
      if (line.size() > kMaxLine)
        return true;
    }
    return !line.empty();
  };
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
    } else if (!readLine(std::cin, text)) {
      break;
    } else if (text.size() > kMaxLine) {
      // Not echoed: a stream without line breaks (/dev/zero) is no input.
      std::cout << "error: line of more than " << kMaxLine / 1000000
                << " MB: the input is not a model or commands; stopped\n";
      return 1;
    } else {
      // Echoed as typed, but for control characters (\xHH): a script's
      // escape sequence does not reach the terminal.
      std::cout << "> " << rt::visible(text) << "\n";
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

//===- Session.h - An interactive model: declarations and a network -*- C++
//-*-===//
//
// What `neuroc repl` does without the terminal: the session keeps a model as
// top-level declarations (split by the parser, splitTopLevel), replacing one
// of the same kind and name when it is given again; compiles and builds the
// network when it is first needed after a change, taking over the time and
// the variables that still exist (Simulator::adoptState); resolves
// `POP.VAR[a:b]` references, sets values with their units, adds recordings
// and runs in slices that a flag can stop. Nothing here prints: results come
// back as values and errors as messages.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_SESSION_H
#define NEURO_CODEGEN_SESSION_H

#include "neuro/Codegen/CompileOptions.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace neuro {

class Compiler;
namespace rt {
class Simulator;
} // namespace rt

class Session {
public:
  /// `options` as the driver filled them (the environment read once).
  explicit Session(CompileOptions options);
  ~Session();

  /// Merges the declarations of `text` (named `name` in diagnostics);
  /// returns how many, or -1 with the parser's diagnostics in `err` (then
  /// nothing is merged).
  int define(const std::string &name, const std::string &text,
             std::string &err);
  /// define() of a file's text; remembered for reload().
  int loadFile(const std::string &path, std::string &err);
  const std::string &lastFile() const { return file; }

  /// What build() did.
  struct Built {
    std::string network;
    bool rebuilt = false; ///< the state of the previous network was adopted
    int64_t neurons = 0, synapses = 0;
    size_t kept = 0; ///< variables taken over
    double time = 0; ///< the simulated time it starts from
    /// Recordings added before that the new network cannot take (`record`
    /// arguments, then why), no longer kept.
    std::vector<std::pair<std::string, std::string>> dropped;
    /// Populations whose spikes in flight were dropped: their outgoing
    /// projections or delays changed (Simulator::adoptState).
    std::vector<std::string> inFlightDropped;
    /// What was recorded before that the rebuilt network does not carry
    /// on, one sentence each (Recorder::adoptRecordings).
    std::vector<std::string> recordingsLost;
  };
  /// Compiles network `network` (empty: the only one) of the declarations
  /// and builds it; false with the diagnostics or the reason in `err`.
  bool build(const std::string &network, Built &built, std::string &err);
  /// Builds if nothing is built or declarations changed since.
  bool ensureBuilt(std::string &err);
  /// Whether a network is built and current.
  bool isBuilt() const { return sim && !changed; }

  /// Runs `seconds` of simulated time in slices of at most 1000 steps,
  /// stopping between slices once `stop` is set; `done` is the steps run.
  bool run(double seconds, const std::atomic<bool> &stop, int64_t &done,
           std::string &err);

  /// A reference `POP.VAR` or `PROJ.VAR` with an optional `[a:b]` or `[i]`.
  struct Ref {
    double *data = nullptr; ///< the row
    int64_t begin = 0, end = 0;
    std::string unit; ///< as the compiler wrote it ("V")
    int population = -1;
    int row = -1;
  };
  bool resolve(const std::string &ref, Ref &out, std::string &err);
  /// Whether set() of `POP.NAME` needs makeRow() first: a parameter of
  /// POP's model that the kernels hold as a constant, or one computed from
  /// others (which, set, stops following them).
  bool isFoldedParameter(const std::string &name) const;
  /// Compiles and builds again with parameter `POP.NAME` as a per-neuron
  /// row, keeping the state; false with the diagnostics in `err` (the
  /// running network stays as it was).
  bool makeRow(const std::string &name, Built &built, std::string &err);
  /// Sets the values of `ref` from `value` (a quantity in the variable's
  /// dimension). `out` says where. False with `err` when nothing was set,
  /// also when what is computed from the values could not be (a propagator
  /// came out infinite): the old values are kept then.
  bool set(const std::string &ref, const std::string &value, Ref &out,
           double &set, std::string &err);

  /// `spikes of POP` or `VAR[, VAR] of POP[a:b] [every T]`: records from
  /// now on, and again after every rebuild. `what` describes it.
  bool record(const std::string &args, std::string &what, std::string &err);

  /// The built simulator (null before the first build).
  rt::Simulator *simulator() { return sim.get(); }
  /// `POP.VAR` of every public state row, for completion.
  std::vector<std::string> names() const;
  /// The files the built network reads (its data files) and the files
  /// loaded, as absolute paths: what plot must not write over.
  std::vector<std::string> inputFiles() const;

private:
  bool addRecord(rt::Simulator &target, const std::string &args,
                 std::string &what, std::string &err);
  /// Forgets the parameters in `tunable` that the model no longer has (it
  /// was redefined since they were set).
  void dropStaleRows();
  /// Clears the text of define() calls none of whose declarations is left.
  void forgetUnusedSources();
  /// A compiler loaded with the declarations, each where it was given.
  std::unique_ptr<Compiler> load(CompileOptions opts,
                                 llvm::raw_ostream &diag) const;

  /// A top-level declaration: bytes [offset, offset + length) of the text
  /// of define() call `source`.
  struct Declaration {
    std::string key; ///< "neuron LIF"
    size_t source = 0;
    size_t offset = 0, length = 0;
  };
  CompileOptions options;
  std::vector<Declaration> declarations;
  /// The name (a file, "<repl>") and text of each define() call.
  std::vector<std::pair<std::string, std::string>> sources;
  std::string file;
  bool changed = false;
  std::set<std::string> tunable;
  std::vector<std::string> records;
  std::unique_ptr<Compiler> compiler;
  std::unique_ptr<rt::Simulator> sim;
};

} // namespace neuro

#endif // NEURO_CODEGEN_SESSION_H

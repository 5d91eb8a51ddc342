//===- Usage.cpp - neuroc's usage text and usage errors -------------------===//

#include "Usage.h"

#include "neuro/Frontend/Diagnostics.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <iterator>

using namespace neuro;

const char *const neuro::kUsage = R"(usage:
  neuroc check [--verbose] [--network NAME] [--set POP.VAR=VALUE]
               [--tunable POP.PARAM,...] [-I DIR] FILE
  neuroc emit --stage=STAGE [--vector-width N] [--precision P] [--chip SM]
              [-I DIR] FILE
      STAGE: ast, neuro, elaborated, integrated, lowered, llvm-dialect, llvm;
             for NVIDIA GPUs: gpu (gpu.module), ptx
  neuroc run [--json] [-o DIR] [--network NAME] [--seed N] [--threads N]
             [--target cpu|cuda|cuda-emulated]
             [--duration T] [--checkpoint FILE] [--restore FILE]
             [--set POP.VAR=VALUE] [--tunable POP.PARAM,...]
             [--vector-width N] [--precision P]
             [--spikes-format npy|sonata|npy,sonata] [--no-cache] [-I DIR] FILE
  neuroc build [--shared] [-o PROGRAM] [--network NAME] [--vector-width N]
               [--precision P] [--tunable POP.PARAM,...] [--target cpu|cuda]
               [--set POP.VAR=VALUE] [-I DIR] FILE
  neuroc plot DIR
  neuroc import [--dt T] [--reset zero|subtract] [--input current|spikes]
                -o MODEL.neuro FILE.nir
  neuroc import [--dt T] [--components DIR] -o MODEL.neuro CONFIG.json
  neuroc export --format=nir [--network NAME] [-I DIR] -o FILE.nir MODEL.neuro
  neuroc devices
  neuroc repl [--precision P] [-I DIR] [FILE]

import writes a NIR graph (HDF5) as a .neuro model with its weight tables
beside it; NIR is continuous in time: --dt (default 0.1ms) is the step,
--reset the reset after a spike (zero: to v_reset, or 0; subtract: v minus
the threshold), --input how Input nodes are driven (current: a table of
values per step, MODEL_input.csv; spikes: spike times, same file with
columns i,t). export writes the network of a model made of such parts as a
NIR graph (docs/interop.md).
import CONFIG.json reads a SONATA circuit (circuit_config.json, a
simulation_config.json naming it, or a config.json naming both): nodes and
edges (HDF5), their type tables, the cells' and synapses' dynamics_params
(also looked for in --components DIR), the step, duration and spike inputs
of the simulation; it writes a network of std.sonata models with tables
beside it (docs/interop.md). --dt overrides the simulation's step.
run --spikes-format=sonata writes the recorded spikes as a SONATA spike
report, DIR/spikes.h5 (/spikes/<population>/timestamps in ms and
node_ids, sorted by time), instead of DIR/spikes_<population>.npy;
npy,sonata writes both.
repl builds, runs and inspects a model interactively (help lists the
commands); it also reads a script on standard input.
devices lists the NVIDIA GPUs the CUDA driver finds (libcuda.so.1, opened
at run time), or says why there are none.
plot draws what a run recorded in DIR: spike rasters, rate histograms
and state traces, as SVG and PNG, next to the recordings.
build links the compiled model with the runtime into PROGRAM (default: the
file's name without .neuro), which needs no LLVM: PROGRAM [--json] [-o DIR]
[--seed N] [--threads N] [--duration T] [--checkpoint FILE] [--restore FILE]
[--set POP.VAR=VALUE] [--target cpu|cuda] runs it as neuroc run would.
--set POP.VAR=VALUE (run and built programs) sets the starting value of a
state, or of a parameter built with --tunable (POP.NAME, POP.*, *; run
makes the parameters it sets tunable itself), for all neurons of POP;
run also takes --set NAME=VALUE for a network's `param` and
--set PROJ.VAR=VALUE for a projection's parameter, weight or state (built
programs: a weight built with --tunable PROJ.w). Values take units
(-65mV, 2ms) and must have the variable's dimension.
build --target=cuda also embeds the GPU kernels' PTX (sm_80 and sm_90, or
the --chip ones): the program runs on the GPU, or on the CPU with
--target cpu. A GPU runs the image of its chip, else the newest older one.
--shared builds a shared library (default lib<name>.so) with a C API
instead, and its header next to it (<library name>.h).

--target=cuda runs the steps on the first NVIDIA GPU (the network is built
on the host, then copied; under mpirun, GPU local rank mod GPUs of each
process); --target=cuda-emulated runs the same GPU kernels
and device step loop on the CPU, one thread (to check the GPU path without
a GPU).
run keeps compiled kernels in $NEURO_CACHE_DIR (default ~/.cache/neuro)
and links them again while the model's kernels do not change; --no-cache
compiles afresh and stores nothing.
--duration T runs T (2s, 500ms: a time has its unit) instead of the
model's duration (at most 1e12 steps, as for the model's run statements);
--checkpoint FILE saves the state at the end of the run and --restore FILE
continues from one (then runs the duration again): a run of 2T equals a
run of T with --checkpoint followed by one of T with --restore.
--threads N runs on N threads (default: one per 100,000 neurons, at most
one per core; more than the machine's hardware threads run on those, with
a note; NEURO_MAX_THREADS raises the limit) and
--vector-width N integrates N neurons at a time (default: from the CPU,
1: scalar); results do not depend on either.
--precision single keeps the state and synapse variables in float32 and
computes each step in float32 (twice the neurons per vector, half the
memory traffic); the default, double, uses float64; mixed keeps the
synapse variables (weights) in float32 and computes in float64, the state
staying float64: 8 bytes per synapse with a weight instead of 12. Recordings and
checkpoints stay float64 files holding the float32 values. A single
precision run counts steps in float32 and stops before step 2^24.
-Werror makes warnings (unused parameters, shadowed built-ins) errors.
--diagnostics-format=json prints each error, warning and note as a JSON
object on one line (file, line, column, endLine, endColumn, severity,
message), for editors.
Each command takes the options shown for it; another command's option is
an error (build --seed: the built program takes --seed).
-I DIR adds a folder searched by `import a.b.Model` (also NEURO_PATH);
`import std...` searches the model library (NEURO_STDLIB overrides it).
)";

static bool joinOnUsageError = false;

void neuro::usageJoinsProcesses(bool joins) { joinOnUsageError = joins; }

static bool jsonUsageErrors = false;

void neuro::usageErrorsAsJson(bool json) { jsonUsageErrors = json; }

int neuro::usageError(const std::string &message) {
  // Under mpirun the processes of `run` fail together; rank 0 says why.
  if (joinOnUsageError &&
      !rt::failBeforeJoining(rt::RunEnvironment::read(), message))
    return 2;
  if (jsonUsageErrors) {
    printJsonDiagnostic(llvm::errs(), "", 0, 0, 0, 0, "error", message);
    return 2;
  }
  // The message and where the usage is: the whole text (a hundred lines)
  // would scroll the message out of sight.
  llvm::errs() << "neuroc: error: " << message
               << "\nrun 'neuroc --help' for the usage of every command\n";
  return 2;
}

std::string neuro::unknownCommand(const std::string &command) {
  static const char *const commands[] = {"check", "emit",   "run",
                                         "build", "import", "export",
                                         "repl",  "plot",   "devices"};
  if (llvm::is_contained(commands, llvm::StringRef(command)))
    return "";
  // `neuroc model.neuro`: the command left out.
  if (llvm::StringRef(command).ends_with(".neuro"))
    return "unknown command " + rt::quoted(command) +
           "; to run a model: neuroc run " + command;
  return "unknown command " + rt::quoted(command) +
         "; the commands are check, emit, run, build, import, export, repl, "
         "plot and devices";
}

std::string neuro::optionNotTaken(const std::string &command,
                                  const std::string &arg) {
  if (arg.size() < 2 || arg[0] != '-')
    return "";
  llvm::StringRef flag = llvm::StringRef(arg).split('=').first;
  if (flag.starts_with("-I"))
    flag = "-I";
  // What each command reads; check, emit, run, build and export also take
  // -I, -Werror and --diagnostics-format.
  static const std::pair<const char *, const char *> taken[] = {
      {"check", "--verbose -v --network --set --tunable"},
      {"emit", "--stage --vector-width --precision --chip --target --network "
               "--set --tunable"},
      {"run", "--json -o --network --seed --threads --target --duration "
              "--checkpoint --restore --set --vector-width --precision "
              "--spikes-format --no-cache --chip --tunable"},
      {"build", "--shared -o --network --vector-width --precision --tunable "
                "--target --chip --set"},
      {"import", "--dt --reset --input --components -o"},
      {"export", "--format --network -o"},
      {"repl", "--precision -I"},
      {"plot", ""},
      {"devices", ""}};
  static const char *const compiling[] = {"-I", "-Werror",
                                          "--diagnostics-format"};
  auto takes = [&](llvm::StringRef cmd) {
    if (flag == "--help" || flag == "-h")
      return true;
    if (cmd != "plot" && cmd != "devices" && cmd != "import" && cmd != "repl" &&
        llvm::is_contained(compiling, flag))
      return true;
    for (const auto &[name, flags] : taken) {
      if (cmd != name)
        continue;
      llvm::SmallVector<llvm::StringRef> list;
      llvm::StringRef(flags).split(list, ' ', -1, false);
      return llvm::is_contained(list, flag);
    }
    return false;
  };
  if (takes(command))
    return "";
  bool known = llvm::any_of(
      taken, [&](const auto &entry) { return takes(entry.first); });
  if (!known)
    return "";
  std::string why = command + " does not take " + flag.str();
  if (command == "build" &&
      llvm::is_contained({"--seed", "--threads", "--duration", "--json",
                          "--checkpoint", "--restore"},
                         flag))
    why += " (the built program does: ./PROGRAM " + flag.str() + " ...)";
  else if (command == "run" && flag == "--dt")
    why += " (the step is the network's `dt = ...`; --dt is import's)";
  return why;
}

//===- Main.cpp - The main of executables built by neuroc build -----------===//
//
// Linked with the kernels' object code and a generated neuroAotModel():
//
//   ./sim [--json] [-o DIR] [--seed N] [--threads N] [--duration T]
//         [--checkpoint FILE] [--restore FILE] [--target cpu|cuda]
//
// with the meaning they have for `neuroc run`; T is in seconds, or with a
// unit (`500ms`, `2s`). Needs neither LLVM nor MLIR. Programs built with
// --target=cuda hold the PTX of their GPU kernels (neuro_aot_ptx) and run
// on the GPU unless given --target cpu, with the options of the GPU
// backend read from the environment here (NEURO_GPU_BATCH,
// NEURO_GPU_STAGING, NEURO_GPU_DELIVERY).
//
//===----------------------------------------------------------------------===//

#include "cuda/Backend.h"
#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Comm.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

const neuro::rt::ModelSpec &neuroAotModel();
extern "C" int64_t neuro_abi_version(void);
extern "C" const char *const *neuro_aot_ptx(int *count);
extern "C" const char *const *neuro_aot_inputs(int *count);

namespace {

int usage(const char *program, const std::string &message) {
  // Under mpirun the processes fail together; rank 0 says why.
  if (!message.empty() &&
      !neuro::rt::failBeforeJoining(neuro::rt::RunEnvironment::read(), message))
    return 2;
  if (!message.empty())
    std::cerr << program << ": error: " << message << "\n";
  std::cerr << "usage: " << program
            << " [--json] [-o DIR] [--seed N] [--threads N] [--duration T]\n"
               "       [--checkpoint FILE] [--restore FILE] [--set POP.VAR=X]\n"
               "       [--target cpu|cuda]\n"
               "Runs the model built into this program (see neuroc run).\n";
  return message.empty() ? 0 : 2;
}

} // namespace

int main(int argc, char **argv) {
  const char *program = argv[0];
  if (neuro_abi_version() != NEURO_ABI_VERSION) {
    std::cerr << program << ": error: kernels built for runtime ABI "
              << neuro_abi_version() << ", linked with " << NEURO_ABI_VERSION
              << "\n";
    return 1;
  }
  // The environment, read once here.
  neuro::rt::RunEnvironment env = neuro::rt::RunEnvironment::read();
  neuro::rt::RunOptions options;
  options.program = program;
  options.progress = env.progress;
  int images = 0, inputs = 0;
  const char *const *ptx = neuro_aot_ptx(&images);
  // The recordings do not replace the files the model was built from.
  const char *const *read = neuro_aot_inputs(&inputs);
  options.inputs.assign(read, read + inputs);
  std::string target = images ? "cuda" : "cpu";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *flag, std::string &out) {
      std::string f(flag);
      if (a.rfind(f + "=", 0) == 0) {
        out = a.substr(f.size() + 1);
        return true;
      }
      if (a == f && i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      return false;
    };
    std::string v;
    if (a == "--help" || a == "-h")
      return usage(program, "");
    if (a == "--json") {
      options.json = true;
    } else if (value("-o", v)) {
      if (v.empty())
        return usage(program, "-o needs a folder name");
      options.outDir = v;
    } else if (value("--seed", v)) {
      uint64_t seed = 0;
      std::string err;
      if (!neuro::rt::parseSeed(v, seed, err))
        return usage(program, err);
      options.seed = seed;
    } else if (value("--threads", v)) {
      std::string note, err;
      if (!neuro::rt::parseThreads(v, env.maxThreads, options.threads, note,
                                   err))
        return usage(program, err);
      if (!note.empty())
        std::cerr << program << ": note: " << note << "\n";
    } else if (value("--duration", v)) {
      double seconds = 0;
      std::string err;
      if (!neuro::rt::parseDuration(v, seconds, err))
        return usage(program, "--duration: " + err);
      options.duration = seconds;
    } else if (value("--set", v)) {
      auto eq = v.find('=');
      if (eq == std::string::npos)
        return usage(program, "--set needs POP.VAR=VALUE");
      options.sets.push_back({v.substr(0, eq), v.substr(eq + 1)});
    } else if (value("--checkpoint", v)) {
      if (v.empty())
        return usage(program, "--checkpoint needs a file name");
      options.checkpoint = v;
    } else if (value("--restore", v)) {
      if (v.empty())
        return usage(program, "--restore needs a file name");
      options.restore = v;
    } else if (value("--target", v)) {
      if (v != "cpu" && v != "cuda")
        return usage(program, "--target is cpu or cuda");
      if (v == "cuda" && !images)
        return usage(program, "this program was built without --target=cuda");
      target = v;
    } else if (a == "-o" || a == "--seed" || a == "--threads" ||
               a == "--duration" || a == "--set" || a == "--checkpoint" ||
               a == "--restore" || a == "--target") {
      return usage(program, a + " needs a value");
    } else {
      return usage(program, "unknown argument " + neuro::rt::quoted(a));
    }
  }
  if (target == "cuda") {
    std::string err;
    neuro::rt::cuda::DeviceOptions device;
    for (const char *var : neuro::rt::cuda::DeviceOptions::kVariables)
      if (!device.set(var, std::getenv(var), err)) {
        if (neuro::rt::failBeforeJoining(env, err))
          std::cerr << program << ": error: " << err << "\n";
        return 1;
      }
    if (!neuro::rt::cuda::Driver::load(err)) {
      err += " (--target cpu runs on the CPU)";
      if (neuro::rt::failBeforeJoining(env, err))
        std::cerr << program << ": error: " << err << "\n";
      return 1;
    }
    options.attach = [=](neuro::rt::Simulator &sim,
                         std::string &err) -> std::optional<std::string> {
      std::vector<neuro::rt::cuda::PtxImage> list;
      for (int n = 0; n < images; ++n)
        list.push_back({ptx[2 * n], ptx[2 * n + 1]});
      return neuro::rt::cuda::DeviceBackend::install(
          sim, neuro::rt::cuda::openCudaDevice(list, err), device, err);
    };
  }
  // Under mpirun the processes run one network; rank 0 speaks.
  std::string err;
  if (!neuro::rt::joinProcesses(env, options, err)) {
    std::cerr << program << ": error: " << err << "\n";
    return 1;
  }
  int status =
      neuro::rt::runModel(neuroAotModel(), options, std::cout, std::cerr);
  std::cout.flush();
  neuro::rt::Comm::finalize();
  return status;
}

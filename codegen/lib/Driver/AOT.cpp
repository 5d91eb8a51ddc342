//===- AOT.cpp - Executables that run a compiled model without LLVM -------===//

#include "neuro/Codegen/AOT.h"
#include "neuro/Conversion/Passes.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

using namespace neuro;

namespace {

/// Exact C++ spelling of a double.
std::string lit(double v) {
  if (std::isnan(v))
    return "std::numeric_limits<double>::quiet_NaN()";
  if (std::isinf(v))
    return v > 0 ? "std::numeric_limits<double>::infinity()"
                 : "-std::numeric_limits<double>::infinity()";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%a", v);
  return buf;
}

std::string lit(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\%03o", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string lit(int64_t v) { return std::to_string(v) + "LL"; }

class SourceWriter {
public:
  explicit SourceWriter(llvm::function_ref<bool(llvm::StringRef)> defined)
      : defined(defined) {}

  /// `&_mlir_ciface_<name>` (declared once), or nullptr when the object
  /// has no such kernel.
  std::string kernel(const std::string &name, const char *type) {
    if (!defined("_mlir_ciface_" + name))
      return "nullptr";
    declarations << "extern \"C\" void _mlir_ciface_" << name << "();\n";
    return "reinterpret_cast<" + std::string(type) + ">(&_mlir_ciface_" + name +
           ")";
  }

  /// A static array of `values` at namespace scope, returning its name: a
  /// large table compiles in a fraction of the time a braced list of a
  /// std::vector takes.
  template <typename T>
  std::string array(const char *type, const std::vector<T> &values) {
    std::string name = "neuro_table_" + std::to_string(tables++);
    declarations << "static const " << type << " " << name << "[] = {";
    for (size_t k = 0; k < values.size(); ++k)
      declarations << (k ? (k % 8 ? ", " : ",\n  ") : "") << lit(values[k]);
    declarations << "};\n";
    return name;
  }

  void init(const std::string &to, const rt::InitSpec &i) {
    body << "  {\n    rt::InitSpec i;\n    i.kind = rt::InitSpec::Kind("
         << int(i.kind) << ");\n    i.a = " << lit(i.a)
         << ";\n    i.b = " << lit(i.b) << ";\n    i.every = " << lit(i.every)
         << ";\n    i.columns = " << lit(i.columns) << ";\n";
    if (i.values && !i.values->empty()) {
      std::string values = array("double", *i.values);
      body << "    i.values = std::make_shared<std::vector<double>>(" << values
           << ", " << values << " + " << i.values->size() << ");\n";
    } else if (i.values) {
      body << "    i.values = std::make_shared<std::vector<double>>();\n";
    }
    body << "    " << to << " = i;\n  }\n";
  }

  template <typename T> void list(const std::string &to, const T &values) {
    body << "  " << to << " = {";
    bool first = true;
    for (const auto &v : values) {
      body << (first ? "" : ", ") << lit(v);
      first = false;
    }
    body << "};\n";
  }

  std::ostringstream declarations, body;

private:
  int tables = 0;
  llvm::function_ref<bool(llvm::StringRef)> defined;
};

} // namespace

std::string
neuro::emitModelSource(const rt::ModelSpec &spec, const std::string &network,
                       llvm::function_ref<bool(llvm::StringRef)> defined) {
  std::string text;
  llvm::raw_string_ostream os(text);
  SourceWriter w(defined);
  std::ostringstream &b = w.body;
  b << "  m.name = " << lit(spec.name) << ";\n  m.dt = " << lit(spec.dt)
    << ";\n  m.steps = " << lit(spec.steps) << ";\n  m.seed = " << spec.seed
    << "ULL;\n  m.singlePrecision = "
    << (spec.singlePrecision ? "true" : "false") << ";\n";
  for (size_t p = 0; p < spec.populations.size(); ++p) {
    const rt::PopulationSpec &pop = spec.populations[p];
    std::string at = "m.populations[" + std::to_string(p) + "]";
    b << "  m.populations.emplace_back();\n";
    b << "  " << at << ".name = " << lit(pop.name) << ";\n  " << at
      << ".size = " << lit(pop.size) << ";\n";
    w.list(at + ".rows", pop.rows);
    w.list(at + ".units", pop.units);
    b << "  " << at << ".init.resize(" << pop.init.size() << ");\n";
    for (size_t r = 0; r < pop.init.size(); ++r)
      w.init(at + ".init[" + std::to_string(r) + "]", pop.init[r]);
    b << "  " << at << ".generator = " << (pop.generator ? "true" : "false")
      << ";\n  " << at << ".poissonRate = " << lit(pop.poissonRate) << ";\n  "
      << at << ".driveInputs = " << lit(pop.driveInputs) << ";\n";
    if (!pop.schedule.empty()) {
      std::vector<int64_t> steps, neurons;
      for (const auto &[step, neuron] : pop.schedule) {
        steps.push_back(step);
        neurons.push_back(neuron);
      }
      std::string s = w.array("long long", steps),
                  n = w.array("long long", neurons);
      b << "  for (size_t k = 0; k < " << steps.size() << "; ++k)\n    " << at
        << ".schedule.emplace_back(" << s << "[k], " << n << "[k]);\n";
    }
    w.list(at + ".ablated", pop.ablated);
    if (!pop.generator) {
      b << "  " << at << ".step = "
        << w.kernel(stepKernelName(network, pop.name), "NeuroStepFn") << ";\n";
      b << "  " << at << ".reset = "
        << w.kernel(resetKernelName(network, pop.name), "NeuroResetFn")
        << ";\n";
      b << "  " << at << ".initFn = "
        << w.kernel(initKernelName(network, pop.name), "NeuroInitFn") << ";\n";
      b << "  " << at << ".deriveFn = "
        << w.kernel(deriveKernelName(network, pop.name), "NeuroInitFn")
        << ";\n";
      w.list(at + ".derived", pop.derived);
    }
  }
  for (size_t j = 0; j < spec.projections.size(); ++j) {
    const rt::ProjectionSpec &pr = spec.projections[j];
    std::string at = "m.projections[" + std::to_string(j) + "]";
    // The program carries the table it connects from (.incbin), so that
    // it runs without the model's files.
    if (pr.rule == rt::ProjectionSpec::FromFile && !pr.file.empty() &&
        llvm::sys::fs::is_regular_file(pr.file)) {
      std::string sym = "neuro_embedded_" + std::to_string(j), path;
      for (char ch : pr.file) {
        if (ch == '\\' || ch == '"')
          path += '\\';
        path += ch;
      }
      std::string code = ".pushsection .rodata,\"a\"\n.globl " + sym +
                         "\n.hidden " + sym + "\n" + sym + ":\n.incbin \"" +
                         path + "\"\n.globl " + sym + "_end\n.hidden " + sym +
                         "_end\n" + sym + "_end:\n.popsection\n";
      w.declarations << "__asm__(" << lit(code) << ");\n"
                     << "extern \"C\" const char " << sym << "[], " << sym
                     << "_end[];\n";
      b << "  rt::embedFile(" << lit(pr.file) << ", " << sym << ", size_t("
        << sym << "_end - " << sym << "));\n";
    }
    b << "  m.projections.emplace_back();\n";
    b << "  " << at << ".name = " << lit(pr.name) << ";\n  " << at
      << ".src = " << pr.src << ";\n  " << at << ".dst = " << pr.dst << ";\n  "
      << at << ".rule = rt::ProjectionSpec::Rule(" << int(pr.rule) << ");\n  "
      << at << ".file = " << lit(pr.file) << ";\n  " << at
      << ".degree = " << lit(pr.degree) << ";\n  " << at
      << ".srcBegin = " << lit(pr.srcBegin) << ";\n  " << at
      << ".srcEnd = " << lit(pr.srcEnd) << ";\n  " << at
      << ".dstBegin = " << lit(pr.dstBegin) << ";\n  " << at
      << ".dstEnd = " << lit(pr.dstEnd) << ";\n  " << at << ".p = " << lit(pr.p)
      << ";\n  " << at << ".delaySteps = " << lit(pr.delaySteps) << ";\n  "
      << at << ".heterogeneousDelay = " << pr.heterogeneousDelay << ";\n  "
      << at << ".delayFromInit = " << pr.delayFromInit << ";\n";
    w.init(at + ".delayInit", pr.delayInit);
    w.list(at + ".synRows", pr.synRows);
    w.list(at + ".synUnits", pr.synUnits);
    b << "  " << at << ".synInit.resize(" << pr.synInit.size() << ");\n";
    for (size_t r = 0; r < pr.synInit.size(); ++r)
      w.init(at + ".synInit[" + std::to_string(r) + "]", pr.synInit[r]);
    b << "  " << at << ".allowAutapses = " << pr.allowAutapses << ";\n  " << at
      << ".synapsesWritten = " << pr.synapsesWritten << ";\n  " << at
      << ".partitionable = " << pr.partitionable << ";\n  " << at
      << ".weightRow = " << pr.weightRow << ";\n  " << at
      << ".needsSources = " << pr.needsSources << ";\n  " << at
      << ".plastic = " << pr.plastic << ";\n  " << at << ".sign = " << pr.sign
      << ";\n";
    for (const rt::ProjectionSpec::Modulator &mod : pr.modulators)
      b << "  " << at << ".modulators.push_back({" << mod.population << ", "
        << mod.row << "});\n";
    b << "  " << at << ".deliver = "
      << w.kernel(deliverKernelName(network, pr.name), "NeuroDeliverFn")
      << ";\n  " << at << ".deliverPost = "
      << w.kernel(deliverPostKernelName(network, pr.name), "NeuroDeliverPostFn")
      << ";\n  " << at << ".update = "
      << w.kernel(updateKernelName(network, pr.name), "NeuroUpdateFn")
      << ";\n  " << at << ".connect = "
      << w.kernel(connectKernelName(network, pr.name), "NeuroConnectFn")
      << ";\n  " << at << ".synInitFn = "
      << w.kernel(synInitKernelName(network, pr.name), "NeuroSynInitFn")
      << ";\n";
  }
  for (const rt::RecordSpec &r : spec.records)
    b << "  m.records.push_back({" << r.population << "});\n";
  for (const rt::StateRecordSpec &r : spec.stateRecords) {
    b << "  {\n    rt::StateRecordSpec r;\n    r.population = " << r.population
      << ";\n    r.projection = " << r.projection
      << ";\n    r.begin = " << lit(r.begin) << ";\n    r.end = " << lit(r.end)
      << ";\n    r.every = " << lit(r.every) << ";\n    r.rows = {";
    for (size_t k = 0; k < r.rows.size(); ++k)
      b << (k ? ", " : "") << r.rows[k];
    b << "};\n    m.stateRecords.push_back(r);\n  }\n";
  }
  for (const rt::ModelSpec::PlasticSwitch &sw : spec.plasticSwitches)
    b << "  m.plasticSwitches.push_back({" << lit(sw.step) << ", "
      << sw.projection << ", " << (sw.plastic ? "true" : "false") << "});\n";

  os << "// Generated by neuroc build: the model " << spec.name
     << " for the runtime.\n#include \"neuro/Runtime/Model.h\"\n"
        "#include \"neuro/Runtime/Table.h\"\n\n"
        "#include <limits>\n#include <memory>\n\nusing namespace neuro;\n\n"
     << w.declarations.str()
     << "\nconst neuro::rt::ModelSpec &neuroAotModel() {\n"
        "  static const rt::ModelSpec model = [] {\n  rt::ModelSpec m;\n"
     << b.str() << "  return m;\n  }();\n  return model;\n}\n";
  return text;
}

std::string neuro::emitPtxSource(const std::vector<GPUImage> &images) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "\n// The GPU kernels, PTX per chip (neuroc build --target=cuda).\n"
        "extern \"C\" const char *const *neuro_aot_ptx(int *count) {\n"
        "  static const char *const images[] = {\n";
  for (const GPUImage &image : images) {
    const std::string &chip = image.chip, &ptx = image.ptx;
    // PTX is ASCII; written as escaped literals, a line per line.
    os << "    \"" << chip << "\",\n";
    llvm::StringRef rest(ptx);
    while (!rest.empty()) {
      auto [line, tail] = rest.split('\n');
      os << "    \"";
      for (char ch : line) {
        if (ch == '\\' || ch == '"')
          os << '\\' << ch;
        else if (ch == '\t')
          os << "\\t";
        else if (static_cast<unsigned char>(ch) < 32 ||
                 static_cast<unsigned char>(ch) > 126)
          os << llvm::format("\\%03o", static_cast<unsigned char>(ch));
        else
          os << ch;
      }
      os << "\\n\"\n";
      rest = tail;
    }
    os << "    ,\n";
  }
  os << "    nullptr};\n  *count = " << images.size()
     << ";\n  return images;\n}\n";
  return text;
}

std::string neuro::emitCHeader(const rt::ModelSpec &spec) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by neuroc build --shared: the C API of network "
     << spec.name << ".\n *\n * Variables (SI units):\n";
  for (const rt::PopulationSpec &p : spec.populations) {
    os << " *   population " << p.name << " (" << p.size << " neurons):";
    for (size_t r = 0; r < p.rows.size(); ++r)
      if (p.rows[r][0] != '_')
        os << " " << p.name << "." << p.rows[r]
           << (r < p.units.size() && !p.units[r].empty() && p.units[r] != "1"
                   ? " [" + p.units[r] + "]"
                   : std::string());
    os << "\n";
  }
  for (const rt::ProjectionSpec &p : spec.projections) {
    os << " *   projection " << p.name << " (per synapse):";
    for (const std::string &r : p.synRows)
      if (r[0] != '_')
        os << " " << p.name << "." << r;
    os << "\n";
  }
  os << " *\n * One model per library. Functions returning int give 0 on "
        "success and\n * -1 on failure, with the reason in neuro_error().\n"
        " */\n\n"
     << R"(#ifndef NEURO_SIM_H
#define NEURO_SIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct neuro_sim neuro_sim;

/* Builds the network with this seed on `threads` threads (0: automatic).
 * Always returns an object; check neuro_error() if neuro_run fails. */
neuro_sim *neuro_create(uint64_t seed, int threads);
/* Runs for `seconds` more. */
int neuro_run(neuro_sim *sim, double seconds);
/* Simulated time so far, seconds. */
double neuro_time(const neuro_sim *sim);
/* Number of values of a variable (neurons or synapses), or -1. */
int64_t neuro_count(neuro_sim *sim, const char *name);
/* Copies the `n` values of `name` to `out` / from `values`. */
int neuro_get(neuro_sim *sim, const char *name, double *out, int64_t n);
int neuro_set(neuro_sim *sim, const char *name, const double *values,
              int64_t n);
/* Spikes of a population since it was built, or -1. */
int64_t neuro_spike_count(neuro_sim *sim, const char *population);
/* Saves / restores the state (see neuroc run --checkpoint). */
int neuro_checkpoint(neuro_sim *sim, const char *path);
int neuro_restore(neuro_sim *sim, const char *path);
/* The message of the last failure. */
const char *neuro_error(const neuro_sim *sim);
void neuro_destroy(neuro_sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* NEURO_SIM_H */
)";
  return text;
}

llvm::Error neuro::linkExecutable(llvm::MemoryBufferRef object,
                                  const std::string &source,
                                  const std::string &output, bool shared,
                                  const std::string &compiler) {
  llvm::SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("neuroc-build", dir))
    return llvm::createStringError(ec, "cannot create a temporary folder");
  auto cleanup =
      llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(dir); });
  auto file = [&](const char *name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  std::string kernels = file("kernels.o"), model = file("model.cpp"),
              modelObj = file("model.o");
  for (auto [path, bytes] : {std::pair{kernels, object.getBuffer()},
                             std::pair{model, llvm::StringRef(source)}}) {
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    if (ec)
      return llvm::createStringError(ec, "cannot write " + path);
    out << bytes;
  }
  std::string cxx = compiler.empty() ? NEURO_CXX_COMPILER : compiler;
  auto program = llvm::sys::findProgramByName(cxx);
  if (!program)
    return llvm::createStringError(program.getError(),
                                   "no C++ compiler '" + cxx +
                                       "' to link with (set NEURO_CXX)");
  auto run = [&](std::vector<llvm::StringRef> args) -> llvm::Error {
    std::string message;
    int status = llvm::sys::ExecuteAndWait(*program, args, std::nullopt, {}, 0,
                                           0, &message);
    if (status != 0)
      return llvm::createStringError("'" + llvm::join(args, " ") + "' failed" +
                                     (message.empty() ? "" : ": " + message));
    return llvm::Error::success();
  };
  if (auto err = run({*program, "-std=c++17", "-O1", "-fPIC", "-c",
                      "-I" NEURO_RUNTIME_INCLUDE_DIR, model, "-o", modelObj}))
    return err;
  if (shared)
    return run({*program, "-shared", kernels, modelObj,
                // Nothing in the library calls the API: keep all of it.
                "-Wl,--whole-archive", NEURO_CAPI_LIBRARY,
                "-Wl,--no-whole-archive", NEURO_RUNTIME_LIBRARY, "-lpthread",
                "-lm", "-o", output});
  return run({*program, kernels, modelObj, NEURO_AOT_MAIN_LIBRARY,
              NEURO_RUNTIME_LIBRARY, "-lpthread", "-lm", "-o", output});
}

//===- Core.cpp - neuro._core: compiling models ---------------------------===//
//
// The module definition and the Model class: neuro::compile from a file or
// a string with the options of `neuroc run`, the diagnostics as text (the
// Python side parses them into CompileError), and what the compiled
// network is made of.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"

#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Steps.h"
#include "neuro/Runtime/Units.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/stl.h>

namespace py = pybind11;
using namespace neuro;
using namespace neuro::python;

void neuro::python::throwValue(const std::string &message) {
  throw py::value_error(message);
}

void neuro::python::throwRuntime(const std::string &message) {
  throw std::runtime_error(message);
}

namespace {

/// The diagnostics of a failed compilation, as `neuroc check` prints them.
struct CompileFailure {
  std::string text;
};

Target parseTarget(const std::string &name) {
  if (name == "cpu")
    return Target::CPU;
  if (name == "cuda")
    return Target::CUDA;
  if (name == "cuda-emulated")
    return Target::CUDAEmulated;
  throwValue("target must be 'cpu', 'cuda' or 'cuda-emulated', not '" + name +
             "'");
}

/// CompileOptions from the environment, then the keyword arguments of
/// neuro.compile (already checked by the Python side).
CompileOptions optionsFrom(const py::dict &kw) {
  CompileOptions opts = CompileOptions::fromEnvironment(
      !kw.contains("cache") || kw["cache"].cast<bool>());
  if (kw.contains("cache_dir") && !kw["cache_dir"].is_none())
    opts.cacheDir = kw["cache_dir"].cast<std::string>();
  if (kw.contains("network") && !kw["network"].is_none())
    opts.network = kw["network"].cast<std::string>();
  if (kw.contains("search_paths")) {
    auto dirs = kw["search_paths"].cast<std::vector<std::string>>();
    opts.searchPaths.insert(opts.searchPaths.begin(), dirs.begin(), dirs.end());
  }
  if (kw.contains("precision")) {
    std::string p = kw["precision"].cast<std::string>();
    std::optional<Precision> precision = parsePrecision(p);
    if (!precision)
      throwValue("precision must be 'double', 'mixed' or 'single', not '" + p +
                 "'");
    opts.precision = *precision;
  }
  if (kw.contains("target"))
    opts.target = parseTarget(kw["target"].cast<std::string>());
  // Diagnostics name the arguments, not neuroc's flags.
  opts.optionNames = OptionNames{"overrides", "tunable",
                                 "overrides={'NAME': VALUE}", "cache=False"};
  if (kw.contains("tunable"))
    for (auto &name : kw["tunable"].cast<std::vector<std::string>>())
      opts.tunable.insert(name);
  if (kw.contains("overrides"))
    opts.overrides = kw["overrides"].cast<std::map<std::string, std::string>>();
  if (kw.contains("werror"))
    opts.warningsAsErrors = kw["werror"].cast<bool>();
  if (kw.contains("vector_width"))
    opts.vectorWidth = kw["vector_width"].cast<unsigned>();
  return opts;
}

std::shared_ptr<Model> compileModel(const std::string &name,
                                    const std::optional<std::string> &text,
                                    const py::dict &kw) {
  CompileOptions opts = optionsFrom(kw);
  auto model = std::make_shared<Model>();
  std::unique_ptr<CompiledModel> compiled;
  {
    py::gil_scoped_release release;
    compiled =
        compileBuffer(name, text ? &*text : nullptr, opts, *model->diagnostics);
  }
  model->diagnostics->flush();
  if (!compiled)
    throw CompileFailure{model->diagText};
  model->compiled = std::move(compiled);
  return model;
}

py::dict initDict(const rt::InitSpec &init) {
  static const char *kinds[] = {"constant", "uniform", "normal", "timed"};
  py::dict d;
  d["kind"] = kinds[init.kind];
  d["a"] = init.a;
  d["b"] = init.b;
  return d;
}

py::list populations(const rt::ModelSpec &spec) {
  py::list out;
  for (const rt::PopulationSpec &p : spec.populations) {
    py::dict d;
    d["name"] = p.name;
    d["size"] = p.size;
    d["rows"] = p.rows;
    d["units"] = p.units;
    d["derived"] = p.derived;
    d["sampled"] = p.sampled;
    py::list init;
    for (const rt::InitSpec &i : p.init)
      init.append(initDict(i));
    d["init"] = init;
    d["source"] = p.generator || p.poissonRate >= 0 || p.driveInputs > 0;
    d["drive_inputs"] = p.driveInputs;
    out.append(d);
  }
  return out;
}

py::list projections(const rt::ModelSpec &spec) {
  py::list out;
  for (const rt::ProjectionSpec &p : spec.projections) {
    py::dict d;
    d["name"] = p.name;
    d["pre"] = spec.populations[size_t(p.src)].name;
    d["post"] = spec.populations[size_t(p.dst)].name;
    d["rows"] = p.synRows;
    d["units"] = p.synUnits;
    d["weight"] = size_t(p.weightRow) < p.synRows.size()
                      ? py::cast(p.synRows[size_t(p.weightRow)])
                      : py::none();
    d["plastic"] = p.plastic;
    out.append(d);
  }
  return out;
}

} // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "The compiled part of the neuro package (see neuro/__init__.py).";
  static py::exception<CompileFailure> compileFailure(m, "_CompileFailure");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const CompileFailure &e) {
      PyErr_SetString(compileFailure.ptr(), e.text.c_str());
    }
  });
  m.def("compile_file", [](const std::string &path, const py::dict &kw) {
    return compileModel(path, std::nullopt, kw);
  });
  m.def("compile_source",
        [](const std::string &name, const std::string &text,
           const py::dict &kw) { return compileModel(name, text, kw); });
  m.def("parse_quantity", [](const std::string &text, const std::string &unit,
                             const std::string &what) {
    double value = 0;
    std::string err;
    if (!rt::parseQuantityOf(text, unit, what, value, err))
      throwValue(err);
    return value;
  });
  m.def("parse_duration", [](const std::string &text) {
    double seconds = 0;
    std::string err;
    if (!rt::parseDuration(text, seconds, err))
      throwValue(err);
    return seconds;
  });
  m.def("on_step_grid", &rt::onStepGrid);
  bindModel(m);
  bindSimulation(m);
}

void neuro::python::bindModel(py::module_ &m) {
  py::class_<Model, std::shared_ptr<Model>>(m, "Model")
      .def_property_readonly(
          "network", [](const Model &mo) { return mo.compiled->spec().name; })
      .def_property_readonly(
          "dt", [](const Model &mo) { return mo.compiled->spec().dt; })
      .def_property_readonly(
          "steps", [](const Model &mo) { return mo.compiled->spec().steps; })
      .def_property_readonly("duration",
                             [](const Model &mo) {
                               return mo.compiled->spec().requestedDuration();
                             })
      .def_property_readonly(
          "seed", [](const Model &mo) { return mo.compiled->spec().seed; })
      .def_property_readonly(
          "single_precision",
          [](const Model &mo) { return mo.compiled->spec().singlePrecision; })
      .def_property_readonly("precision",
                             [](const Model &mo) {
                               return std::string(
                                   rt::precisionName(mo.compiled->spec()));
                             })
      .def_property_readonly(
          "cache_hit", [](const Model &mo) { return mo.compiled->cacheHit(); })
      .def_property_readonly(
          "compiled_overrides",
          [](const Model &mo) { return mo.compiled->compiledOverrides(); })
      .def_property_readonly("warnings",
                             [](const Model &mo) { return mo.diagText; })
      .def_property_readonly(
          "populations",
          [](const Model &mo) { return populations(mo.compiled->spec()); })
      .def_property_readonly("projections", [](const Model &mo) {
        return projections(mo.compiled->spec());
      });
}

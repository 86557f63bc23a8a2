//===- CompilerModule.cpp - Python bindings of the compiler library -------===//
//
// The `edge._compiler` extension: compile(options) runs compileModel
// in-process and returns its diagnostics; a failure raises
// edge._compiler.CompileFailure(message, diagnostics). Kept apart from
// `edge._edge` so that running models never loads the compiler.
//
//===----------------------------------------------------------------------===//

#include "edge/Compiler/Compiler.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;
using mlir::edge::CompileDiagnostic;
using mlir::edge::CompileOptions;
using mlir::edge::EmitKind;

namespace {

EmitKind parseEmit(const std::string &name) {
  static const std::pair<const char *, EmitKind> kinds[] = {
      {"edge", EmitKind::Edge}, {"linalg", EmitKind::Linalg},
      {"device", EmitKind::Device}, {"llvm", EmitKind::LLVM},
      {"asm", EmitKind::Asm},   {"obj", EmitKind::Obj},
      {"so", EmitKind::SharedLib}};
  for (const auto &[text, kind] : kinds)
    if (name == text)
      return kind;
  throw py::value_error("emit must be one of edge, linalg, device, llvm, "
                        "asm, obj, so; got '" + name + "'");
}

py::list toPython(const std::vector<CompileDiagnostic> &diagnostics) {
  py::list list;
  for (const CompileDiagnostic &d : diagnostics) {
    py::dict entry;
    entry["severity"] = d.severity;
    entry["message"] = d.message;
    entry["node"] = d.node.empty() ? py::object(py::none()) : py::str(d.node);
    entry["op_type"] =
        d.opType.empty() ? py::object(py::none()) : py::str(d.opType);
    entry["opset"] =
        d.opset < 0 ? py::object(py::none()) : py::int_(d.opset);
    list.append(entry);
  }
  return list;
}

} // namespace

PYBIND11_MODULE(_compiler, m) {
  m.doc() = "edge's compiler library, in-process (see edge.compile)";
  static py::exception<std::runtime_error> failure(m, "CompileFailure");
  m.def(
      "compile",
      [](const std::string &input, const std::string &output,
         const std::string &target, const std::string &cpu,
         const std::string &emit, const std::vector<std::string> &inputShapes,
         const std::vector<std::string> &dims,
         const std::vector<std::string> &boundInputs,
         const std::string &devices, const std::vector<std::string> &pins,
         const std::string &objective,
         const std::vector<std::string> &profileFeedback,
         const std::string &quantize, const std::string &report,
         const std::string &deviceCodeDir, unsigned optLevel) {
        CompileOptions options;
        options.inputPath = input;
        options.outputPath = output;
        options.target = target;
        options.cpu = cpu;
        options.emit = parseEmit(emit);
        options.inputShapes = inputShapes;
        options.dims = dims;
        options.boundInputs = boundInputs;
        options.devices = devices;
        options.pins = pins;
        options.objective = objective;
        options.profileFeedback = profileFeedback;
        options.quantize = quantize;
        options.reportPath = report;
        options.deviceCodeDir = deviceCodeDir;
        options.optLevel = optLevel;
        std::vector<CompileDiagnostic> diagnostics;
        std::string error;
        bool ok;
        {
          // Compiling takes seconds: other Python threads may run.
          py::gil_scoped_release release;
          ok = mlir::succeeded(mlir::edge::compileModelCollectingDiagnostics(
              options, diagnostics, error));
        }
        py::list collected = toPython(diagnostics);
        if (ok)
          return collected;
        if (error.empty())
          for (const CompileDiagnostic &d : diagnostics)
            if (d.severity == "error") {
              error = d.message;
              break;
            }
        py::object type = failure;
        py::object exception =
            type(error.empty() ? std::string("compilation failed") : error);
        exception.attr("diagnostics") = collected;
        PyErr_SetObject(failure.ptr(), exception.ptr());
        throw py::error_already_set();
      },
      py::arg("input"), py::arg("output"), py::arg("target") = "cpu",
      py::arg("cpu") = "", py::arg("emit") = "so",
      py::arg("input_shapes") = std::vector<std::string>(),
      py::arg("dims") = std::vector<std::string>(),
      py::arg("bound_inputs") = std::vector<std::string>(),
      py::arg("devices") = "host", py::arg("pins") = std::vector<std::string>(),
      py::arg("objective") = "latency",
      py::arg("profile_feedback") = std::vector<std::string>(),
      py::arg("quantize") = "none", py::arg("report") = "",
      py::arg("device_code_dir") = "", py::arg("opt_level") = 3,
      "Compiles a model in-process; returns the diagnostics (warnings) as "
      "dicts, raises CompileFailure with .diagnostics on failure.");
}

//===- EdgeModule.cpp - Python bindings of the edge model loader ----------===//
//
// The `edge._edge` extension: Model(path) opens a compiled model library
// through edge::LoadedModel; run() takes numpy arrays and returns new ones.
// The pure-Python package `edge` re-exports it.
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/ModelLoader.h"

#include <algorithm>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;
using edge::LoadedModel;

namespace {
/// Raised as edge.Error (a RuntimeError): the library cannot be loaded or
/// the run failed.
struct EdgeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The numpy dtype of an ONNX dtype code. bfloat16 has no numpy type and is
/// exposed as its uint16 bit pattern.
py::dtype toNumpyDType(int32_t dtype) {
  switch (dtype) {
  case EDGE_DTYPE_FLOAT32:
    return py::dtype("float32");
  case EDGE_DTYPE_UINT8:
    return py::dtype("uint8");
  case EDGE_DTYPE_INT8:
    return py::dtype("int8");
  case EDGE_DTYPE_UINT16:
  case EDGE_DTYPE_BFLOAT16:
    return py::dtype("uint16");
  case EDGE_DTYPE_INT16:
    return py::dtype("int16");
  case EDGE_DTYPE_INT32:
    return py::dtype("int32");
  case EDGE_DTYPE_INT64:
    return py::dtype("int64");
  case EDGE_DTYPE_BOOL:
    return py::dtype("bool");
  case EDGE_DTYPE_FLOAT16:
    return py::dtype("float16");
  case EDGE_DTYPE_FLOAT64:
    return py::dtype("float64");
  case EDGE_DTYPE_UINT32:
    return py::dtype("uint32");
  case EDGE_DTYPE_UINT64:
    return py::dtype("uint64");
  default:
    throw EdgeError("unsupported dtype code " + std::to_string(dtype));
  }
}

/// One graph input or output, as Model.inputs / Model.outputs list them.
struct TensorInfo {
  explicit TensorInfo(const edge_tensor_info &info)
      : name(info.name), shape(info.shape, info.shape + info.rank),
        maxShape(info.max_shape, info.max_shape + info.rank),
        dtype(toNumpyDType(info.dtype)), dtypeCode(info.dtype) {
    for (int32_t d = 0; d < info.rank; ++d)
      dimNames.push_back(info.dim_names[d] ? py::object(py::str(info.dim_names[d]))
                                           : py::object(py::none()));
  }

  std::string name;
  /// -1 where the size is dynamic (None in Python).
  std::vector<int64_t> shape;
  std::vector<int64_t> maxShape;
  std::vector<py::object> dimNames;
  py::dtype dtype;
  int32_t dtypeCode;

  bool isDynamic() const {
    return std::find(shape.begin(), shape.end(), -1) != shape.end();
  }

  py::tuple pythonShape() const {
    py::list sizes;
    for (int64_t size : shape)
      sizes.append(size < 0 ? py::object(py::none()) : py::object(py::int_(size)));
    return py::tuple(sizes);
  }

  std::string repr() const {
    std::string text =
        "TensorInfo(name='" + name + "', shape=" + formatTuple(shape);
    // The bounds matter where a size is dynamic.
    if (isDynamic())
      text += ", max_shape=" + formatTuple(maxShape);
    return text + ", dtype=" + edge::getDTypeName(dtypeCode) + ")";
  }

private:
  /// "(None, 4)", "(3,)", "()": as Python prints the tuple.
  static std::string formatTuple(const std::vector<int64_t> &sizes) {
    std::string text = "(";
    for (size_t i = 0; i < sizes.size(); ++i)
      text += (i ? ", " : "") +
              (sizes[i] < 0 ? std::string("None") : std::to_string(sizes[i]));
    return text + (sizes.size() == 1 ? ",)" : ")");
  }
};

class Model {
public:
  /// `threads`: None for EDGE_NUM_THREADS's choice, else 1 to 256.
  Model(const std::string &path, std::optional<long> threads) {
    if (threads && (*threads < 1 || *threads > 256))
      throw py::value_error("threads must be 1 to 256 (None: "
                            "EDGE_NUM_THREADS decides), not " +
                            std::to_string(*threads));
    std::string error;
    model = LoadedModel::load(path, error,
                              threads ? static_cast<uint32_t>(*threads) : 0);
    if (!model)
      throw EdgeError(error);
    for (size_t i = 0; i < model->getNumInputs(); ++i)
      inputs.emplace_back(model->getInput(i));
    for (size_t i = 0; i < model->getNumOutputs(); ++i)
      outputs.emplace_back(model->getOutput(i));
  }

  const std::string &getPath() const { return model->getPath(); }
  size_t getWorkspaceBytes() const { return model->getWorkspaceBytes(); }
  uint32_t getNumThreads() const { return model->getNumThreads(); }
  py::object getPlacement() const {
    const char *report = model->getReport();
    if (!report)
      return py::none();
    return py::module_::import("json").attr("loads")(report);
  }
  const std::vector<TensorInfo> &getInputs() const { return inputs; }
  const std::vector<TensorInfo> &getOutputs() const { return outputs; }

  /// run(a, b, ...) in graph order, or run({"name": array, ...}).
  py::list run(const py::args &args, const py::object &out) {
    std::vector<py::array> inputArrays;
    py::list results;
    Buffers buffers = prepare(args, inputArrays, results, out);
    std::string error;
    Outcome outcome;
    Shapes outputShapes;
    {
      py::gil_scoped_release release;
      // One instance must not run on two threads at once; the shapes set
      // are this run's until it started.
      std::lock_guard<std::mutex> lock(runMutex);
      outcome = applyInputShapes(buffers, error);
      if (outcome == Outcome::Ok)
        outcome =
            model->run(buffers.inputs.data(), buffers.outputs.data(), error)
                ? Outcome::Ok
                : Outcome::RunFailed;
      if (outcome == Outcome::Ok)
        outputShapes = getOutputShapes();
    }
    raiseOnFailure(outcome, error);
    return shapeResults(results, outputShapes);
  }

  /// Starts a run (edge_model_run_async) with the arrays of `args`; the
  /// caller keeps `inputArrays` and `results` alive until waitFor(ticket).
  uint64_t start(const py::args &args, std::vector<py::array> &inputArrays,
                 py::list &results) {
    Buffers buffers = prepare(args, inputArrays, results);
    std::string error;
    uint64_t ticket = 0;
    Outcome outcome;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(runMutex);
      outcome = applyInputShapes(buffers, error);
      if (outcome == Outcome::Ok)
        outcome = model->runAsync(buffers.inputs.data(), buffers.outputs.data(),
                                  ticket, error)
                      ? Outcome::Ok
                      : Outcome::RunFailed;
    }
    raiseOnFailure(outcome, error);
    return ticket;
  }

  /// Waits for a run start() began and returns its outputs (`results`) at
  /// the run's shapes; false with `error` when it failed.
  bool waitFor(uint64_t ticket, py::list &results, std::string &error) {
    Shapes outputShapes;
    bool ok;
    {
      py::gil_scoped_release release;
      // The output shapes are those of the run waited for last: read them
      // before another wait.
      std::lock_guard<std::mutex> lock(runMutex);
      ok = model->wait(ticket, error);
      if (ok)
        outputShapes = getOutputShapes();
    }
    if (ok)
      results = shapeResults(results, outputShapes);
    return ok;
  }

  /// Generates from `prompts` with the library's generator (edge_generator_*)
  /// and returns {"tokens", "finish_reasons", "stats", "sampling"}.
  py::dict generate(const std::vector<std::vector<int64_t>> &prompts,
                    uint32_t maxNewTokens, float temperature, uint32_t topK,
                    float topP, uint64_t seed,
                    const std::vector<int64_t> &stopTokens, uint32_t maxBatch) {
    if (prompts.empty())
      throw py::value_error("generate needs at least one prompt");
    edge_generation_config config{
        maxNewTokens,      temperature,      topK, topP, seed,
        stopTokens.data(), stopTokens.size()};
    std::vector<std::vector<int64_t>> tokens(prompts.size());
    std::vector<edge_finish_reason> reasons(prompts.size());
    edge_generation_stats stats{};
    std::string error;
    using Outcome = LoadedModel::Generator::Outcome;
    Outcome outcome = Outcome::Failed;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(runMutex);
      std::unique_ptr<LoadedModel::Generator> generator =
          model->createGenerator(maxBatch, error);
      std::vector<uint32_t> ids;
      if (generator)
        outcome = generator->generateAll(prompts, config, ids, error);
      if (outcome == Outcome::Done) {
        for (size_t p = 0; p < prompts.size(); ++p)
          tokens[p] = generator->tokens(ids[p], &reasons[p]);
        stats = generator->stats();
      }
    }
    if (outcome == Outcome::Refused)
      throw py::value_error(error);
    if (outcome == Outcome::Failed)
      throw EdgeError(error);
    static const char *const names[] = {"unfinished", "stop", "length",
                                        "context"};
    py::list reasonNames;
    for (edge_finish_reason reason : reasons)
      reasonNames.append(names[reason]);
    py::dict timing;
    timing["prefill_seconds"] = stats.prefill_seconds;
    timing["prefill_tokens"] = stats.prefill_tokens;
    timing["decode_seconds"] = stats.decode_seconds;
    timing["decode_tokens"] = stats.decode_tokens;
    timing["decode_steps"] = stats.decode_steps;
    py::dict result;
    result["tokens"] = py::cast(tokens);
    result["finish_reasons"] = reasonNames;
    result["stats"] = timing;
    char sampling[160] = "greedy";
    if (temperature > 0)
      std::snprintf(sampling, sizeof(sampling),
                    "temperature %g, top_k %u, top_p %g, seed %llu",
                    double(temperature), unsigned(topK), double(topP),
                    (unsigned long long)seed);
    result["sampling"] = py::str(sampling);
    return result;
  }

  std::string repr() const {
    return "<edge.Model '" + getPath() + "' with " +
           std::to_string(inputs.size()) + " input(s) and " +
           std::to_string(outputs.size()) + " output(s)>";
  }

private:
  /// The data pointers of one run, and the inputs' shapes.
  struct Buffers {
    std::vector<const void *> inputs;
    std::vector<void *> outputs;
    std::vector<std::vector<int64_t>> inputShapes;
  };
  /// Per output: its shape after a run (empty for a static output).
  using Shapes = std::vector<std::vector<int64_t>>;
  enum class Outcome { Ok, ShapeRefused, RunFailed };

  /// Raises what `outcome` calls for: ValueError for a refused shape,
  /// edge.Error for a failed run.
  static void raiseOnFailure(Outcome outcome, const std::string &error) {
    if (outcome == Outcome::ShapeRefused)
      throw py::value_error(error);
    if (outcome == Outcome::RunFailed)
      throw EdgeError(error);
  }

  /// Converts the arguments of a run into `inputArrays` and allocates its
  /// outputs into `results`.
  Buffers prepare(const py::args &args, std::vector<py::array> &inputArrays,
                  py::list &results, const py::object &out = py::none()) const {
    std::vector<py::object> values;
    if (args.size() == 1 && py::isinstance<py::dict>(args[0]))
      values = orderByName(args[0].cast<py::dict>());
    else
      for (py::handle arg : args)
        values.push_back(py::reinterpret_borrow<py::object>(arg));
    if (values.size() != inputs.size())
      throw py::value_error("the model has " + std::to_string(inputs.size()) +
                            " input(s) but " + std::to_string(values.size()) +
                            " were given");
    Buffers buffers;
    for (size_t i = 0; i < inputs.size(); ++i) {
      inputArrays.push_back(convertInput(i, values[i]));
      const py::array &array = inputArrays.back();
      buffers.inputs.push_back(array.data());
      buffers.inputShapes.emplace_back(array.shape(),
                                       array.shape() + array.ndim());
    }
    checkSymbolsAgree(buffers.inputShapes);
    // Outputs at their largest shape; shapeResults views them at the run's.
    std::vector<py::object> given;
    if (!out.is_none()) {
      if (!py::isinstance<py::sequence>(out) || py::isinstance<py::str>(out) ||
          py::isinstance<py::array>(out))
        throw py::type_error("out must be a list of numpy arrays, one per "
                             "output");
      for (py::handle item : out.cast<py::sequence>())
        given.push_back(py::reinterpret_borrow<py::object>(item));
      if (given.size() != outputs.size())
        throw py::value_error(
            "the model has " + std::to_string(outputs.size()) +
            " output(s) but out has " + std::to_string(given.size()));
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      const TensorInfo &info = outputs[i];
      py::array array = given.empty() ? py::array(info.dtype, info.maxShape)
                                      : checkOutputArray(i, given[i]);
      buffers.outputs.push_back(array.mutable_data());
      results.append(array);
    }
    return buffers;
  }

  /// A caller's array for output `index`, which the run writes in place:
  /// the output's dtype (TypeError otherwise) and largest shape, C-contiguous,
  /// aligned and writeable (ValueError otherwise).
  py::array checkOutputArray(size_t index, const py::object &value) const {
    const TensorInfo &info = outputs[index];
    std::string what = "output '" + info.name + "'";
    if (!py::isinstance<py::array>(value))
      throw py::type_error("out[" + std::to_string(index) + "] for " + what +
                           " must be a numpy array");
    auto array = value.cast<py::array>();
    if (!array.dtype().is(info.dtype))
      throw py::type_error("out[" + std::to_string(index) + "] for " + what +
                           " has dtype " + std::string(py::str(array.dtype())) +
                           ", the output's is " +
                           std::string(py::str(info.dtype)));
    std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
    if (shape != info.maxShape)
      throw py::value_error(
          "out[" + std::to_string(index) + "] for " + what + " has the shape " +
          std::string(py::str(py::tuple(py::cast(shape)))) +
          ", the output's is " +
          std::string(py::str(py::tuple(py::cast(info.maxShape)))));
    // As for inputs: numpy.require returns the array itself where its
    // layout already fits.
    py::object fitting = py::module_::import("numpy").attr("require")(
        array, py::none(), py::make_tuple("C", "A", "W"));
    if (!fitting.is(array))
      throw py::value_error("out[" + std::to_string(index) + "] for " + what +
                            " must be C-contiguous, aligned and writeable");
    return array;
  }

  /// Refuses (ValueError) input shapes that give one symbol two sizes, as
  /// the runtime would at the run (with edge.Error): a symbol is the same
  /// wherever its name appears.
  void
  checkSymbolsAgree(const std::vector<std::vector<int64_t>> &shapes) const {
    struct Use {
      size_t input;
      size_t dim;
    };
    std::vector<std::pair<std::string, Use>> first;
    for (size_t i = 0; i < inputs.size(); ++i)
      for (size_t d = 0; d < inputs[i].dimNames.size(); ++d) {
        if (inputs[i].dimNames[d].is_none())
          continue;
        std::string symbol = py::str(inputs[i].dimNames[d]);
        auto seen =
            std::find_if(first.begin(), first.end(),
                         [&](const auto &use) { return use.first == symbol; });
        if (seen == first.end()) {
          first.push_back({symbol, Use{i, d}});
          continue;
        }
        const Use &use = seen->second;
        int64_t size = shapes[use.input][use.dim];
        if (shapes[i][d] != size)
          throw py::value_error("inputs '" + inputs[use.input].name +
                                "' (dimension " + std::to_string(use.dim) +
                                ") and '" + inputs[i].name + "' (dimension " +
                                std::to_string(d) + ") give '" + symbol +
                                "' different sizes: " + std::to_string(size) +
                                " and " + std::to_string(shapes[i][d]));
      }
  }

  /// Sets the inputs' shapes of a model with dynamic sizes (with the run
  /// lock held). Returns Outcome::ShapeRefused with the runtime's message
  /// when one breaks a bound.
  Outcome applyInputShapes(const Buffers &buffers, std::string &error) {
    if (!model->hasDynamicShapes())
      return Outcome::Ok;
    for (size_t i = 0; i < buffers.inputShapes.size(); ++i)
      if (!model->setInputShape(i, buffers.inputShapes[i].data(), error))
        return Outcome::ShapeRefused;
    return Outcome::Ok;
  }

  /// The dynamic outputs' shapes after the run waited for last (with the
  /// run lock held).
  Shapes getOutputShapes() const {
    Shapes shapes(outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i)
      if (outputs[i].isDynamic())
        shapes[i] = model->getOutputShape(i);
    return shapes;
  }

  /// The outputs of a run at its shapes: a dynamic output is a view of the
  /// first elements of its buffer.
  py::list shapeResults(const py::list &results, const Shapes &shapes) const {
    py::list shaped;
    for (size_t i = 0; i < outputs.size(); ++i) {
      py::array array = results[i].cast<py::array>();
      if (!outputs[i].isDynamic()) {
        shaped.append(array);
        continue;
      }
      int64_t count = 1;
      for (int64_t size : shapes[i])
        count *= size;
      py::object flat = array.attr("reshape")(-1);
      shaped.append(flat[py::slice(0, count, 1)].attr("reshape")(
          py::tuple(py::cast(shapes[i]))));
    }
    return shaped;
  }

  std::vector<py::object> orderByName(const py::dict &named) const {
    std::vector<py::object> values;
    for (const TensorInfo &info : inputs) {
      py::str key(info.name);
      if (!named.contains(key))
        throw py::value_error("missing input '" + info.name + "'");
      values.push_back(named[key]);
    }
    if (named.size() != inputs.size()) {
      for (auto item : named) {
        std::string key = py::str(item.first);
        bool known = false;
        for (const TensorInfo &info : inputs)
          known = known || info.name == key;
        if (!known)
          throw py::value_error("the model has no input named '" + key + "'");
      }
    }
    return values;
  }

  /// Checks `value` against input `index` and returns it as an aligned,
  /// C-contiguous array of exactly the input's dtype and shape. Arrays must
  /// already have the right dtype; other objects (lists, scalars) are
  /// converted to it.
  py::array convertInput(size_t index, const py::object &value) const {
    const TensorInfo &info = inputs[index];
    std::string what =
        "input " + std::to_string(index) + " '" + info.name + "'";
    py::module_ numpy = py::module_::import("numpy");
    py::object array;
    if (py::isinstance<py::array>(value)) {
      py::object dtype = value.attr("dtype");
      if (!dtype.equal(info.dtype))
        throw py::type_error(what + " expects dtype " +
                             std::string(py::str(info.dtype)) + ", got " +
                             std::string(py::str(dtype)));
      array = value;
    } else {
      array = numpy.attr("asarray")(value, info.dtype);
    }
    py::array result =
        numpy.attr("require")(array, py::none(), py::make_tuple("C", "A"));
    // A dynamic size may be any; the runtime checks its bound.
    bool sameShape = static_cast<size_t>(result.ndim()) == info.shape.size();
    for (size_t i = 0; sameShape && i < info.shape.size(); ++i)
      sameShape = info.shape[i] < 0 ||
                  result.shape(static_cast<py::ssize_t>(i)) == info.shape[i];
    if (!sameShape)
      throw py::value_error(what + " expects shape " +
                            std::string(py::str(info.pythonShape())) +
                            ", got " +
                            std::string(py::str(result.attr("shape"))));
    return result;
  }

  std::unique_ptr<LoadedModel> model;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::mutex runMutex;
};
} // namespace

/// A run started by Model.run_async. It keeps the model and the run's
/// arrays alive until the run is waited for (by wait(), or when it is
/// collected).
class PendingRun {
public:
  PendingRun(py::object owner, std::vector<py::array> inputArrays,
             py::list results, uint64_t ticket)
      : owner(std::move(owner)), inputArrays(std::move(inputArrays)),
        results(std::move(results)), ticket(ticket) {}
  PendingRun(const PendingRun &) = delete;
  PendingRun &operator=(const PendingRun &) = delete;
  ~PendingRun() {
    if (!waited) {
      std::string ignored;
      owner.cast<Model &>().waitFor(ticket, results, ignored);
    }
  }

  /// The outputs, once the run is done; raises edge.Error when it failed.
  /// Waiting again gives the same outputs or raises the same error.
  py::list wait() {
    if (!waited) {
      waited = true;
      failed = !owner.cast<Model &>().waitFor(ticket, results, error);
    }
    if (failed)
      throw EdgeError(error);
    return results;
  }

private:
  py::object owner;
  std::vector<py::array> inputArrays;
  py::list results;
  uint64_t ticket;
  bool waited = false, failed = false;
  std::string error;
};

PYBIND11_MODULE(_edge, m) {
  m.doc() = "Loads and runs model libraries compiled by edge-compile.";
  py::register_exception<EdgeError>(m, "Error", PyExc_RuntimeError);
  m.attr("ABI_VERSION") = EDGE_ABI_VERSION;
  m.attr("MAX_RUNS_IN_FLIGHT") = EDGE_MAX_RUNS_IN_FLIGHT;

  py::class_<TensorInfo>(m, "TensorInfo",
                         "A graph input or output: name, shape, dtype.")
      .def_readonly("name", &TensorInfo::name)
      .def_property_readonly("max_shape",
                             [](const TensorInfo &info) {
                               return py::tuple(py::cast(info.maxShape));
                             })
      .def_property_readonly("dim_names",
                             [](const TensorInfo &info) {
                               return py::tuple(py::cast(info.dimNames));
                             })
      .def_property_readonly("shape",
                             [](const TensorInfo &info) {
                               return info.pythonShape();
                             })
      .def_readonly("dtype", &TensorInfo::dtype)
      .def_readonly("dtype_code", &TensorInfo::dtypeCode,
                    "The ONNX TensorProto.DataType code.")
      .def("__repr__", &TensorInfo::repr);

  py::class_<Model>(m, "Model", "A compiled model library and one instance.",
                    py::dynamic_attr())
      .def(py::init<const std::string &, std::optional<long>>(),
           py::arg("path"), py::arg("threads") = py::none())
      .def_property_readonly(
          "threads", &Model::getNumThreads,
          "The threads this instance's parallel loops run on")
      .def_property_readonly(
          "placement", &Model::getPlacement,
          "The compiler's placement and cost report (edge_model_report) as "
          "a dict, or None when the library has none")
      .def_property_readonly("path", &Model::getPath)
      .def_property_readonly("inputs", &Model::getInputs)
      .def_property_readonly("outputs", &Model::getOutputs)
      .def_property_readonly(
          "workspace_bytes", &Model::getWorkspaceBytes,
          "Bytes of intermediate memory one run uses besides its inputs and "
          "outputs (the compile-time memory plan's arena)")
      .def("run", &Model::run, py::arg("out") = py::none(),
           "run(*arrays, out=None) or run({name: array}, out=None) -> list "
           "of numpy arrays, one per output in graph order; out: arrays the "
           "run writes the outputs into (returned, at the run's shapes)")
      .def("__call__", &Model::run, py::arg("out") = py::none(),
           "model(*arrays, out=None): the same as run")
      .def(
          "run_async",
          [](py::object self, const py::args &args) {
            std::vector<py::array> inputArrays;
            py::list results;
            uint64_t ticket =
                self.cast<Model &>().start(args, inputArrays, results);
            return std::make_unique<PendingRun>(
                std::move(self), std::move(inputArrays), std::move(results),
                ticket);
          },
          "run_async(*arrays) or run_async({name: array}) -> PendingRun: "
          "starts a run and returns at once; PendingRun.wait() gives the "
          "outputs. Up to MAX_RUNS_IN_FLIGHT runs may be in flight; a model "
          "placed on several devices pipelines them")
      .def("generate", &Model::generate, py::arg("prompts"),
           py::arg("max_new_tokens") = 64, py::arg("temperature") = 0.0f,
           py::arg("top_k") = 0, py::arg("top_p") = 1.0f, py::arg("seed") = 0,
           py::arg("stop_tokens") = std::vector<int64_t>{},
           py::arg("max_batch") = 0,
           "generate(prompts, ...) -> dict: generates from a list of prompts "
           "(lists of token ids) with the library's generator; see "
           "edge.generate")
      .def("__repr__", &Model::repr);
  py::class_<PendingRun>(m, "PendingRun", "A run started by Model.run_async.")
      .def("wait", &PendingRun::wait,
           "wait() -> list of numpy arrays: the run's outputs once it is "
           "done; raises edge.Error when it failed");
}

//===- ModelLoader.cpp - Load a compiled model library --------------------===//
//
// Resolves the C ABI of a model library with dlsym. The version is checked
// before any other function is called, so a library from an incompatible
// edge release is rejected instead of being misused.
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/ModelLoader.h"
#include "edge/Runtime/LibraryFile.h"

#include <dlfcn.h>

using namespace edge;

/// The ABI functions of one library.
struct LoadedModel::Api {
  uint32_t (*abiVersion)(void) = nullptr;
  edge_status (*create)(uint32_t, edge_model **) = nullptr;
  uint32_t (*numThreads)(const edge_model *) = nullptr;
  const char *(*report)(const edge_model *) = nullptr;
  void (*destroy)(edge_model *) = nullptr;
  size_t (*numInputs)(const edge_model *) = nullptr;
  size_t (*numOutputs)(const edge_model *) = nullptr;
  const edge_tensor_info *(*input)(const edge_model *, size_t) = nullptr;
  const edge_tensor_info *(*output)(const edge_model *, size_t) = nullptr;
  edge_status (*run)(edge_model *, const void *const *,
                     void *const *) = nullptr;
  edge_status (*runAsync)(edge_model *, const void *const *, void *const *,
                          uint64_t *) = nullptr;
  edge_status (*wait)(edge_model *, uint64_t) = nullptr;
  const char *(*lastError)(const edge_model *) = nullptr;
  size_t (*workspaceBytes)(const edge_model *) = nullptr;
  edge_status (*setInputShape)(edge_model *, size_t, const int64_t *) = nullptr;
  edge_status (*inputShape)(const edge_model *, size_t, int64_t *) = nullptr;
  edge_status (*outputShape)(const edge_model *, size_t, int64_t *) = nullptr;
  edge_status (*generatorCreate)(edge_model *, uint32_t,
                                 edge_generator **) = nullptr;
  void (*generatorDestroy)(edge_generator *) = nullptr;
  edge_status (*generatorAdd)(edge_generator *, const int64_t *, size_t,
                              const edge_generation_config *,
                              uint32_t *) = nullptr;
  edge_status (*generatorStep)(edge_generator *) = nullptr;
  size_t (*generatorUnfinished)(const edge_generator *) = nullptr;
  edge_status (*generatorTokens)(const edge_generator *, uint32_t,
                                 const int64_t **, size_t *,
                                 edge_finish_reason *) = nullptr;
  edge_status (*generatorStats)(const edge_generator *,
                                edge_generation_stats *) = nullptr;
};

namespace {
/// Closes a dlopen handle unless released.
struct HandleCloser {
  void *handle;
  ~HandleCloser() {
    if (handle)
      dlclose(handle);
  }
};

/// Looks up `name` in `handle`; false when the library lacks it.
template <typename FnTy>
bool resolve(void *handle, const char *name, FnTy &fn) {
  void *symbol = dlsym(handle, name);
  if (!symbol)
    return false;
  fn = reinterpret_cast<FnTy>(symbol);
  return true;
}
} // namespace

std::unique_ptr<LoadedModel> LoadedModel::load(const std::string &path,
                                               std::string &error,
                                               uint32_t numThreads) {
  error.clear();
  char fileError[512];
  if (!edge_check_library_file(path.c_str(), fileError, sizeof(fileError))) {
    error = fileError;
    return nullptr;
  }

  // Without a '/', dlopen would search the library path instead of the file.
  std::string openPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  dlerror();
  HandleCloser closer{dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL)};
  if (!closer.handle) {
    const char *reason = dlerror();
    error = "cannot load model '" + path +
            "': " + (reason ? reason : "unknown dlopen error");
    return nullptr;
  }

  auto api = std::make_unique<Api>();
  if (!resolve(closer.handle, "edge_abi_version", api->abiVersion)) {
    error = "'" + path +
            "' is not an edge model library (it does not export "
            "edge_abi_version)";
    return nullptr;
  }
  uint32_t version = api->abiVersion();
  if (version != EDGE_ABI_VERSION) {
    error = "'" + path + "' was built for edge ABI version " +
            std::to_string(version) + ", but this program supports version " +
            std::to_string(EDGE_ABI_VERSION) +
            "; recompile the model with a matching edge-compile";
    return nullptr;
  }

  const char *missing = nullptr;
  if (!resolve(closer.handle, "edge_model_create_with_threads", api->create))
    missing = "edge_model_create_with_threads";
  else if (!resolve(closer.handle, "edge_model_num_threads", api->numThreads))
    missing = "edge_model_num_threads";
  else if (!resolve(closer.handle, "edge_model_report", api->report))
    missing = "edge_model_report";
  else if (!resolve(closer.handle, "edge_model_destroy", api->destroy))
    missing = "edge_model_destroy";
  else if (!resolve(closer.handle, "edge_model_num_inputs", api->numInputs))
    missing = "edge_model_num_inputs";
  else if (!resolve(closer.handle, "edge_model_num_outputs", api->numOutputs))
    missing = "edge_model_num_outputs";
  else if (!resolve(closer.handle, "edge_model_input", api->input))
    missing = "edge_model_input";
  else if (!resolve(closer.handle, "edge_model_output", api->output))
    missing = "edge_model_output";
  else if (!resolve(closer.handle, "edge_model_run", api->run))
    missing = "edge_model_run";
  else if (!resolve(closer.handle, "edge_model_run_async", api->runAsync))
    missing = "edge_model_run_async";
  else if (!resolve(closer.handle, "edge_model_wait", api->wait))
    missing = "edge_model_wait";
  else if (!resolve(closer.handle, "edge_model_last_error", api->lastError))
    missing = "edge_model_last_error";
  else if (!resolve(closer.handle, "edge_model_workspace_bytes",
                    api->workspaceBytes))
    missing = "edge_model_workspace_bytes";
  else if (!resolve(closer.handle, "edge_model_set_input_shape",
                    api->setInputShape))
    missing = "edge_model_set_input_shape";
  else if (!resolve(closer.handle, "edge_model_input_shape", api->inputShape))
    missing = "edge_model_input_shape";
  else if (!resolve(closer.handle, "edge_model_output_shape",
                    api->outputShape))
    missing = "edge_model_output_shape";
  else if (!resolve(closer.handle, "edge_generator_create",
                    api->generatorCreate) ||
           !resolve(closer.handle, "edge_generator_destroy",
                    api->generatorDestroy) ||
           !resolve(closer.handle, "edge_generator_add", api->generatorAdd) ||
           !resolve(closer.handle, "edge_generator_step", api->generatorStep) ||
           !resolve(closer.handle, "edge_generator_unfinished",
                    api->generatorUnfinished) ||
           !resolve(closer.handle, "edge_generator_tokens",
                    api->generatorTokens) ||
           !resolve(closer.handle, "edge_generator_stats", api->generatorStats))
    missing = "the edge_generator functions";
  if (missing) {
    error = "'" + path + "' is not a complete edge model library (it does " +
            "not export " + missing + ")";
    return nullptr;
  }

  edge_model *instance = nullptr;
  edge_status status = api->create(numThreads, &instance);
  if (status != EDGE_OK || !instance) {
    const char *reason = api->lastError(nullptr);
    error = "cannot create an instance of model '" + path +
            "': " + (reason && *reason ? reason : "unknown error");
    if (instance)
      api->destroy(instance);
    return nullptr;
  }

  void *handle = closer.handle;
  closer.handle = nullptr;
  return std::unique_ptr<LoadedModel>(
      new LoadedModel(path, handle, std::move(api), instance));
}

LoadedModel::LoadedModel(std::string path, void *handle,
                         std::unique_ptr<Api> api, edge_model *instance)
    : path(std::move(path)), handle(handle), api(std::move(api)),
      instance(instance) {}

LoadedModel::~LoadedModel() {
  api->destroy(instance);
  dlclose(handle);
}

size_t LoadedModel::getNumInputs() const { return api->numInputs(instance); }

size_t LoadedModel::getNumOutputs() const { return api->numOutputs(instance); }

const edge_tensor_info &LoadedModel::getInput(size_t index) const {
  return *api->input(instance, index);
}

const edge_tensor_info &LoadedModel::getOutput(size_t index) const {
  return *api->output(instance, index);
}

const char *LoadedModel::getReport() const { return api->report(instance); }

uint32_t LoadedModel::getNumThreads() const {
  return api->numThreads(instance);
}

size_t LoadedModel::getWorkspaceBytes() const {
  return api->workspaceBytes(instance);
}

bool LoadedModel::fail(std::string &error) const {
  const char *reason = api->lastError(instance);
  error = reason && *reason ? reason : "the model failed to run";
  return false;
}

bool LoadedModel::run(const void *const *inputs, void *const *outputs,
                      std::string &error) {
  return api->run(instance, inputs, outputs) == EDGE_OK || fail(error);
}

bool LoadedModel::runAsync(const void *const *inputs, void *const *outputs,
                           uint64_t &ticket, std::string &error) {
  return api->runAsync(instance, inputs, outputs, &ticket) == EDGE_OK ||
         fail(error);
}

bool LoadedModel::wait(uint64_t ticket, std::string &error) {
  return api->wait(instance, ticket) == EDGE_OK || fail(error);
}

bool LoadedModel::hasDynamicShapes() const {
  for (size_t t = 0; t < getNumInputs() + getNumOutputs(); ++t) {
    const edge_tensor_info &info =
        t < getNumInputs() ? getInput(t) : getOutput(t - getNumInputs());
    for (int32_t d = 0; d < info.rank; ++d)
      if (info.shape[d] < 0)
        return true;
  }
  return false;
}

bool LoadedModel::setInputShape(size_t index, const int64_t *shape,
                                std::string &error) {
  return api->setInputShape(instance, index, shape) == EDGE_OK || fail(error);
}

LoadedModel::Generator::~Generator() {
  if (generator)
    model.api->generatorDestroy(generator);
}

std::unique_ptr<LoadedModel::Generator>
LoadedModel::createGenerator(uint32_t maxSequences, std::string &error) {
  edge_generator *generator = nullptr;
  if (api->generatorCreate(instance, maxSequences, &generator) != EDGE_OK) {
    fail(error);
    return nullptr;
  }
  return std::unique_ptr<Generator>(new Generator(*this, generator));
}

bool LoadedModel::Generator::add(const std::vector<int64_t> &prompt,
                                 const edge_generation_config &config,
                                 uint32_t &sequence, std::string &error) {
  return model.api->generatorAdd(generator, prompt.data(), prompt.size(),
                                 &config, &sequence) == EDGE_OK ||
         model.fail(error);
}

bool LoadedModel::Generator::step(std::string &error) {
  return model.api->generatorStep(generator) == EDGE_OK || model.fail(error);
}

LoadedModel::Generator::Outcome LoadedModel::Generator::generateAll(
    const std::vector<std::vector<int64_t>> &prompts,
    const edge_generation_config &config, std::vector<uint32_t> &sequences,
    std::string &error, double *firstPrefillSeconds) {
  sequences.assign(prompts.size(), 0);
  size_t next = 0;
  bool first = true;
  while (next < prompts.size() || unfinished()) {
    // A refused prompt waits for a sequence to end, unless none runs.
    while (next < prompts.size() &&
           add(prompts[next], config, sequences[next], error))
      ++next;
    if (next < prompts.size() && !unfinished())
      return Outcome::Refused;
    if (!step(error))
      return Outcome::Failed;
    if (first && firstPrefillSeconds)
      *firstPrefillSeconds = stats().prefill_seconds;
    first = false;
  }
  return Outcome::Done;
}

size_t LoadedModel::Generator::unfinished() const {
  return model.api->generatorUnfinished(generator);
}

std::vector<int64_t>
LoadedModel::Generator::tokens(uint32_t sequence,
                               edge_finish_reason *finished) const {
  const int64_t *data = nullptr;
  size_t count = 0;
  if (model.api->generatorTokens(generator, sequence, &data, &count,
                                 finished) != EDGE_OK)
    return {};
  return std::vector<int64_t>(data, data + count);
}

edge_generation_stats LoadedModel::Generator::stats() const {
  edge_generation_stats stats{};
  model.api->generatorStats(generator, &stats);
  return stats;
}

std::vector<int64_t> LoadedModel::getInputShape(size_t index) const {
  std::vector<int64_t> shape(static_cast<size_t>(getInput(index).rank));
  api->inputShape(instance, index, shape.data());
  return shape;
}

std::vector<int64_t> LoadedModel::getOutputShape(size_t index) const {
  std::vector<int64_t> shape(static_cast<size_t>(getOutput(index).rank));
  api->outputShape(instance, index, shape.data());
  return shape;
}

std::string edge::getDTypeName(int32_t dtype) {
  switch (dtype) {
  case EDGE_DTYPE_FLOAT32:
    return "float32";
  case EDGE_DTYPE_UINT8:
    return "uint8";
  case EDGE_DTYPE_INT8:
    return "int8";
  case EDGE_DTYPE_UINT16:
    return "uint16";
  case EDGE_DTYPE_INT16:
    return "int16";
  case EDGE_DTYPE_INT32:
    return "int32";
  case EDGE_DTYPE_INT64:
    return "int64";
  case EDGE_DTYPE_BOOL:
    return "bool";
  case EDGE_DTYPE_FLOAT16:
    return "float16";
  case EDGE_DTYPE_FLOAT64:
    return "float64";
  case EDGE_DTYPE_UINT32:
    return "uint32";
  case EDGE_DTYPE_UINT64:
    return "uint64";
  case EDGE_DTYPE_BFLOAT16:
    return "bfloat16";
  default:
    return "dtype(" + std::to_string(dtype) + ")";
  }
}

std::string edge::formatShape(const int64_t *shape, size_t rank) {
  std::string text = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

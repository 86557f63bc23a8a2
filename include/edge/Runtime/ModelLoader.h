//===- ModelLoader.h - Load a compiled model library ------------*- C++ -*-===//
//
// Opens a model library that edge-compile produced, checks that it speaks
// the ABI of edge-c/Model.h this code was built with, and creates an
// instance. Used by edge-run and the Python module; plain C++17, no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_RUNTIME_MODELLOADER_H
#define EDGE_RUNTIME_MODELLOADER_H

#include "edge-c/Model.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edge {

/// A model library opened with dlopen (RTLD_LOCAL) and one instance of the
/// model. Closing happens in the destructor. Not thread-safe: one run at a
/// time per LoadedModel.
class LoadedModel {
public:
  /// Opens `path` and creates an instance whose parallel loops run on
  /// `numThreads` threads (0: EDGE_NUM_THREADS decides). Returns null and
  /// sets `error` to a one-line reason when the file is missing, is not an
  /// edge model library, was built for another ABI version, or cannot
  /// create an instance.
  static std::unique_ptr<LoadedModel>
  load(const std::string &path, std::string &error, uint32_t numThreads = 0);

  ~LoadedModel();
  LoadedModel(const LoadedModel &) = delete;
  LoadedModel &operator=(const LoadedModel &) = delete;

  const std::string &getPath() const { return path; }
  size_t getNumInputs() const;
  size_t getNumOutputs() const;
  /// `index` must be in range.
  const edge_tensor_info &getInput(size_t index) const;
  const edge_tensor_info &getOutput(size_t index) const;
  /// See edge_model_report (null: none).
  const char *getReport() const;
  /// See edge_model_num_threads.
  uint32_t getNumThreads() const;
  /// See edge_model_workspace_bytes.
  size_t getWorkspaceBytes() const;

  /// Runs the model on caller-owned buffers (see edge_model_run). Returns
  /// false and sets `error` on failure.
  bool run(const void *const *inputs, void *const *outputs, std::string &error);

  /// Starts a run and returns at once with its `ticket` (see
  /// edge_model_run_async): the buffers must live until wait(ticket).
  /// Returns false and sets `error` when the run cannot start.
  bool runAsync(const void *const *inputs, void *const *outputs,
                uint64_t &ticket, std::string &error);

  /// Waits for the run `ticket` (see edge_model_wait). Returns false and
  /// sets `error` when it failed.
  bool wait(uint64_t ticket, std::string &error);
  /// Whether an input or output has a dynamic dimension (-1 in its shape).
  bool hasDynamicShapes() const;
  /// See edge_model_set_input_shape: `shape` has the input's rank sizes.
  /// Returns false and sets `error` when the shape is refused.
  bool setInputShape(size_t index, const int64_t *shape, std::string &error);
  /// The shape set for input `index`, and output `index`'s shape after the
  /// last run (see edge_model_input_shape, edge_model_output_shape).
  std::vector<int64_t> getInputShape(size_t index) const;
  std::vector<int64_t> getOutputShape(size_t index) const;

  /// Text generation over this model (edge_generator_*, edge-c/Model.h);
  /// the model must outlive it and runs nothing else meanwhile.
  class Generator {
  public:
    ~Generator();
    Generator(const Generator &) = delete;
    Generator &operator=(const Generator &) = delete;

    /// Adds a sequence (edge_generator_add); false and `error` on failure.
    bool add(const std::vector<int64_t> &prompt,
             const edge_generation_config &config, uint32_t &sequence,
             std::string &error);
    /// One prefill or decode run (edge_generator_step).
    bool step(std::string &error);

    enum class Outcome { Done, Refused, Failed };
    /// Generates from every prompt: adds them as sequences end and slots
    /// free up (continuous batching) and steps until all have ended;
    /// `sequences[p]` numbers prompt p. Refused: a prompt the generator
    /// refuses with no sequence running; Failed: a run failed; `error`
    /// says why. `firstPrefillSeconds`, when given, gets the first step's
    /// prefill time (the time to first token).
    Outcome generateAll(const std::vector<std::vector<int64_t>> &prompts,
                        const edge_generation_config &config,
                        std::vector<uint32_t> &sequences, std::string &error,
                        double *firstPrefillSeconds = nullptr);
    size_t unfinished() const;
    /// The tokens of `sequence` so far, and why it ended.
    std::vector<int64_t> tokens(uint32_t sequence,
                                edge_finish_reason *finished) const;
    edge_generation_stats stats() const;

  private:
    friend class LoadedModel;
    Generator(LoadedModel &model, edge_generator *generator)
        : model(model), generator(generator) {}
    LoadedModel &model;
    edge_generator *generator;
  };

  /// A generator of up to `maxSequences` sequences at once (0: the model's
  /// batch bound); null and `error` when the model is not a decoder with a
  /// KV-cache (edge_generator_create).
  std::unique_ptr<Generator> createGenerator(uint32_t maxSequences,
                                             std::string &error);

private:
  struct Api;
  /// Sets `error` to the instance's last error; returns false.
  bool fail(std::string &error) const;
  LoadedModel(std::string path, void *handle, std::unique_ptr<Api> api,
              edge_model *instance);

  std::string path;
  void *handle;
  std::unique_ptr<Api> api;
  edge_model *instance;
};

/// A short name for an ONNX dtype code ("float32", "int64", ...), or
/// "dtype(N)" for a code edge does not support.
std::string getDTypeName(int32_t dtype);

/// Formats a shape as "[2,3]" ("[]" for a scalar).
std::string formatShape(const int64_t *shape, size_t rank);

} // namespace edge

#endif // EDGE_RUNTIME_MODELLOADER_H

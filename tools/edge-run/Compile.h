//===- Compile.h - Compile an ONNX model for edge-run -----------*- C++ -*-===//
//
// edge-run accepts a .onnx file directly: it runs edge-compile into a
// temporary directory and loads the library from there.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_TOOLS_EDGE_RUN_COMPILE_H
#define EDGE_TOOLS_EDGE_RUN_COMPILE_H

#include <string>

namespace edge {
namespace run {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
/// destruction.
class TempDir {
public:
  TempDir() = default;
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  /// Creates the directory. Returns false and sets `error` on failure.
  bool create(std::string &error);
  const std::string &getPath() const { return path; }

private:
  std::string path;
};

/// True when `path` names an ONNX model rather than a compiled library.
bool isOnnxModel(const std::string &path);

/// Runs `edge-compile model -o output`, with edge-compile taken from
/// $EDGE_COMPILE, the directory of this executable, or PATH. Its stderr
/// passes through. Returns false and sets `error` on failure.
bool compileModel(const std::string &model, const std::string &output,
                  std::string &error);

} // namespace run
} // namespace edge

#endif // EDGE_TOOLS_EDGE_RUN_COMPILE_H

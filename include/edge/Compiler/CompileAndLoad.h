//===- CompileAndLoad.h - Compile a model in memory and load it -*- C++ -*-===//
//
// For tools that compile small models of their own and run them in the
// compiling process: edge-calibrate's probes, and the importer's evaluation
// of constant subgraphs.
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_COMPILER_COMPILEANDLOAD_H
#define EDGE_COMPILER_COMPILEANDLOAD_H

#include "edge/Compiler/Compiler.h"
#include "edge/Runtime/ModelLoader.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace mlir::edge {

/// Writes `source` to `dir`/`name``extension` (`.onnxtxt`: ONNX text;
/// `.mlir`: edge IR), compiles it with `options` (its input and output
/// paths are replaced) into `dir`/`name`.so and loads an instance. The
/// error names what failed, with the first error diagnostic.
llvm::Expected<std::unique_ptr<::edge::LoadedModel>>
compileAndLoad(llvm::StringRef source, llvm::StringRef extension,
               llvm::StringRef dir, llvm::StringRef name,
               CompileOptions options = {});

} // namespace mlir::edge

#endif // EDGE_COMPILER_COMPILEANDLOAD_H

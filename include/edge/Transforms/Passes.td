//===- Passes.td - edge transformation passes --------------*- tablegen -*-===//

#ifndef EDGE_TRANSFORMS_PASSES_TD
#define EDGE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def EmitABIMetadataPass : Pass<"edge-emit-abi-metadata", "::mlir::ModuleOp"> {
  let summary = "Describe the model's inputs and outputs for the runtime";
  let description = [{
    Runs on tensors, before bufferization. Finds the model function (the
    only public `func.func`, or the one named by `entry`), tags it
    `edge.entry`, marks its arguments read-only for bufferization
    (`bufferization.writable = false`: inputs belong to the caller) and
    emits the global `edge_generated_metadata`: the text the runtime parses
    to answer the ABI's input/output queries (names from the `edge.name`
    argument/result attributes, ONNX element type codes and static shapes).
    See docs/runtime.md for the format.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Name of the model function (default: the only public function)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def EmitABIEntryPass : Pass<"edge-emit-abi-entry", "::mlir::ModuleOp"> {
  let summary = "Emit the runtime's entry point around the lowered model";
  let description = [{
    Runs on the LLVM dialect, after the model function was lowered with the
    bare-pointer calling convention and its results turned into trailing
    out-parameters. Emits `void edge_generated_entry(void **buffers)`,
    which loads one pointer per parameter from `buffers` (inputs, then
    outputs) and calls the function tagged `edge.entry`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DistinctResultsPass : Pass<"edge-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Give every returned tensor its own buffer";
  let description = [{
    A model may list one value as several outputs (`y = Relu(x)` and
    `z = Identity(y)`, both outputs). Each output is a separate caller
    buffer, so every repeated return operand gets a copy
    (`bufferization.alloc_tensor copy(...)`) before bufferization turns
    results into out-parameters.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def FoldConvBatchNormPass
    : Pass<"edge-fold-conv-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch normalization into the convolution";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant weights and statistics is one
    convolution: with `k = scale / sqrt(variance + epsilon)` per output
    channel, `W' = W * k` and `b' = (b - mean) * k + bias`. The batch norm
    disappears from the graph, saving a pass over the activations. Applies
    to f32 only, and only when the convolution has no other user.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def EmptyArgumentBuffersPass
    : Pass<"edge-empty-argument-buffers", "::mlir::func::FuncOp"> {
  let summary = "Pass zero-element buffers as memref<0xT>";
  let description = [{
    The bare-pointer calling convention of `convert-func-to-llvm` leaves a
    function unconverted when an argument's memref has zero elements but a
    shape like `3x0` (its strides do not pass the bare-pointer check). Such
    a buffer holds no data, so its argument becomes `memref<0xT>` and the
    body uses a local zero-size `memref.alloca` of the original type
    instead; nothing reads or writes either.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def MemrefCopyToLinalgPass : Pass<"edge-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    Bufferization expresses copies (padding, out-parameters) as
    `memref.copy`, which LLVM lowering turns into a call to the MLIR runner
    library's `memrefCopy` whenever a side is strided. Model libraries do not
    link that library, so copies become `linalg.copy` and then plain loops
    (LLVM recognizes the contiguous ones as memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // EDGE_TRANSFORMS_PASSES_TD

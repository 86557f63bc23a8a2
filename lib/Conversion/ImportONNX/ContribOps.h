//===- ContribOps.h - ONNX Runtime's ops as ONNX subgraphs -----*- C++ -*-===//
//
// Internal to the importer. ONNX Runtime's GenAI model builder, quantizer
// and transformer optimizer write ops of its com.microsoft domain
// (GroupQueryAttention, RotaryEmbedding, SkipSimplifiedLayerNormalization,
// Attention, FastGelu, ...) that no ONNX schema describes, and ONNX's Gelu
// (20) and Mish (18) are newer than the linked schemas. expandContribOps
// rewrites each of them, on the parsed ModelProto and before ONNX shape
// inference, into the standard ONNX ops of the same computation, in the
// forms an exported PyTorch model takes: the importer's dynamic sizes, the
// KV-cache detection and edge-fuse-attention then treat them as they treat
// that model (docs/onnxruntime-ops.md).
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_CONVERSION_IMPORTONNX_CONTRIBOPS_H
#define EDGE_LIB_CONVERSION_IMPORTONNX_CONTRIBOPS_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <onnx/onnx_pb.h>

namespace mlir::edge::onnx_import {

/// Rewrites the contrib ops of `model`'s main graph into default-domain
/// ops of opset `defaultOpset`. Errors name the node, its op type and the
/// unsupported form.
LogicalResult expandContribOps(onnx::ModelProto &model, int64_t defaultOpset,
                               Location loc);

} // namespace mlir::edge::onnx_import

#endif // EDGE_LIB_CONVERSION_IMPORTONNX_CONTRIBOPS_H

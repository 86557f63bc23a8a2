//===- ContribOps.h - ONNX Runtime's ops as ONNX subgraphs -----*- C++ -*-===//
//
// Internal to the importer. ONNX Runtime's GenAI model builder writes
// decoders with com.microsoft ops (GroupQueryAttention, RotaryEmbedding,
// SkipSimplifiedLayerNormalization, FastGelu, ...) that no ONNX schema
// describes, and ONNX's Gelu of opset 20 is newer than the linked schemas.
// expandContribOps rewrites each of them, on the parsed ModelProto and
// before ONNX shape inference, into the standard ONNX ops of the same
// computation, in the forms an exported PyTorch decoder takes: the
// importer's dynamic sizes, the KV-cache detection and edge-fuse-attention
// then treat them as they treat that decoder.
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

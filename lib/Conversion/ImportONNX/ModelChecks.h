//===- ModelChecks.h - Checks on a parsed ModelProto before use -*- C++ -*-===//
//
// Internal to the importer. ONNX's own shape inference trusts the model it
// reads: a tensor whose data is shorter than its dims say, or a node with
// fewer inputs than its schema needs, crashes it. These checks run on the
// freshly parsed protobuf, before anything else reads it, and report each
// problem with the node or tensor it belongs to. They also bring tensors
// stored in external files into the model (ExternalData.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef EDGE_LIB_CONVERSION_IMPORTONNX_MODELCHECKS_H
#define EDGE_LIB_CONVERSION_IMPORTONNX_MODELCHECKS_H

#include "edge/Conversion/ImportONNX/ImportONNX.h"

#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>

namespace mlir::edge::onnx_import {

/// Newest ONNX IR version the importer reads.
constexpr int64_t kMaxIRVersion = 11;
/// Newest opset of the default domain the importer reads. Opsets newer than
/// the schemas of the ONNX library edge links (17 for Debian's ONNX 1.12)
/// are read with its newest schemas: an op whose inputs, outputs or
/// attributes changed since then fails the arity or attribute checks with
/// an error naming the node, never silently.
constexpr int64_t kMaxOpset = 23;
/// Deepest nesting of subgraphs (If branches in Loop bodies, ...); real
/// models nest a few levels, protobuf's own limit allows about 30.
constexpr unsigned kMaxSubgraphDepth = 16;

/// Whether the reduction `opType` (ReduceSum, ReduceMean, ...) at `opset`
/// takes its axes as input 1 rather than as an attribute: ReduceSum from
/// opset 13, the others from opset 18, newer than the schemas edge links.
bool reduceTakesAxesInput(StringRef opType, int64_t opset);

/// The type of attribute `name` that the default-domain op `opType`
/// gained after the linked schemas (opset 17) and has at `opset`, where the
/// importer reads it (Split's num_outputs, Resize's axes, ...); nullopt
/// for any other.
std::optional<onnx::AttributeProto::AttributeType>
getNewerAttributeType(StringRef opType, int64_t opset, StringRef name);

/// The most inputs the default-domain op `opType` takes at `opset`, where
/// it gained inputs after the linked schemas (Pad's axes, the reductions'
/// axes); `schemaMax` otherwise.
int getNewerMaxInputs(StringRef opType, int64_t opset, int schemaMax);

/// Checks versions, graph structure and every tensor of `model`, and loads
/// external data into the tensors that use it. `defaultOpset` is the version
/// of the default domain the model imports (0 when it imports none).
LogicalResult checkModel(onnx::ModelProto &model, int64_t defaultOpset,
                         const ImportOptions &options, Location loc);

/// Runs ONNX shape inference (lenient: node-level errors are left to the
/// importer) in a child process and copies the types it infers into the
/// model's graph outputs and value_info. A model whose declared types
/// contradict each other is an error; so is a node on which ONNX's
/// inference crashes, named (ShapeInference.cpp).
LogicalResult inferShapes(onnx::ModelProto &model, int64_t opset,
                          Location loc);

/// Replaces the external-data reference of `tensor` by its bytes, read from
/// the file it names inside `directory` (the model's folder). Refuses
/// locations that leave the folder (absolute paths, "..", symlinks out of
/// it), special files, ranges outside the file and a length that disagrees
/// with the tensor's dims.
LogicalResult loadExternalData(onnx::TensorProto &tensor,
                               const std::optional<std::string> &directory,
                               int64_t expectedBytes, Location loc);

} // namespace mlir::edge::onnx_import

#endif // EDGE_LIB_CONVERSION_IMPORTONNX_MODELCHECKS_H

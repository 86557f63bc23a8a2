//===- Passes.h - edge transformation passes --------------------*- C++ -*-===//

#ifndef EDGE_TRANSFORMS_PASSES_H
#define EDGE_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir::edge {

/// Which f32 constant weights of matrix products edge-quantize-weights
/// quantizes too (`--quantize`): none, int8 with a scale per output column,
/// or int4 with a scale per block of rows of each column.
enum class WeightQuantization { none, int8, int4 };

#define GEN_PASS_DECL
#include "edge/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "edge/Transforms/Passes.h.inc"

/// Names shared by the ABI passes and the runtime contract.
inline constexpr const char *kEntryAttrName = "edge.entry";
inline constexpr const char *kNameAttrName = "edge.name";
/// Marks the arguments of an entry function that are graph (or partition)
/// inputs; the others are outputs.
inline constexpr const char *kInputAttrName = "edge.input";
/// Marks the argument of a model with dynamic sizes that holds the sizes
/// (edge-dynamic-shapes-abi): symbol values, then the outputs' sizes.
inline constexpr const char *kShapesAttrName = "edge.shapes";
inline constexpr const char *kMetadataSymbol = "edge_generated_metadata";
inline constexpr const char *kEntrySymbol = "edge_generated_entry";
/// The compiler's placement and cost report (JSON, CostReport.h) as a
/// module attribute, which edge-emit-abi-metadata turns into the library's
/// `edge_generated_report` text (edge_model_report).
inline constexpr const char *kReportAttrName = "edge.report";
inline constexpr const char *kReportSymbol = "edge_generated_report";
/// The arena of a function's planned intermediate buffers (edge-plan-memory)
/// and the runtime's view of the largest one.
inline constexpr const char *kArenaBytesAttrName = "edge.arena_bytes";
inline constexpr const char *kWorkspaceSymbol =
    "edge_generated_workspace_bytes";
/// The GPU a model's kernels were compiled for (absent for the CPU).
inline constexpr const char *kDeviceTargetSymbol =
    "edge_generated_device_target";
/// The CPU target of the library's code and the features it needs.
inline constexpr const char *kCPURequirementSymbol =
    "edge_generated_cpu_requirement";

/// Names shared by placement, partitioning and the schedule in the ABI.
inline constexpr const char *kDeviceAttrName = "edge.device";
inline constexpr const char *kDevicesAttrName = "edge.devices";
inline constexpr const char *kScheduleAttrName = "edge.schedule";
/// The cost model's time for an op on its device, and the sum for a
/// partition (or a model on one device), in seconds: what profiles compare
/// with the measured times.
inline constexpr const char *kEstimatedSecondsAttrName =
    "edge.estimated_seconds";

} // namespace mlir::edge

#endif // EDGE_TRANSFORMS_PASSES_H

//===- ContribNormalization.cpp - ONNX Runtime's norms and GELUs ----------===//
//
// SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization,
// SkipLayerNormalization, EmbedLayerNormalization, the GELUs and Mish, as
// ONNX ops (ContribOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "ContribExpander.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::onnx_import;
using namespace mlir::edge::onnx_import::contrib;

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

std::string Expander::rmsNormalize(const std::string &y,
                                   const std::string &gamma, float epsilon,
                                   const std::string &invStdOut,
                                   ArrayRef<int64_t> axes) {
  std::string meanSquare =
      reduce("ReduceMean", op("Mul", {y, y}), axes, /*keepDims=*/true);
  std::string root =
      op("Sqrt", {op("Add", {meanSquare, constantF32(epsilon)})});
  std::string invStd = invStdOut.empty()
                           ? op("Reciprocal", {root})
                           : add("Reciprocal", {root}, {invStdOut}).output(0);
  return op("Mul", {op("Mul", {y, invStd}), gamma});
}

/// SimplifiedLayerNormalization(X, scale) (and opset 23's
/// RMSNormalization, the same) and, with a skip,
/// SkipSimplifiedLayerNormalization(input, skip, gamma, bias?): RMS
/// normalization over the axes from `axis` on (the last for the latter), of
/// the sum input + skip + bias for the latter, which is also its fourth
/// output.
LogicalResult Expander::expandSimplifiedNorm(bool withSkip) {
  if (withSkip ? failed(checkAttributes({"epsilon"}))
               : failed(checkAttributes({"axis", "epsilon", "stash_type"})))
    return failure();
  if (node->op_type() == "RMSNormalization" && node->output_size() > 1)
    return error() << "has " << node->output_size()
                   << " outputs; RMSNormalization has one";
  // The normalized axes, counted from the end.
  int64_t axis = getInt("axis", -1);
  if (std::optional<int64_t> rank = getRank(node->input(0));
      rank && axis < -*rank)
    return error() << "axis=" << axis << " is out of range for rank " << *rank;
  if (axis >= 0) {
    std::optional<int64_t> rank = getRank(node->input(0));
    if (!rank)
      return error() << "axis=" << axis
                     << " needs the input's rank: declare it, or count the "
                        "axis from the end";
    if (axis >= *rank)
      return error() << "axis=" << axis << " is out of range for rank "
                     << *rank;
    axis -= *rank;
  }
  SmallVector<int64_t> axes;
  for (int64_t a = axis; a < 0; ++a)
    axes.push_back(a);
  int minInputs = withSkip ? 3 : 2;
  for (int i = 0; i < minInputs; ++i)
    if (!hasInput(i))
      return error() << "input " << i << " is missing";
  if (withSkip && hasOutput(1))
    return error() << "output 1 (mean) is not defined for an RMS "
                      "normalization";
  float epsilon = getFloat("epsilon", withSkip ? 1e-12f : 1e-5f);
  std::string y = node->input(0);
  if (withSkip) {
    y = op("Add", {y, node->input(1)});
    if (hasInput(3))
      y = op("Add", {y, node->input(3)});
    if (hasOutput(3))
      y = identity(y, node->output(3));
  }
  int gammaIndex = withSkip ? 2 : 1;
  int invStdIndex = withSkip ? 2 : 1;
  std::string invStd = hasOutput(invStdIndex) ? node->output(invStdIndex) : "";
  std::string out =
      rmsNormalize(y, node->input(gammaIndex), epsilon, invStd, axes);
  identity(out, node->output(0));
  return success();
}

/// SkipLayerNormalization(input, skip, gamma, beta?, bias?): LayerNorm over
/// the last axis of input + skip + bias.
LogicalResult Expander::expandSkipLayerNorm() {
  if (failed(checkAttributes({"epsilon"})))
    return failure();
  for (int i = 0; i < 3; ++i)
    if (!hasInput(i))
      return error() << "input " << i << " is missing";
  float epsilon = getFloat("epsilon", 1e-12f);
  std::string y = op("Add", {node->input(0), node->input(1)});
  if (hasInput(4))
    y = op("Add", {y, node->input(4)});
  if (hasOutput(3))
    y = identity(y, node->output(3));
  identity(layerNormalize(y, node->input(2), hasInput(3) ? node->input(3) : "",
                          epsilon, hasOutput(1) ? node->output(1) : "",
                          hasOutput(2) ? node->output(2) : ""),
           node->output(0));
  return success();
}

std::string Expander::layerNormalize(const std::string &y,
                                     const std::string &gamma,
                                     const std::string &beta, float epsilon,
                                     const std::string &meanOut,
                                     const std::string &invStdOut) {
  std::string mean = reduce("ReduceMean", y, {-1}, /*keepDims=*/true);
  if (!meanOut.empty())
    mean = identity(mean, meanOut);
  std::string centered = op("Sub", {y, mean});
  std::string variance =
      reduce("ReduceMean", op("Mul", {centered, centered}), {-1}, true);
  std::string root = op("Sqrt", {op("Add", {variance, constantF32(epsilon)})});
  std::string invStd = invStdOut.empty()
                           ? op("Reciprocal", {root})
                           : add("Reciprocal", {root}, {invStdOut}).output(0);
  std::string out = op("Mul", {op("Mul", {centered, invStd}), gamma});
  return beta.empty() ? out : op("Add", {out, beta});
}

/// EmbedLayerNormalization(input_ids, segment_ids?, word_embedding,
/// position_embedding, segment_embedding?, gamma, beta, mask?,
/// position_ids?): the embeddings' sum, layer-normalized; the mask's count
/// of ones per row (mask_index) and the sum itself are outputs 1 and 2.
LogicalResult Expander::expandEmbedLayerNorm() {
  if (failed(checkAttributes({"epsilon", "mask_index_type"})))
    return failure();
  for (int i : {0, 2, 3, 5, 6})
    if (!hasInput(i))
      return error() << "input " << i << " is missing";
  if (hasInput(1) != hasInput(4))
    return error() << "segment_ids and segment_embedding must both be given";
  std::string ids = node->input(0);
  std::string sum = op("Gather", {node->input(2), ids});
  // Positions: the given ones ([batch or 1, seq]), or 0 to seq - 1.
  std::string positions =
      hasInput(8) ? node->input(8)
                  : op("Range", {constantI64({0}, true), sizeOf(ids, 1),
                                 constantI64({1}, true)});
  sum = op("Add", {sum, op("Gather", {node->input(3), positions})});
  if (hasInput(1))
    sum = op("Add", {sum, op("Gather", {node->input(4), node->input(1)})});
  if (hasOutput(2))
    sum = identity(sum, node->output(2));
  identity(layerNormalize(sum, node->input(5), node->input(6),
                          getFloat("epsilon", 1e-12f), "", ""),
           node->output(0));
  if (hasOutput(1)) {
    // The ones of each row of the mask (none without a mask), int32.
    std::string ones =
        hasInput(7)
            ? cast(op("Equal", {cast(node->input(7), onnx::TensorProto::INT64),
                                constantI64({1}, true)}),
                   onnx::TensorProto::INT64)
            : op("Mul",
                 {cast(ids, onnx::TensorProto::INT64), constantI64({0}, true)});
    add("Cast", {reduce("ReduceSum", ones, {1}, /*keepDims=*/false)},
        {node->output(1)});
    setInt(emitted.back(), "to", onnx::TensorProto::INT32);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// GELU
//===----------------------------------------------------------------------===//

/// com.microsoft Gelu (x/2 (1 + erf(x / sqrt 2))), BiasGelu (of A + B),
/// FastGelu (the tanh approximation, of X + bias), QuickGelu (x
/// sigmoid(alpha x)), and ONNX's Gelu of opset 20 (`approximate` "none" or
/// "tanh"), which the linked schemas predate.
LogicalResult Expander::expandGelu() {
  StringRef type = node->op_type();
  bool onnxGelu = node->domain() != kMicrosoftDomain;
  if (failed(checkAttributes(type == "QuickGelu" ? ArrayRef<StringRef>{"alpha"}
                             : onnxGelu ? ArrayRef<StringRef>{"approximate"}
                                        : ArrayRef<StringRef>{})))
    return failure();
  if (!hasInput(0) || (type == "BiasGelu" && !hasInput(1)))
    return error() << "an input is missing";
  std::string x = node->input(0);
  if ((type == "BiasGelu" || type == "FastGelu") && hasInput(1))
    x = op("Add", {x, node->input(1)});
  if (type == "QuickGelu") {
    std::string scaled = op("Mul", {x, constantF32(getFloat("alpha", 1.702f))});
    identity(op("Mul", {x, op("Sigmoid", {scaled})}), node->output(0));
    return success();
  }
  bool useTanh = type == "FastGelu";
  if (onnxGelu) {
    const onnx::AttributeProto *approximate = findAttribute("approximate");
    std::string mode = approximate ? approximate->s() : "none";
    if (mode != "none" && mode != "tanh")
      return error() << "approximate='" << mode
                     << "' is not supported: 'none' or 'tanh'";
    useTanh = mode == "tanh";
  }
  std::string inner;
  if (useTanh) {
    // sqrt(2 / pi) (x + 0.044715 x^3)
    std::string cube = op("Mul", {op("Mul", {x, x}), x});
    std::string sum = op("Add", {x, op("Mul", {cube, constantF32(0.044715f)})});
    inner = op("Tanh", {op("Mul", {sum, constantF32(0.7978845608f)})});
  } else {
    inner = op("Erf", {op("Mul", {x, constantF32(0.70710678f)})});
  }
  std::string half = op("Mul", {x, constantF32(0.5f)});
  identity(op("Mul", {half, op("Add", {inner, constantF32(1.0f)})}),
           node->output(0));
  return success();
}

LogicalResult Expander::expandMish() {
  if (failed(checkAttributes({})))
    return failure();
  std::string x = node->input(0);
  identity(op("Mul", {x, op("Tanh", {op("Softplus", {x})})}), node->output(0));
  return success();
}

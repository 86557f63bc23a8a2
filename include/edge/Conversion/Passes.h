//===- Passes.h - edge conversion passes ------------------------*- C++ -*-===//

#ifndef EDGE_CONVERSION_PASSES_H
#define EDGE_CONVERSION_PASSES_H

#include "edge/Conversion/EdgeToLinalg/EdgeToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace mlir::edge {

#define GEN_PASS_REGISTRATION
#include "edge/Conversion/Passes.h.inc"

} // namespace mlir::edge

#endif // EDGE_CONVERSION_PASSES_H

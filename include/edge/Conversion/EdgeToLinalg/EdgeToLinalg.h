//===- EdgeToLinalg.h - Lower edge ops to linalg ----------------*- C++ -*-===//

#ifndef EDGE_CONVERSION_EDGETOLINALG_EDGETOLINALG_H
#define EDGE_CONVERSION_EDGETOLINALG_EDGETOLINALG_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class ConversionTarget;
class RewritePatternSet;

namespace edge {

#define GEN_PASS_DECL_CONVERTEDGETOLINALGPASS
#include "edge/Conversion/Passes.h.inc"

/// Adds the patterns that lower every edge op to linalg/tensor/arith/math.
void populateEdgeToLinalgConversionPatterns(RewritePatternSet &patterns);

/// Marks the edge dialect illegal and what the patterns produce legal.
void configureEdgeToLinalgConversionLegality(ConversionTarget &target);

} // namespace edge
} // namespace mlir

#endif // EDGE_CONVERSION_EDGETOLINALG_EDGETOLINALG_H

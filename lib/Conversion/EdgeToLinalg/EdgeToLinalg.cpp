//===- EdgeToLinalg.cpp - The convert-edge-to-linalg pass -----------------===//

#include "edge/Conversion/EdgeToLinalg/EdgeToLinalg.h"

#include "Utils.h"
#include "edge/Dialect/Edge/IR/EdgeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::edge {
#define GEN_PASS_DEF_CONVERTEDGETOLINALGPASS
#include "edge/Conversion/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

void mlir::edge::populateEdgeToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateContractionPatterns(patterns);
  populateQuantizedMatMulPatterns(patterns);
  populateConvolutionPatterns(patterns);
  populatePoolingPatterns(patterns);
  populateNormalizationPatterns(patterns);
  populateDataMovementPatterns(patterns);
  populateReductionPatterns(patterns);
  populateScatterPatterns(patterns);
  populateIndexCheckPatterns(patterns);
  populateSizeCheckPatterns(patterns);
  populateNonMaxSuppressionPatterns(patterns);
}

void mlir::edge::configureEdgeToLinalgConversionLegality(
    ConversionTarget &target) {
  target.addIllegalDialect<EdgeDialect>();
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, scf::SCFDialect,
                         tensor::TensorDialect>();
}

namespace {
struct ConvertEdgeToLinalgPass final
    : edge::impl::ConvertEdgeToLinalgPassBase<ConvertEdgeToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    configureEdgeToLinalgConversionLegality(target);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    populateEdgeToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

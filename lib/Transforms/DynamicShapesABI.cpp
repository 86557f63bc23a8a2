//===- DynamicShapesABI.cpp - Sizes and outputs through runtime buffers ---===//
//
// The entry of a model takes bare pointers. A model with dynamic sizes
// gets its sizes from one more buffer: the runtime writes the symbols'
// values at its start (DynamicShapes.h), the code builds each dynamic
// input's view from them and writes every output's sizes after them. Its
// outputs become arguments too, written in place: the last kernel of an
// output writes into the caller's buffer (empty tensor elimination), and
// a dynamic output is dense at its run's sizes.
//
// A partition of a model placed on several devices (PartitionSizes.h) reads
// the sizes of the values other partitions computed from the same buffer,
// and writes those of the values it computes there.
//
//===----------------------------------------------------------------------===//

#include "DynamicShapes.h"
#include "PartitionSizes.h"

#include "edge/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_DYNAMICSHAPESABIPASS
#include "edge/Transforms/Passes.h.inc"
} // namespace mlir::edge

using namespace mlir;
using namespace mlir::edge;

/// Row-major strides of `sizes`, static where the sizes after them are.
static SmallVector<OpFoldResult> getRowMajorStrides(OpBuilder &b, Location loc,
                                                    ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 2; d >= 0; --d) {
    std::optional<int64_t> next = getConstantIntValue(strides[d + 1]);
    std::optional<int64_t> size = getConstantIntValue(sizes[d + 1]);
    strides[d] = next && size
                     ? OpFoldResult(b.getIndexAttr(*next * *size))
                     : OpFoldResult(arith::MulIOp::create(
                           b, loc, getValueOrCreateConstantIndexOp(b, loc, strides[d + 1]),
                           getValueOrCreateConstantIndexOp(b, loc, sizes[d + 1]))
                                        .getResult());
  }
  return strides;
}

/// A row-major view of `sizes` over the bare buffer `buffer`: dense, or
/// with the strides of a cache that has room for `cache->capacity`
/// positions along `cache->axis`.
static Value createView(OpBuilder &b, Location loc, Value buffer,
                        RankedTensorType type, ArrayRef<OpFoldResult> sizes,
                        std::optional<CacheLayout> cache = std::nullopt) {
  SmallVector<OpFoldResult> layoutSizes(sizes);
  if (cache)
    layoutSizes[cache->axis] = b.getIndexAttr(cache->capacity);
  auto viewType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::ReinterpretCastOp::create(
      b, loc, viewType, buffer, b.getIndexAttr(0), sizes,
      getRowMajorStrides(b, loc, layoutSizes));
}

/// Makes cache output `output` (Concat(past, new), lowered to insert_slices
/// of `past` then `new` into an empty tensor) write `new` into the cache
/// view `dest` at the past's end, without copying the past positions:
/// they are already there, the input being a view of the same buffer.
/// `createDest` creates the view, given a value of the output's sizes.
/// Returns the value to materialize in the view: the output itself where
/// the pattern is not found, which copies the past onto itself (correct,
/// only slower).
static Value appendInPlace(OpBuilder &b, Value output, Value past,
                           RankedTensorType type,
                           function_ref<Value(OpBuilder &, Value)> createDest) {
  auto append = output.getDefiningOp<tensor::InsertSliceOp>();
  auto copy = append ? append.getDest().getDefiningOp<tensor::InsertSliceOp>()
                     : tensor::InsertSliceOp();
  if (!copy || copy.getSource() != past ||
      !copy.getDest().getDefiningOp<tensor::EmptyOp>() ||
      !llvm::all_of(copy.getMixedOffsets(), isZeroInteger))
    return output;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(append);
  Value dest = createDest(b, copy.getResult());
  Value cache = bufferization::ToTensorOp::create(
      b, append.getLoc(), type, dest, /*restrict=*/true, /*writable=*/true);
  Value appended = tensor::InsertSliceOp::create(
      b, append.getLoc(), append.getSource(), cache, append.getMixedOffsets(),
      append.getMixedSizes(), append.getMixedStrides());
  output.replaceAllUsesWith(appended);
  return appended;
}

/// The buffer type of an argument whose sizes the runtime gives: one
/// element, so that it lowers to a bare pointer; views give its sizes.
static MemRefType getBareBufferType(RankedTensorType type) {
  return MemRefType::get({1}, type.getElementType());
}

namespace {
struct DynamicShapesABIPass final
    : edge::impl::DynamicShapesABIPassBase<DynamicShapesABIPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    DimSymbols symbols = getDimSymbols(func);
    if (symbols.empty() || func.isExternal())
      return;
    MLIRContext *context = &getContext();
    Block &body = func.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Location loc = func.getLoc();
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    unsigned numInputs = func.getNumArguments();
    unsigned numOutputs = ret.getNumOperands();

    // The sizes buffer: symbol values, then each output's sizes (a
    // partition's say where they go, and how long the buffer is).
    int64_t count = symbols.names.size();
    SmallVector<SmallVector<int64_t>> outputOffsets;
    auto entries = func->getAttrOfType<IntegerAttr>(kShapeEntriesAttrName);
    for (auto [index, output] : llvm::enumerate(ret.getOperands())) {
      if (entries) {
        auto offsets = func.getResultAttrOfType<DenseI64ArrayAttr>(
            index, kSizeOffsetsAttrName);
        outputOffsets.emplace_back(offsets ? offsets.asArrayRef()
                                           : ArrayRef<int64_t>());
        continue;
      }
      outputOffsets.push_back({count});
      count += cast<RankedTensorType>(output.getType()).getRank();
    }
    if (entries)
      count = entries.getInt();
    // Arguments: the inputs, a buffer per output, the sizes buffer.
    SmallVector<Value> outputBuffers;
    for (Value output : ret.getOperands()) {
      auto type = cast<RankedTensorType>(output.getType());
      outputBuffers.push_back(body.addArgument(
          type.hasStaticShape()
              ? MemRefType::get(type.getShape(), type.getElementType())
              : getBareBufferType(type),
          loc));
    }
    auto i64 = b.getI64Type();
    Value sizes = body.addArgument(MemRefType::get({count}, i64), loc);

    // The size in entry `index`, known to be at most `bound` (the runtime
    // checks the symbols; a partition wrote the others): the memory plan
    // sizes buffers by what the bound implies.
    auto loadSize = [&](int64_t index, int64_t bound) -> Value {
      Value raw = memref::LoadOp::create(
          b, loc, sizes, ValueRange{arith::ConstantIndexOp::create(b, loc, index)});
      Value value = arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
      return affine::AffineMinOp::create(
          b, loc,
          AffineMap::get(0, 1,
                         {getAffineSymbolExpr(0, context),
                          getAffineConstantExpr(bound, context)},
                         context),
          ValueRange{value});
    };
    SmallVector<Value> symbolValues;
    for (auto [index, bound] : llvm::enumerate(symbols.bounds))
      symbolValues.push_back(loadSize(index, bound));

    // Cache outputs share their input's buffer (findCacheOutputs); a
    // partition may also read a cache another one appends to.
    SmallVector<CacheOutput> caches = getCacheOutputs(func);
    DenseMap<unsigned, const CacheOutput *> cacheOfOutput;
    DenseMap<unsigned, CacheLayout> cacheOfInput;
    for (unsigned arg = 0; arg < numInputs; ++arg)
      if (std::optional<CacheLayout> layout =
              getCacheLayout(func.getArgAttrDict(arg)))
        cacheOfInput[arg] = *layout;
    for (const CacheOutput &cache : caches) {
      cacheOfInput[cache.input] = {cache.axis, cache.capacity};
      cacheOfOutput[cache.output] = &cache;
    }
    auto inputLayout = [&](unsigned arg) -> std::optional<CacheLayout> {
      auto it = cacheOfInput.find(arg);
      if (it == cacheOfInput.end())
        return std::nullopt;
      return it->second;
    };
    DenseMap<unsigned, Value> inputTensors;

    // Dynamic inputs: views of the bare buffers at the symbols' values.
    for (unsigned arg = 0; arg < numInputs; ++arg) {
      BlockArgument input = body.getArgument(arg);
      auto type = cast<RankedTensorType>(input.getType());
      if (type.hasStaticShape())
        continue;
      auto offset =
          func.getArgAttrOfType<IntegerAttr>(arg, kSizeOffsetAttrName);
      auto bounds =
          func.getArgAttrOfType<DenseI64ArrayAttr>(arg, kBoundShapeAttrName);
      SmallVector<OpFoldResult> argSizes;
      for (auto [dim, size] : llvm::enumerate(type.getShape())) {
        std::optional<unsigned> symbol = symbols.getArgumentSymbol(func, arg, dim);
        if (symbol)
          argSizes.push_back(symbolValues[*symbol]);
        else if (ShapedType::isDynamic(size) && offset && bounds &&
                 bounds.size() == type.getRank())
          argSizes.push_back(loadSize(offset.getInt() + dim, bounds[dim]));
        else
          argSizes.push_back(b.getIndexAttr(size));
      }
      input.setType(getBareBufferType(type));
      Value view = createView(b, loc, input, type, argSizes, inputLayout(arg));
      Value tensor = bufferization::ToTensorOp::create(
          b, loc, type, view, /*restrict=*/true, /*writable=*/false);
      input.replaceAllUsesExcept(tensor, view.getDefiningOp());
      inputTensors[arg] = tensor;
      func.removeArgAttr(arg, bufferization::BufferizationDialect::kWritableAttrName);
      // The input's sizes are the symbols' values: every size computed
      // from them then has the bound the memory plan needs.
      for (Operation *user : llvm::make_early_inc_range(tensor.getUsers())) {
        auto dim = dyn_cast<tensor::DimOp>(user);
        std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
        if (!index || *index < 0 || *index >= type.getRank())
          continue;
        OpBuilder at(dim);
        dim.replaceAllUsesWith(getValueOrCreateConstantIndexOp(
            at, dim.getLoc(), argSizes[*index]));
        dim.erase();
      }
    }

    // Outputs: written into the caller's buffers, their sizes reported.
    b.setInsertionPoint(ret);
    for (unsigned index = 0; index < numOutputs; ++index) {
      Value output = ret.getOperand(index);
      auto type = cast<RankedTensorType>(output.getType());
      Value buffer = outputBuffers[index];
      auto sizesOf = [&](OpBuilder &b, Value shaped) {
        SmallVector<OpFoldResult> sizes;
        for (int64_t dim = 0; dim < type.getRank(); ++dim)
          sizes.push_back(
              type.isDynamicDim(dim)
                  ? OpFoldResult(
                        tensor::DimOp::create(b, loc, shaped, dim).getResult())
                  : OpFoldResult(b.getIndexAttr(type.getDimSize(dim))));
        return sizes;
      };
      Value dest;
      if (const CacheOutput *cache = cacheOfOutput.lookup(index)) {
        CacheLayout layout{cache->axis, cache->capacity};
        output = appendInPlace(b, output, inputTensors.lookup(cache->input),
                               type, [&](OpBuilder &b, Value shaped) {
                                 dest = createView(b, loc, buffer, type,
                                                   sizesOf(b, shaped), layout);
                                 return dest;
                               });
        if (!dest)
          dest = createView(b, loc, buffer, type, sizesOf(b, output), layout);
      }
      SmallVector<OpFoldResult> outSizes = sizesOf(b, output);
      if (!dest)
        dest = type.hasStaticShape()
                   ? buffer
                   : createView(b, loc, buffer, type, outSizes);
      bufferization::MaterializeInDestinationOp::create(
          b, loc, Type(), output, dest, /*restrict=*/true, /*writable=*/true);
      for (int64_t offset : outputOffsets[index])
        for (auto [dim, size] : llvm::enumerate(outSizes)) {
          Value slot = arith::ConstantIndexOp::create(b, loc, offset + dim);
          Value value = arith::IndexCastOp::create(
              b, loc, i64, getValueOrCreateConstantIndexOp(b, loc, size));
          memref::StoreOp::create(b, loc, value, sizes, ValueRange{slot});
        }
    }
    ret->setOperands({});

    // The new arguments in the signature, named for the metadata.
    SmallVector<DictionaryAttr> argAttrs;
    for (unsigned arg = 0; arg < numInputs; ++arg)
      argAttrs.push_back(func.getArgAttrDict(arg));
    for (unsigned i = 0; i < numOutputs; ++i)
      argAttrs.push_back(func.getResultAttrDict(i));
    argAttrs.push_back(DictionaryAttr::get(
        context, {NamedAttribute(StringAttr::get(context, kShapesAttrName),
                                 UnitAttr::get(context))}));
    func.setFunctionType(FunctionType::get(context, body.getArgumentTypes(), {}));
    func.setAllArgAttrs(argAttrs);
    func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});

    // tensor.dim of the outputs becomes arithmetic on the symbols, which
    // lets each output's producer write into the caller's buffer.
    RewritePatternSet patterns(context);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    tensor::DimOp::getCanonicalizationPatterns(patterns, context);
    memref::DimOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    IRRewriter rewriter(context);
    if (failed(bufferization::eliminateEmptyTensors(rewriter, func)))
      return signalPassFailure();
  }
};
} // namespace

//===- EinsumOp.cpp - edge.einsum: equation parsing and verification ------===//

#include "edge/Dialect/Edge/IR/EdgeOps.h"

using namespace mlir;
using namespace mlir::edge;

/// Index of a letter in [a-zA-Z]; -1 for anything else.
static int letterIndex(char c) {
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= 'A' && c <= 'Z')
    return 26 + c - 'A';
  return -1;
}

SmallVector<StringRef> EinsumOp::getTerms() {
  auto [inputs, output] = getEquation().split("->");
  if (!getEquation().contains("->"))
    return {};
  SmallVector<StringRef> terms;
  inputs.split(terms, ',');
  terms.push_back(output);
  return terms;
}

SmallVector<int64_t, 52> EinsumOp::getLetterSizes() {
  SmallVector<int64_t, 52> sizes(52, 0);
  SmallVector<StringRef> terms = getTerms();
  for (auto [term, input] : llvm::zip(terms, getInputs())) {
    ArrayRef<int64_t> shape = cast<ShapedType>(input.getType()).getShape();
    for (auto [letter, size] : llvm::zip(term, shape))
      if (letterIndex(letter) >= 0)
        sizes[letterIndex(letter)] = size;
  }
  return sizes;
}

LogicalResult EinsumOp::verify() {
  SmallVector<StringRef> terms = getTerms();
  if (terms.empty())
    return emitOpError("equation must have an explicit result after '->'");
  if (terms.size() != getInputs().size() + 1)
    return emitOpError("equation has ")
           << terms.size() - 1 << " operand terms for " << getInputs().size()
           << " operands";
  SmallVector<int64_t, 52> sizes(52, -1);
  for (auto [index, input] : llvm::enumerate(getInputs())) {
    StringRef term = terms[index];
    ArrayRef<int64_t> shape = cast<ShapedType>(input.getType()).getShape();
    if (term.size() != shape.size())
      return emitOpError("term '")
             << term << "' does not match operand " << index << " of rank "
             << shape.size();
    for (auto [letter, size] : llvm::zip(term, shape)) {
      int position = letterIndex(letter);
      if (position < 0)
        return emitOpError("equation letters must be in [a-zA-Z], got '")
               << letter << "'";
      if (sizes[position] >= 0 && sizes[position] != size)
        return emitOpError("letter '")
               << letter << "' has sizes " << sizes[position] << " and "
               << size;
      sizes[position] = size;
    }
  }
  StringRef output = terms.back();
  auto resultType = cast<ShapedType>(getType());
  if (output.size() != static_cast<size_t>(resultType.getRank()))
    return emitOpError("result term '")
           << output << "' does not match the result rank "
           << resultType.getRank();
  for (auto [index, letter] : llvm::enumerate(output)) {
    int position = letterIndex(letter);
    if (position < 0 || sizes[position] < 0)
      return emitOpError("result letter '")
             << letter << "' does not label an operand dimension";
    if (output.find(letter) != index)
      return emitOpError("result letter '") << letter << "' is repeated";
    if (resultType.getDimSize(index) != sizes[position])
      return emitOpError("result dimension ")
             << index << " must have size " << sizes[position];
  }
  return success();
}

//===- Registration.h - Register edge dialects and passes -------*- C++ -*-===//

#ifndef EDGE_REGISTRATION_H
#define EDGE_REGISTRATION_H

namespace mlir {
class DialectRegistry;
namespace edge {

/// Adds the edge dialect (and the upstream dialects its passes produce).
void registerAllEdgeDialects(DialectRegistry &registry);

/// Registers every edge pass and pipeline with the global pass registry.
void registerAllEdgePasses();

} // namespace edge
} // namespace mlir

#endif // EDGE_REGISTRATION_H

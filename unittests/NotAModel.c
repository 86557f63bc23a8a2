//===- NotAModel.c - A shared library that is not an edge model -----------===//

int edge_not_a_model(void) { return 42; }

//===- BadAbiModel.c - A library that claims a future ABI version ---------===//
//
// Exports edge_abi_version only, returning a version no loader supports.
//
//===----------------------------------------------------------------------===//

unsigned edge_abi_version(void) { return 999u; }

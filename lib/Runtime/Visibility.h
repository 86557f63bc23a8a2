/*===- Visibility.h - Linkage of the runtime's internal symbols ---*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. Everything in a model library but the ABI of      *|
|* edge-c/Model.h stays local to it (exports.map); these mark the symbols     *|
|* the runtime shares with the code edge-compile generates.                   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_VISIBILITY_H
#define EDGE_LIB_RUNTIME_VISIBILITY_H

#if defined(__GNUC__)
/// Defined (or used) by the generated code, never exported.
#define EDGE_HIDDEN __attribute__((visibility("hidden")))
/// Generated only for some models: NULL in a library without it.
#define EDGE_WEAK __attribute__((weak, visibility("hidden")))
#else
#define EDGE_HIDDEN
#define EDGE_WEAK
#endif

#endif /* EDGE_LIB_RUNTIME_VISIBILITY_H */

/*===- Environment.h - Lists read from the environment ------------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. Several switches name things in a comma-separated *|
|* list (EDGE_UNAVAILABLE_DEVICES=gpu0,gpu1, EDGE_DISABLE_CPU_FEATURES=avx2). *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_ENVIRONMENT_H
#define EDGE_LIB_RUNTIME_ENVIRONMENT_H

#ifdef __cplusplus
extern "C" {
#endif

/// Whether `name` is one of the comma-separated items of the environment
/// variable `variable` (0 when it is unset).
int edge_rt_environment_lists(const char *variable, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LIB_RUNTIME_ENVIRONMENT_H */

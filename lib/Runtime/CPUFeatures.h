/*===- CPUFeatures.h - The running CPU vs the library target ------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime. edge-compile records the CPU target of a model    *|
|* library's code as the text `edge_generated_cpu_requirement`:               *|
|*                                                                            *|
|*   <target name> <feature> <feature> ...      e.g. "x86-64-v3 avx avx2 fma" *|
|*                                                                            *|
|* with features by LLVM's names. Before an instance is created the runtime   *|
|* finds the running CPU's features (cpuid and xgetbv on x86-64, the          *|
|* auxiliary vector on AArch64) and refuses a library that needs one it       *|
|* lacks, instead of letting it die on an illegal instruction.                *|
|*                                                                            *|
|* EDGE_DISABLE_CPU_FEATURES=f1,f2 (LLVM names) makes the runtime treat those *|
|* features as absent: how tests check the refusal on any machine, and how a  *|
|* user checks that a library does not need a feature.                        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_CPUFEATURES_H
#define EDGE_LIB_RUNTIME_CPUFEATURES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Checks `requirement` (NULL: nothing recorded) against the running CPU.
/// Returns 0 when every feature is present. Otherwise returns -1 and writes
/// "compiled for <target>: this CPU lacks <f1>, <f2>" (or why the record is
/// unreadable) into `error`.
int edge_rt_check_cpu(const char *requirement, char *error, size_t error_size);

/// Whether the running CPU has `feature` (an LLVM feature name); -1 when the
/// runtime cannot tell (a name it does not know).
int edge_rt_cpu_has_feature(const char *feature);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LIB_RUNTIME_CPUFEATURES_H */

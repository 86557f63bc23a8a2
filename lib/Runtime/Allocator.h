/*===- Allocator.h - Heap buffers of the generated code -----------*- C -*-===*\
|*                                                                            *|
|* Internal to the runtime: the cache behind the generated code's buffer      *|
|* allocations (Allocator.c). Each model instance holds it while it lives;    *|
|* when the last one goes, the cached blocks return to the system.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef EDGE_LIB_RUNTIME_ALLOCATOR_H
#define EDGE_LIB_RUNTIME_ALLOCATOR_H

#ifdef __cplusplus
extern "C" {
#endif

void edge_rt_allocator_acquire(void);
void edge_rt_allocator_release(void);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_LIB_RUNTIME_ALLOCATOR_H */

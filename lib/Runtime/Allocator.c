//===- Allocator.c - Heap buffers of the generated code -------------------===//
//
// The generated code allocates its intermediate buffers through
// _mlir_memref_to_llvm_alloc/_free (finalize-memref-to-llvm with generic
// functions). Every run of a model allocates the same buffers in the same
// order, so freed blocks are kept, by exact size, and handed out again:
// after the first run no run maps, faults in, zeroes or unmaps memory,
// which a plain malloc/free of large blocks does every time (mmap'd blocks
// are returned to the kernel on free). The cache is released when the last
// model instance of the library is destroyed.
//
//===----------------------------------------------------------------------===//

// pthreads are POSIX, beyond the C11 the runtime is built as.
#define _POSIX_C_SOURCE 200809L

#include "Allocator.h"
#include "Visibility.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>


/// Precedes every block: its size, and the next free block of that size.
/// 64 bytes keep the block as aligned as malloc's result.
typedef union header {
  struct {
    size_t size;
    union header *next_free;
  } info;
  unsigned char padding[64];
} header;

/// The free blocks of one size.
typedef struct size_class {
  size_t size;
  header *free;
  struct size_class *next;
} size_class;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_class *classes;
static size_t live_instances;

static size_class *find_class(size_t size) {
  for (size_class *c = classes; c; c = c->next)
    if (c->size == size)
      return c;
  return NULL;
}

EDGE_HIDDEN void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  pthread_mutex_lock(&lock);
  size_class *c = find_class((size_t)size);
  header *block = c ? c->free : NULL;
  if (block)
    c->free = block->info.next_free;
  pthread_mutex_unlock(&lock);
  if (!block) {
    if (size > SIZE_MAX - sizeof(header))
      return NULL;
    block = malloc(sizeof(header) + (size_t)size);
    if (!block)
      return NULL;
    block->info.size = (size_t)size;
  }
  return block + 1;
}

EDGE_HIDDEN void _mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  header *block = (header *)pointer - 1;
  pthread_mutex_lock(&lock);
  size_class *c = find_class(block->info.size);
  if (!c) {
    c = malloc(sizeof(size_class));
    if (!c) {
      pthread_mutex_unlock(&lock);
      free(block);
      return;
    }
    c->size = block->info.size;
    c->free = NULL;
    c->next = classes;
    classes = c;
  }
  block->info.next_free = c->free;
  c->free = block;
  pthread_mutex_unlock(&lock);
}

void edge_rt_allocator_acquire(void) {
  pthread_mutex_lock(&lock);
  ++live_instances;
  pthread_mutex_unlock(&lock);
}

void edge_rt_allocator_release(void) {
  pthread_mutex_lock(&lock);
  size_class *released = NULL;
  if (live_instances > 0 && --live_instances == 0) {
    released = classes;
    classes = NULL;
  }
  pthread_mutex_unlock(&lock);
  while (released) {
    size_class *next = released->next;
    for (header *block = released->free; block;) {
      header *following = block->info.next_free;
      free(block);
      block = following;
    }
    free(released);
    released = next;
  }
}

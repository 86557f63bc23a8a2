/*===- LibraryFile.h - Check a model library file before dlopen ---*- C -*-===*
 *
 * dlopen maps a shared object's segments as the file's headers describe
 * them; a truncated file is mapped past its end and the first access
 * raises SIGBUS, and a library for another architecture fails with a
 * message about ELF fields. edge-run, edge-run-lite and the Python module
 * check the file first.
 *
 *===----------------------------------------------------------------------===*/

#ifndef EDGE_RUNTIME_LIBRARYFILE_H
#define EDGE_RUNTIME_LIBRARYFILE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* True when `path` is a regular file (not a directory, device or FIFO)
 * holding a 64-bit little-endian ELF shared object for this machine's
 * architecture whose headers, segments and section table all lie inside
 * the file. Otherwise writes a message naming
 * `path` into `error` (truncated to `errorSize`) and returns false. */
bool edge_check_library_file(const char *path, char *error, size_t errorSize);

#ifdef __cplusplus
}
#endif

#endif /* EDGE_RUNTIME_LIBRARYFILE_H */

/*===- LibraryFile.c - Check a model library file before dlopen -----------===*/

/* pread and O_CLOEXEC under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "edge/Runtime/LibraryFile.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define EDGE_HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define EDGE_HOST_MACHINE EM_AARCH64
#else
#error "edge runs on x86-64 and AArch64"
#endif

static const char *machineName(unsigned machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86-64";
  case EM_AARCH64:
    return "AArch64";
  case EM_386:
    return "32-bit x86";
  case EM_ARM:
    return "32-bit ARM";
  case EM_RISCV:
    return "RISC-V";
  default:
    return NULL;
  }
}

static bool fail(char *error, size_t errorSize, const char *format, ...) {
  if (errorSize == 0)
    return false;
  va_list args;
  va_start(args, format);
  vsnprintf(error, errorSize, format, args);
  va_end(args);
  return false;
}

/* Whether [offset, offset + size) lies inside a file of `fileSize` bytes. */
static bool inside(uint64_t offset, uint64_t size, uint64_t fileSize) {
  return offset <= fileSize && size <= fileSize - offset;
}

static bool readAt(int fd, void *buffer, size_t size, uint64_t offset) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, (char *)buffer + done, size - done,
                      (off_t)(offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += (size_t)n;
  }
  return true;
}

static bool checkOpenFile(int fd, const char *path, char *error,
                          size_t errorSize) {
  struct stat info;
  if (fstat(fd, &info) != 0)
    return fail(error, errorSize, "cannot read '%s': %s", path,
                strerror(errno));
  if (S_ISDIR(info.st_mode))
    return fail(error, errorSize, "cannot open model '%s': it is a directory",
                path);
  if (!S_ISREG(info.st_mode))
    return fail(error, errorSize, "'%s' is not a regular file", path);
  uint64_t fileSize = (uint64_t)info.st_size;

  Elf64_Ehdr header;
  if (fileSize < sizeof(header) || !readAt(fd, &header, sizeof(header), 0) ||
      memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return fail(error, errorSize,
                "'%s' is not a model library (not an ELF shared object)",
                path);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB)
    return fail(error, errorSize,
                "'%s' is not a 64-bit little-endian ELF file", path);
  if (header.e_type != ET_DYN)
    return fail(error, errorSize,
                "'%s' is an ELF file but not a shared library", path);
  if (header.e_machine != EDGE_HOST_MACHINE) {
    const char *theirs = machineName(header.e_machine);
    if (!theirs)
      return fail(error, errorSize,
                  "'%s' is for ELF machine %u; this machine is %s", path,
                  (unsigned)header.e_machine,
                  machineName(EDGE_HOST_MACHINE));
    return fail(error, errorSize,
                "'%s' was compiled for %s; this machine is %s (compile the "
                "model for it with edge-compile --target=cpu:...)",
                path, theirs, machineName(EDGE_HOST_MACHINE));
  }

  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0 ||
      !inside(header.e_phoff, (uint64_t)header.e_phnum * sizeof(Elf64_Phdr),
              fileSize))
    return fail(error, errorSize,
                "'%s' is truncated or corrupt: its program headers lie "
                "outside the file (%llu bytes)",
                path, (unsigned long long)fileSize);
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    if (!readAt(fd, &segment, sizeof(segment),
                header.e_phoff + (uint64_t)i * sizeof(segment)))
      return fail(error, errorSize, "cannot read '%s'", path);
    if (segment.p_type != PT_LOAD && segment.p_type != PT_DYNAMIC)
      continue;
    if (!inside(segment.p_offset, segment.p_filesz, fileSize))
      return fail(error, errorSize,
                  "'%s' is truncated: segment %u ends at byte %llu, the file "
                  "has %llu bytes",
                  path, i,
                  (unsigned long long)(segment.p_offset + segment.p_filesz),
                  (unsigned long long)fileSize);
  }
  if (header.e_shoff != 0 &&
      !inside(header.e_shoff,
              (uint64_t)header.e_shnum * header.e_shentsize, fileSize))
    return fail(error, errorSize,
                "'%s' is truncated: its section table ends past the file's "
                "%llu bytes",
                path, (unsigned long long)fileSize);
  return true;
}

bool edge_check_library_file(const char *path, char *error,
                             size_t errorSize) {
  if (!path)
    return fail(error, errorSize, "no model library path given");
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return fail(error, errorSize, "cannot open model '%s': %s", path,
                strerror(errno));
  bool ok = checkOpenFile(fd, path, error, errorSize);
  close(fd);
  return ok;
}

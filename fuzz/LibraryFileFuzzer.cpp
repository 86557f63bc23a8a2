//===- LibraryFileFuzzer.cpp - Fuzz the library check before dlopen -------===//
//
// The bytes become an anonymous file (memfd) that edge_check_library_file
// reads through /proc/self/fd.
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/LibraryFile.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("edge-fuzz-library", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  if (write(fd, data, size) == static_cast<ssize_t>(size)) {
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    char error[256];
    (void)edge_check_library_file(path.c_str(), error, sizeof(error));
  }
  close(fd);
  return 0;
}

//===- Environment.c - Lists the runtime reads from the environment -------===//

#include "Environment.h"

#include <stdlib.h>
#include <string.h>

int edge_rt_environment_lists(const char *variable, const char *name) {
  const char *list = getenv(variable);
  size_t length = strlen(name);
  while (list && *list) {
    const char *end = strchr(list, ',');
    size_t size = end ? (size_t)(end - list) : strlen(list);
    if (size == length && memcmp(list, name, size) == 0)
      return 1;
    list = end ? end + 1 : NULL;
  }
  return 0;
}

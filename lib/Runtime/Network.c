//===- Network.c - Tensors between machines over Open MPI -----------------===//
//
// Open MPI's C ABI (libmpi.so.40) without its header, which the AArch64
// runtime has no copy of: handles are pointers, the predefined ones
// (MPI_COMM_WORLD, MPI_BYTE, MPI_ERRORS_RETURN) the addresses of its
// exported globals. Calls are serialized by one mutex: executors of several
// devices may send and receive at once, and polling with MPI_Test under the
// mutex needs only MPI_THREAD_SERIALIZED.
//
//===----------------------------------------------------------------------===//

// pthreads and dlopen are POSIX, beyond the C11 the runtime is built as.
#define _POSIX_C_SOURCE 200809L

#include "Network.h"
#include "Profile.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *MPI_Comm;
typedef void *MPI_Datatype;
typedef void *MPI_Request;
typedef void *MPI_Errhandler;

enum { MPI_SUCCESS = 0, MPI_THREAD_SERIALIZED = 2 };

static struct {
  void *library;
  int (*MPI_Initialized)(int *);
  int (*MPI_Finalized)(int *);
  int (*MPI_Init_thread)(int *, char ***, int, int *);
  int (*MPI_Finalize)(void);
  int (*MPI_Comm_rank)(MPI_Comm, int *);
  int (*MPI_Comm_size)(MPI_Comm, int *);
  int (*MPI_Comm_set_errhandler)(MPI_Comm, MPI_Errhandler);
  int (*MPI_Isend)(const void *, int, MPI_Datatype, int, int, MPI_Comm,
                   MPI_Request *);
  int (*MPI_Irecv)(void *, int, MPI_Datatype, int, int, MPI_Comm,
                   MPI_Request *);
  int (*MPI_Test)(MPI_Request *, int *, void *);
  int (*MPI_Cancel)(MPI_Request *);
  int (*MPI_Request_free)(MPI_Request *);
  int (*MPI_Error_string)(int, char *, int *);
  MPI_Comm world;
  MPI_Datatype byte;
  MPI_Errhandler errors_return;
} mpi;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/// Whether this runtime initialized MPI (and so finalizes it at exit), and
/// whether an exchange with a peer failed (it then does not).
static bool initialized_here, failed;
static int rank = -2, job_size;
/// How long a wait for a peer may take (EDGE_NETWORK_TIMEOUT_MS), read
/// when the process joins the job.
static double timeout_seconds = 60.0;

static void finish_at_exit(void) {
  pthread_mutex_lock(&lock);
  int finalized = 1;
  if (mpi.MPI_Finalized)
    mpi.MPI_Finalized(&finalized);
  // After a failed exchange the peers may never finalize: the process
  // exits without it, and mpirun, seeing a rank leave the job that way,
  // ends the others (MPI_Abort would, too, but could cut the error message
  // on its way through mpirun's output forwarding).
  if (!finalized && !failed && initialized_here)
    mpi.MPI_Finalize();
  pthread_mutex_unlock(&lock);
}

/// Loads libmpi.so.40 and its entry points; returns nonzero when absent.
static int load_mpi(char *error, size_t error_size) {
  // RTLD_GLOBAL: Open MPI's plugins (libmca_*) resolve MPI's own symbols.
  mpi.library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
  if (!mpi.library) {
    snprintf(error, error_size,
             "the library spans several nodes and runs on Open MPI, whose "
             "libmpi.so.40 cannot be loaded (%s); install openmpi-bin",
             dlerror());
    return 1;
  }
  struct {
    const char *name;
    void **slot;
  } symbols[] = {
#define EDGE_MPI_SYMBOL(name) {#name, (void **)&mpi.name}
      EDGE_MPI_SYMBOL(MPI_Initialized),
      EDGE_MPI_SYMBOL(MPI_Finalized),
      EDGE_MPI_SYMBOL(MPI_Init_thread),
      EDGE_MPI_SYMBOL(MPI_Finalize),
      EDGE_MPI_SYMBOL(MPI_Comm_rank),
      EDGE_MPI_SYMBOL(MPI_Comm_size),
      EDGE_MPI_SYMBOL(MPI_Comm_set_errhandler),
      EDGE_MPI_SYMBOL(MPI_Isend),
      EDGE_MPI_SYMBOL(MPI_Irecv),
      EDGE_MPI_SYMBOL(MPI_Test),
      EDGE_MPI_SYMBOL(MPI_Cancel),
      EDGE_MPI_SYMBOL(MPI_Request_free),
      EDGE_MPI_SYMBOL(MPI_Error_string),
#undef EDGE_MPI_SYMBOL
      {"ompi_mpi_comm_world", &mpi.world},
      {"ompi_mpi_byte", &mpi.byte},
      {"ompi_mpi_errors_return", &mpi.errors_return},
  };
  for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); ++i) {
    void *symbol = dlsym(mpi.library, symbols[i].name);
    if (!symbol) {
      snprintf(error, error_size,
               "libmpi.so.40 lacks %s: it is not Open MPI 4 or later",
               symbols[i].name);
      return 1;
    }
    memcpy(symbols[i].slot, &symbol, sizeof(symbol));
  }
  return 0;
}

/// Writes "WHAT: MPI'S TEXT" into `error`.
static int report(int code, const char *what, char *error, size_t error_size) {
  char text[256] = "unknown error";
  int length = 0;
  mpi.MPI_Error_string(code, text, &length);
  snprintf(error, error_size, "%s: %s", what, text);
  return 1;
}

int edge_rt_network_join(size_t num_nodes, const char *first_node, char *error,
                         size_t error_size) {
  pthread_mutex_lock(&lock);
  int result = rank;
  if (result != -2) {
    pthread_mutex_unlock(&lock);
    return result;
  }
  // mpirun (Open MPI's launcher) tells its processes the job's size.
  const char *size_text = getenv("OMPI_COMM_WORLD_SIZE");
  if (!size_text) {
    rank = -1;
    pthread_mutex_unlock(&lock);
    return -1;
  }
  int initialized = 0, provided = 0, size = 0, code = MPI_SUCCESS;
  if (load_mpi(error, error_size)) {
    pthread_mutex_unlock(&lock);
    return -2;
  }
  mpi.MPI_Initialized(&initialized);
  if (!initialized) {
    code = mpi.MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (code != MPI_SUCCESS) {
      report(code, "MPI_Init_thread failed", error, error_size);
      pthread_mutex_unlock(&lock);
      return -2;
    }
    initialized_here = true;
    atexit(finish_at_exit);
  }
  mpi.MPI_Comm_set_errhandler(mpi.world, mpi.errors_return);
  const char *timeout = getenv("EDGE_NETWORK_TIMEOUT_MS");
  char *end = NULL;
  double ms = timeout ? strtod(timeout, &end) : 0;
  if (timeout && end != timeout && ms > 0)
    timeout_seconds = ms / 1e3;
  int joined = 0;
  mpi.MPI_Comm_rank(mpi.world, &joined);
  mpi.MPI_Comm_size(mpi.world, &size);
  if ((size_t)size != num_nodes) {
    snprintf(error, error_size,
             "the library spans %zu nodes (one MPI rank each, the first "
             "'%s'), but mpirun started %d; run it with mpirun -np %zu",
             num_nodes, first_node, size, num_nodes);
    failed = true;
    pthread_mutex_unlock(&lock);
    return -2;
  }
  rank = joined;
  job_size = size;
  pthread_mutex_unlock(&lock);
  return joined;
}

/// Seconds on the runtime's one clock (edge_rt_profile_now).
static double seconds_now(void) { return 1e-9 * (double)edge_rt_profile_now(); }

static int check_size(size_t bytes, char *error, size_t error_size) {
  if (bytes <= INT32_MAX)
    return 0;
  snprintf(error, error_size,
           "a tensor of %zu bytes is larger than one MPI message (2 GiB)",
           bytes);
  return 1;
}

/// Leaves the job's messages: after a failure the process exits without
/// finalizing MPI (finish_at_exit).
static void mark_failed(void) {
  pthread_mutex_lock(&lock);
  failed = true;
  pthread_mutex_unlock(&lock);
}

int edge_rt_network_start(edge_rt_message *message, void *data, size_t bytes,
                          bool send, int peer, const char *node, int tag,
                          char *error, size_t error_size) {
  snprintf(message->what, sizeof(message->what),
           "%s %zu bytes %s node '%s' (rank %d)",
           send ? "sending" : "receiving", bytes, send ? "to" : "from", node,
           peer);
  message->request = NULL;
  message->started = seconds_now();
  message->deadline = message->started + timeout_seconds;
  message->bytes = bytes;
  if (check_size(bytes, error, error_size))
    return 1;
  pthread_mutex_lock(&lock);
  // MPI_Isend reads the buffer only.
  int code = send ? mpi.MPI_Isend(data, (int)bytes, mpi.byte, peer, tag,
                                  mpi.world, &message->request)
                  : mpi.MPI_Irecv(data, (int)bytes, mpi.byte, peer, tag,
                                  mpi.world, &message->request);
  pthread_mutex_unlock(&lock);
  if (code == MPI_SUCCESS)
    return 0;
  mark_failed();
  return report(code, message->what, error, error_size);
}

int edge_rt_network_poll(edge_rt_message *message, char *error,
                         size_t error_size) {
  int done = 0;
  pthread_mutex_lock(&lock);
  int code = mpi.MPI_Test(&message->request, &done, NULL);
  pthread_mutex_unlock(&lock);
  if (code != MPI_SUCCESS) {
    mark_failed();
    report(code, message->what, error, error_size);
    return -1;
  }
  if (done)
    return 1;
  if (seconds_now() <= message->deadline)
    return 0;
  pthread_mutex_lock(&lock);
  mpi.MPI_Cancel(&message->request);
  mpi.MPI_Request_free(&message->request);
  failed = true;
  pthread_mutex_unlock(&lock);
  snprintf(error, error_size,
           "%s: nothing within %.1f s (EDGE_NETWORK_TIMEOUT_MS); the node's "
           "rank died or the link stalled",
           message->what, message->deadline - message->started);
  return -1;
}

int edge_rt_network_rank(void) {
  pthread_mutex_lock(&lock);
  int joined = rank >= 0 ? rank : -1;
  pthread_mutex_unlock(&lock);
  return joined;
}

/// Tags of the gather's messages, above any run's (a slot's step), and
/// within the 32767 that every MPI allows.
enum { TAG_PING = 32760, TAG_PONG, TAG_SIZE, TAG_DATA };

/// edge_rt_network_exchange, waiting `patience` times the timeout.
static int exchange_within(void *data, size_t bytes, bool send, int peer,
                           const char *node, int tag, double patience,
                           char *error, size_t error_size) {
  edge_rt_message message;
  if (edge_rt_network_start(&message, data, bytes, send, peer, node, tag, error,
                            error_size))
    return 1;
  message.deadline = message.started + patience * timeout_seconds;
  int done;
  while (!(done = edge_rt_network_poll(&message, error, error_size)))
    ;
  return done < 0;
}

int edge_rt_network_exchange(void *data, size_t bytes, bool send, int peer,
                             const char *node, int tag, char *error,
                             size_t error_size) {
  return exchange_within(data, bytes, send, peer, node, tag, 1, error,
                         error_size);
}

/// Round trips that time a rank's clock against rank 0's.
enum { CLOCK_ROUND_TRIPS = 16 };

/// What a rank sends rank 0 before its bytes: their count, and the boot id
/// of its kernel, whose CLOCK_MONOTONIC is rank 0's where the ids match
/// (ranks of one machine, or of network namespaces on it).
typedef struct gather_header {
  uint64_t bytes;
  char boot_id[40];
} gather_header;

/// The kernel's boot id, or an empty string.
static void read_boot_id(char *id, size_t size) {
  memset(id, 0, size);
  FILE *file = fopen("/proc/sys/kernel/random/boot_id", "r");
  if (!file)
    return;
  if (!fgets(id, (int)size, file))
    id[0] = '\0';
  fclose(file);
}

/// The patience for a message of `bytes`: the timeout, plus as long as the
/// bytes take at 1 MB/s.
static double patience_for(size_t bytes) {
  return 1 + (double)bytes / 1e6 / timeout_seconds;
}

/// Rank 0's side of the gather with rank `peer`.
static int gather_from(int peer, const char *node, edge_rt_gathered *into,
                       char *error, size_t error_size) {
  int64_t best = INT64_MAX;
  for (int trip = 0; trip < CLOCK_ROUND_TRIPS; ++trip) {
    int64_t sent = edge_rt_profile_now(), theirs = 0;
    if (edge_rt_network_exchange(&sent, sizeof(sent), true, peer, node,
                                 TAG_PING, error, error_size) ||
        edge_rt_network_exchange(&theirs, sizeof(theirs), false, peer, node,
                                 TAG_PONG, error, error_size))
      return 1;
    int64_t back = edge_rt_profile_now();
    if (back - sent < best) {
      best = back - sent;
      into->clock_offset_ns = theirs - (sent + (back - sent) / 2);
      into->clock_uncertainty_ns = best / 2;
    }
  }
  gather_header header;
  char boot_id[sizeof(header.boot_id)];
  if (edge_rt_network_exchange(&header, sizeof(header), false, peer, node,
                               TAG_SIZE, error, error_size))
    return 1;
  read_boot_id(boot_id, sizeof(boot_id));
  header.boot_id[sizeof(header.boot_id) - 1] = '\0';
  if (boot_id[0] && strcmp(boot_id, header.boot_id) == 0)
    into->clock_offset_ns = into->clock_uncertainty_ns = 0;
  uint64_t bytes = header.bytes;
  if (bytes > INT32_MAX || !(into->data = malloc((size_t)bytes + 1))) {
    snprintf(error, error_size, "node '%s' (rank %d) sent %llu bytes", node,
             peer, (unsigned long long)bytes);
    return 1;
  }
  into->bytes = (size_t)bytes;
  into->data[bytes] = '\0';
  return exchange_within(into->data, (size_t)bytes, false, peer, node, TAG_DATA,
                         patience_for(bytes), error, error_size);
}

int edge_rt_network_gather(const char *data, size_t bytes,
                           const char *const *node_names,
                           edge_rt_gathered **gathered, char *error,
                           size_t error_size) {
  *gathered = NULL;
  pthread_mutex_lock(&lock);
  int self = rank, size = job_size;
  bool broken = failed;
  pthread_mutex_unlock(&lock);
  if (self < 0 || broken) {
    snprintf(error, error_size, "%s",
             self < 0 ? "not in an MPI job"
                      : "an earlier message to another node failed");
    return -1;
  }
  if (self > 0) {
    const char *node = node_names[0];
    for (int trip = 0; trip < CLOCK_ROUND_TRIPS; ++trip) {
      int64_t ping = 0, now = 0;
      // The first ping comes once rank 0 has gathered the ranks before
      // this one.
      if (exchange_within(&ping, sizeof(ping), false, 0, node, TAG_PING,
                          trip ? 1 : size, error, error_size))
        return -1;
      now = edge_rt_profile_now();
      if (edge_rt_network_exchange(&now, sizeof(now), true, 0, node, TAG_PONG,
                                   error, error_size))
        return -1;
    }
    gather_header header = {.bytes = bytes};
    read_boot_id(header.boot_id, sizeof(header.boot_id));
    if (edge_rt_network_exchange(&header, sizeof(header), true, 0, node,
                                 TAG_SIZE, error, error_size) ||
        exchange_within((void *)(uintptr_t)data, bytes, true, 0, node, TAG_DATA,
                        patience_for(bytes), error, error_size))
      return -1;
    return size;
  }
  edge_rt_gathered *all = calloc((size_t)size, sizeof(edge_rt_gathered));
  if (!all) {
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  for (int peer = 1; peer < size; ++peer)
    if (gather_from(peer, node_names[peer], &all[peer], error, error_size)) {
      for (int r = 0; r < size; ++r)
        free(all[r].data);
      free(all);
      return -1;
    }
  *gathered = all;
  return size;
}

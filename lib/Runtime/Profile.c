//===- Profile.c - Measured times of a model's partitions -----------------===//

// clock_gettime and pthreads are POSIX, beyond the C11 the runtime is built
// as.
#define _POSIX_C_SOURCE 200809L

#include "Profile.h"

#include "Network.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// Events kept per instance: enough for thousands of runs of a model with
/// hundreds of steps; later events are counted, not kept.
enum { EDGE_PROFILE_MAX_EVENTS = 1 << 20 };

/// Whether an event is a message between nodes, and which end.
typedef enum message_end {
  NOT_A_MESSAGE,
  MESSAGE_SENT,
  MESSAGE_RECEIVED
} message_end;

typedef struct event {
  size_t step;
  uint32_t run;
  const char *how;
  /// For a kernel of the step: the GPU kernel's name, or for a CPU loop
  /// (its index in the step in `loop`) the ONNX nodes it computes ("loop"
  /// when the compiler named none); NULL for the step itself.
  const char *kernel;
  int32_t loop;
  int64_t start, end;
  /// A message's end and bytes.
  message_end message;
  size_t bytes;
  /// The node (MPI rank) whose process recorded it; 0 outside mpirun.
  uint32_t node;
} event;

struct edge_rt_profile {
  const edge_rt_metadata *metadata;
  char *path;
  int64_t origin;
  pthread_mutex_t lock;
  event *events;
  size_t num_events, capacity, dropped;
  uint32_t runs;
  /// A schedule on several nodes: their names and each device's node
  /// (edge_rt_number_nodes).
  const char **node_names;
  size_t *device_nodes;
  size_t num_nodes;
  /// Rank 0 under mpirun: every rank's events are here, and the other
  /// ranks' texts, which their names point into.
  bool merged;
  edge_rt_gathered *gathered;
  size_t num_gathered;
};

int64_t edge_rt_profile_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

edge_rt_profile *edge_rt_profile_start(const edge_rt_metadata *metadata) {
  const char *path = getenv("EDGE_PROFILE");
  if (!path || !*path)
    return NULL;
  edge_rt_profile *profile = calloc(1, sizeof(edge_rt_profile));
  if (!profile)
    return NULL;
  profile->path = strdup(path);
  if (!profile->path) {
    free(profile);
    return NULL;
  }
  profile->metadata = metadata;
  if (metadata->num_devices) {
    profile->node_names = calloc(metadata->num_devices, sizeof(char *));
    profile->device_nodes = calloc(metadata->num_devices, sizeof(size_t));
    if (profile->node_names && profile->device_nodes)
      profile->num_nodes = edge_rt_number_nodes(metadata, profile->node_names,
                                                profile->device_nodes);
  }
  profile->origin = edge_rt_profile_now();
  pthread_mutex_init(&profile->lock, NULL);
  return profile;
}

uint32_t edge_rt_profile_begin_run(edge_rt_profile *profile) {
  if (!profile)
    return 0;
  pthread_mutex_lock(&profile->lock);
  uint32_t run = ++profile->runs;
  pthread_mutex_unlock(&profile->lock);
  return run;
}

/// The profiled step the calling thread runs (edge_rt_profile_enter_step).
static _Thread_local edge_rt_profile *current_profile;
static _Thread_local uint32_t current_run;
static _Thread_local size_t current_step;
/// The index of the step's next CPU loop.
static _Thread_local int32_t current_loop;

void edge_rt_profile_enter_step(edge_rt_profile *profile, uint32_t run,
                                size_t step) {
  current_profile = profile;
  current_run = run;
  current_step = step;
  current_loop = 0;
}

int edge_rt_profile_in_step(void) { return current_profile != NULL; }

static void record(edge_rt_profile *profile, event e) {
  pthread_mutex_lock(&profile->lock);
  if (profile->num_events == profile->capacity &&
      profile->capacity < EDGE_PROFILE_MAX_EVENTS) {
    size_t capacity = profile->capacity ? 2 * profile->capacity : 256;
    event *grown = realloc(profile->events, capacity * sizeof(event));
    if (grown) {
      profile->events = grown;
      profile->capacity = capacity;
    }
  }
  if (profile->num_events < profile->capacity)
    profile->events[profile->num_events++] = e;
  else
    ++profile->dropped;
  pthread_mutex_unlock(&profile->lock);
}

void edge_rt_profile_record(edge_rt_profile *profile, uint32_t run,
                            size_t step, const char *how, int64_t start,
                            int64_t end) {
  if (profile)
    record(profile, (event){.step = step,
                            .run = run,
                            .how = how,
                            .loop = -1,
                            .start = start,
                            .end = end});
}

void edge_rt_profile_record_message(edge_rt_profile *profile, uint32_t run,
                                    size_t step, bool send, size_t bytes,
                                    int64_t start, int64_t end) {
  if (profile)
    record(profile, (event){.step = step,
                            .run = run,
                            .how = send ? "MPI send" : "MPI receive",
                            .loop = -1,
                            .start = start,
                            .end = end,
                            .message = send ? MESSAGE_SENT : MESSAGE_RECEIVED,
                            .bytes = bytes});
}

void edge_rt_profile_record_kernel(const char *kernel, int64_t start,
                                   int64_t end) {
  if (current_profile)
    record(current_profile, (event){.step = current_step,
                                    .run = current_run,
                                    .how = "GPU kernel",
                                    .kernel = kernel ? kernel : "kernel",
                                    .loop = -1,
                                    .start = start,
                                    .end = end});
}

void edge_rt_profile_record_loop(const char *nodes, int64_t start,
                                 int64_t end) {
  if (current_profile)
    record(current_profile, (event){.step = current_step,
                                    .run = current_run,
                                    .how = "CPU loop",
                                    .kernel = nodes && *nodes ? nodes : "loop",
                                    .loop = current_loop++,
                                    .start = start,
                                    .end = end});
}

/// The ONNX nodes a CPU loop computes; NULL for a GPU kernel or an
/// unnamed loop.
static const char *loop_nodes(const event *e) {
  return e->loop >= 0 && strcmp(e->kernel, "loop") != 0 ? e->kernel : NULL;
}

/// "loop N" for a CPU loop, the GPU kernel's name otherwise.
static void format_kernel_name(const event *e, char *name, size_t size) {
  if (e->loop >= 0)
    snprintf(name, size, "loop %d", (int)e->loop);
  else
    snprintf(name, size, "%s", e->kernel);
}

/// Writes `text` as a JSON string.
static void write_string(FILE *file, const char *text) {
  fputc('"', file);
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
    if (*c == '"' || *c == '\\')
      fprintf(file, "\\%c", *c);
    else if (*c < 0x20 || *c >= 0x7f)
      fprintf(file, "\\u%04x", *c);
    else
      fputc(*c, file);
  }
  fputc('"', file);
}

/// The step an event records, or NULL for the whole (unpartitioned) model.
static const edge_rt_step *find_step(const edge_rt_metadata *m, size_t step) {
  return step < m->num_steps ? &m->steps[step] : NULL;
}

/// The device a step runs on (the first for the whole model).
static size_t step_device(const edge_rt_metadata *m, size_t step) {
  const edge_rt_step *s = find_step(m, step);
  return s ? edge_rt_step_device(m, s) : 0;
}

static const char *device_name(const edge_rt_metadata *m, size_t device) {
  return device < m->num_devices ? m->devices[device].name : "host";
}

/// The device whose track shows an event: a sent message's source, the
/// step's device otherwise.
static size_t event_device(const edge_rt_metadata *m, const event *e) {
  const edge_rt_step *s = find_step(m, e->step);
  if (s && e->message == MESSAGE_SENT)
    return edge_rt_ref_device(m, s->refs[0]);
  return step_device(m, e->step);
}

/// The cost model's estimate of a step's partition or copy, in ns (0:
/// none).
static uint64_t step_estimate(const edge_rt_metadata *m, size_t step) {
  const edge_rt_step *s = find_step(m, step);
  if (s && s->is_copy)
    return s->estimate_ns;
  size_t partition = s ? s->partition : 0;
  return partition < m->num_estimates ? m->estimates_ns[partition] : 0;
}

/// "model", "partition N" or "copy b1 -> b2".
static void format_step_name(const edge_rt_metadata *m, size_t step,
                             char *name, size_t size) {
  const edge_rt_step *s = find_step(m, step);
  if (!s)
    snprintf(name, size, "model");
  else if (s->is_copy)
    snprintf(name, size, "copy %c%zu -> %c%zu", s->refs[0].kind,
             s->refs[0].index, s->refs[1].kind, s->refs[1].index);
  else
    snprintf(name, size, "partition %u", s->partition);
}

static int compare_durations(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/// The median of `count` > 0 durations (which it sorts).
static double median_of(int64_t *durations, size_t count) {
  qsort(durations, count, sizeof(int64_t), compare_durations);
  return count % 2 ? (double)durations[count / 2]
                   : 0.5 * ((double)durations[count / 2 - 1] +
                            (double)durations[count / 2]);
}

/// Whether step `step` copies between devices of two nodes.
static bool is_message(const edge_rt_profile *profile, size_t step) {
  const edge_rt_step *s = find_step(profile->metadata, step);
  return s && s->is_copy && profile->num_nodes > 1 &&
         profile->device_nodes[edge_rt_ref_device(profile->metadata,
                                                  s->refs[0])] !=
             profile->device_nodes[edge_rt_ref_device(profile->metadata,
                                                      s->refs[1])];
}

/// Marks a run whose message lacks an end (a time may be negative: the
/// clocks are aligned to within half a round trip).
#define NO_TIME INT64_MIN

/// The time of copy step `step`'s message in each run, from the start of
/// its send to its arrival, into `by_run` (profile->runs + 1 entries;
/// NO_TIME where an end is missing). Returns the bytes of its last send.
static size_t message_times(const edge_rt_profile *profile, size_t step,
                            int64_t *by_run, int64_t *sent) {
  size_t runs = (size_t)profile->runs + 1, bytes = 0;
  for (size_t r = 0; r < runs; ++r)
    by_run[r] = sent[r] = NO_TIME;
  for (size_t e = 0; e < profile->num_events; ++e) {
    const event *ev = &profile->events[e];
    if (ev->step != step || ev->run >= runs || ev->message != MESSAGE_SENT)
      continue;
    sent[ev->run] = ev->start;
    bytes = ev->bytes;
  }
  for (size_t e = 0; e < profile->num_events; ++e) {
    const event *ev = &profile->events[e];
    if (ev->step == step && ev->run < runs && ev->message == MESSAGE_RECEIVED &&
        sent[ev->run] != NO_TIME)
      by_run[ev->run] = ev->end - sent[ev->run];
  }
  return bytes;
}

/// The summary of one step over the runs (its `count` durations): the
/// median, in the JSON and as a line on stderr.
static void write_summary_entry(FILE *file, const edge_rt_metadata *m,
                                size_t step, const char *how,
                                int64_t *durations, size_t count, int first) {
  double median = median_of(durations, count);
  char name[96];
  format_step_name(m, step, name, sizeof(name));
  const char *device = device_name(m, step_device(m, step));
  uint64_t estimate = step_estimate(m, step);
  fprintf(file, "%s\n    {\"name\": ", first ? "" : ",");
  write_string(file, name);
  fprintf(file, ", \"device\": ");
  write_string(file, device);
  fprintf(file, ", \"how\": ");
  write_string(file, how);
  fprintf(file, ", \"runs\": %zu, \"median_us\": %.3f", count, median / 1e3);
  if (estimate)
    fprintf(file, ", \"estimate_us\": %.3f", (double)estimate / 1e3);
  fprintf(file, "}");

  fprintf(stderr, "edge: profile: %-18s %-12s %-12s %10.3f ms", name, device,
          how, median / 1e6);
  if (estimate)
    fprintf(stderr, "  estimate %10.3f ms  measured/estimate %.2f",
            (double)estimate / 1e6, median / (double)estimate);
  fprintf(stderr, "\n");
}

/// Writes the summary: the events' durations grouped by step in one pass,
/// then each step's median.
static void write_summary(FILE *file, const edge_rt_profile *profile) {
  const edge_rt_metadata *m = profile->metadata;
  size_t slots = m->num_steps ? m->num_steps : 1;
  size_t *offsets = calloc(slots + 1, sizeof(size_t));
  const char **how = calloc(slots, sizeof(const char *));
  int64_t *durations = malloc((profile->num_events ? profile->num_events : 1) *
                              sizeof(int64_t));
  if (offsets && how && durations) {
    // The whole model's events are slot 0.
    for (size_t e = 0; e < profile->num_events; ++e) {
      size_t step = profile->events[e].step;
      if (!profile->events[e].kernel)
        ++offsets[(step < m->num_steps ? step : 0) + 1];
    }
    for (size_t slot = 0; slot < slots; ++slot)
      offsets[slot + 1] += offsets[slot];
    size_t *filled = calloc(slots, sizeof(size_t));
    if (filled) {
      for (size_t e = 0; e < profile->num_events; ++e) {
        const event *ev = &profile->events[e];
        if (ev->kernel)
          continue;
        size_t slot = ev->step < m->num_steps ? ev->step : 0;
        durations[offsets[slot] + filled[slot]++] = ev->end - ev->start;
        how[slot] = ev->how;
      }
      int first = 1;
      size_t runs = (size_t)profile->runs + 1;
      int64_t *by_run = malloc(runs * sizeof(int64_t));
      int64_t *sent = malloc(runs * sizeof(int64_t));
      for (size_t slot = 0; slot < slots; ++slot) {
        size_t count = offsets[slot + 1] - offsets[slot];
        if (!count)
          continue;
        int64_t *slot_durations = durations + offsets[slot];
        // Both ends of a message: its time from the send to the arrival.
        if (profile->merged && by_run && sent && is_message(profile, slot)) {
          message_times(profile, slot, by_run, sent);
          size_t paired = 0;
          for (size_t r = 0; r < runs; ++r)
            if (by_run[r] != NO_TIME)
              slot_durations[paired++] = by_run[r];
          if (paired) {
            count = paired;
            how[slot] = "MPI message";
          }
        }
        write_summary_entry(file, m, m->num_steps ? slot : SIZE_MAX, how[slot],
                            slot_durations, count, first);
        first = 0;
      }
      free(by_run);
      free(sent);
      free(filled);
    }
  }
  free(offsets);
  free(how);
  free(durations);
}

/// Writes, for each direction of each network link, its messages, bytes and
/// time per run (the sum of its messages' times, over the runs whose every
/// message both ends recorded) beside the placer's estimate, and prints it.
static void write_link_summary(FILE *file, const edge_rt_profile *profile) {
  const edge_rt_metadata *m = profile->metadata;
  size_t runs = (size_t)profile->runs + 1;
  int64_t *by_run = malloc(runs * sizeof(int64_t));
  int64_t *sent = malloc(runs * sizeof(int64_t));
  int64_t *total = malloc(runs * sizeof(int64_t));
  size_t *timed = malloc(runs * sizeof(size_t));
  int first = 1;
  for (size_t from = 0; by_run && sent && total && timed && profile->merged &&
                        from < profile->num_nodes;
       ++from)
    for (size_t to = 0; to < profile->num_nodes; ++to) {
      size_t messages = 0, bytes = 0;
      uint64_t estimate = 0;
      for (size_t r = 0; r < runs; ++r) {
        total[r] = 0;
        timed[r] = 0;
      }
      for (size_t s = 0; s < m->num_steps; ++s) {
        const edge_rt_step *step = &m->steps[s];
        if (!is_message(profile, s) ||
            profile->device_nodes[edge_rt_ref_device(m, step->refs[0])] !=
                from ||
            profile->device_nodes[edge_rt_ref_device(m, step->refs[1])] != to)
          continue;
        ++messages;
        estimate += step->estimate_ns;
        bytes += message_times(profile, s, by_run, sent);
        for (size_t r = 0; r < runs; ++r)
          if (by_run[r] != NO_TIME) {
            total[r] += by_run[r];
            ++timed[r];
          }
      }
      size_t count = 0;
      for (size_t r = 0; r < runs; ++r)
        if (messages && timed[r] == messages)
          total[count++] = total[r];
      if (!count)
        continue;
      double median = median_of(total, count);
      fprintf(file, "%s\n    {\"from\": ", first ? "" : ",");
      write_string(file, profile->node_names[from]);
      fprintf(file, ", \"to\": ");
      write_string(file, profile->node_names[to]);
      fprintf(file,
              ", \"messages_per_run\": %zu, \"bytes_per_run\": %zu, "
              "\"runs\": %zu, \"median_us\": %.3f",
              messages, bytes, count, median / 1e3);
      if (estimate)
        fprintf(file, ", \"estimate_us\": %.3f", (double)estimate / 1e3);
      fprintf(file, "}");
      first = 0;
      fprintf(stderr,
              "edge: profile: link %s -> %s: %zu messages, %zu bytes per "
              "run, %.3f ms",
              profile->node_names[from], profile->node_names[to], messages,
              bytes, median / 1e6);
      if (estimate)
        fprintf(stderr, "  estimate %.3f ms  measured/estimate %.2f",
                (double)estimate / 1e6, median / (double)estimate);
      fprintf(stderr, "\n");
    }
  free(by_run);
  free(sent);
  free(total);
  free(timed);
}

static int same_kernel(const event *a, const event *b) {
  return a->step == b->step && a->loop == b->loop &&
         strcmp(a->kernel, b->kernel) == 0;
}

/// One kernel of the summary: its first event, launches and median.
typedef struct kernel_entry {
  size_t first;
  size_t launches;
  double median_ns;
} kernel_entry;

static int compare_total_time(const void *a, const void *b) {
  const kernel_entry *x = a, *y = b;
  double tx = x->median_ns * (double)x->launches;
  double ty = y->median_ns * (double)y->launches;
  return (tx < ty) - (tx > ty);
}

/// The kernels printed on stderr: those that take the most time.
enum { EDGE_PROFILE_PRINTED_KERNELS = 10 };

/// Writes each kernel's median time per launch and launches, grouped by
/// step and kernel (a scan per kernel: a model has at most a few hundred),
/// and prints the kernels that take the most time.
static void write_kernel_summary(FILE *file, const edge_rt_profile *profile) {
  const edge_rt_metadata *m = profile->metadata;
  size_t count = profile->num_events;
  int64_t *durations = malloc((count ? count : 1) * sizeof(int64_t));
  char *seen = calloc(count ? count : 1, 1);
  kernel_entry *entries = malloc((count ? count : 1) * sizeof(kernel_entry));
  size_t num_entries = 0;
  for (size_t e = 0; durations && seen && entries && e < count; ++e) {
    const event *key = &profile->events[e];
    if (!key->kernel || seen[e])
      continue;
    size_t launches = 0;
    for (size_t other = e; other < count; ++other) {
      const event *ev = &profile->events[other];
      if (ev->kernel && !seen[other] && same_kernel(ev, key)) {
        seen[other] = 1;
        durations[launches++] = ev->end - ev->start;
      }
    }
    double median = median_of(durations, launches);
    entries[num_entries++] = (kernel_entry){e, launches, median};
    char name[64], step[96];
    format_kernel_name(key, name, sizeof(name));
    format_step_name(m, key->step, step, sizeof(step));
    fprintf(file, "%s\n    {\"name\": ", num_entries == 1 ? "" : ",");
    write_string(file, name);
    fprintf(file, ", \"step\": ");
    write_string(file, step);
    fprintf(file, ", \"how\": ");
    write_string(file, key->how);
    if (loop_nodes(key)) {
      fprintf(file, ", \"nodes\": ");
      write_string(file, loop_nodes(key));
    }
    fprintf(file, ", \"launches\": %zu, \"median_us\": %.3f}", launches,
            median / 1e3);
  }
  if (entries && num_entries) {
    qsort(entries, num_entries, sizeof(kernel_entry), compare_total_time);
    size_t printed = num_entries < EDGE_PROFILE_PRINTED_KERNELS
                         ? num_entries
                         : EDGE_PROFILE_PRINTED_KERNELS;
    fprintf(stderr, "edge: profile: the %zu kernels that take the most time "
                    "(of %zu):\n",
            printed, num_entries);
    for (size_t i = 0; i < printed; ++i) {
      const event *key = &profile->events[entries[i].first];
      char name[64], step[96];
      format_kernel_name(key, name, sizeof(name));
      format_step_name(m, key->step, step, sizeof(step));
      double per_run =
          profile->runs ? (double)entries[i].launches / profile->runs : 0;
      const char *nodes = loop_nodes(key);
      fprintf(stderr,
              "edge: profile: kernel %-24s in %-14s %-10s %10.3f ms  (%.1f "
              "per run)%s%s\n",
              name, step, key->how, entries[i].median_ns / 1e6, per_run,
              nodes ? "  " : "", nodes ? nodes : "");
    }
  }
  free(durations);
  free(seen);
  free(entries);
}

/// The events as text for rank 0: a first line with the count of dropped
/// events, then a line each: step, run, loop, start, end, bytes, message
/// end, then how and the kernel (empty for none) after tabs. Returns NULL
/// when out of memory.
static char *serialize_events(const edge_rt_profile *profile, size_t *bytes) {
  char *text = NULL;
  FILE *stream = open_memstream(&text, bytes);
  if (!stream)
    return NULL;
  fprintf(stream, "dropped %zu\n", profile->dropped);
  for (size_t e = 0; e < profile->num_events; ++e) {
    const event *ev = &profile->events[e];
    fprintf(stream, "%zu %u %d %lld %lld %zu %d\t%s\t%s\n", ev->step, ev->run,
            (int)ev->loop, (long long)ev->start, (long long)ev->end, ev->bytes,
            (int)ev->message, ev->how, ev->kernel ? ev->kernel : "");
  }
  if (fclose(stream) != 0) {
    free(text);
    return NULL;
  }
  return text;
}

/// Adds node `node`'s events from their text (which their names then point
/// into), moved to this process's clock. Skips lines it cannot read.
static void add_node_events(edge_rt_profile *profile, uint32_t node, char *text,
                            int64_t clock_offset_ns) {
  const edge_rt_metadata *m = profile->metadata;
  size_t dropped = 0;
  if (sscanf(text, "dropped %zu", &dropped) == 1) {
    pthread_mutex_lock(&profile->lock);
    profile->dropped += dropped;
    pthread_mutex_unlock(&profile->lock);
  }
  for (char *line = text; *line;) {
    char *end_of_line = strchr(line, '\n');
    if (!end_of_line)
      break;
    *end_of_line = '\0';
    char *how = strchr(line, '\t');
    char *kernel = how ? strchr(how + 1, '\t') : NULL;
    unsigned long long step, bytes;
    unsigned run;
    int loop, message;
    long long start, end;
    if (kernel &&
        sscanf(line, "%llu %u %d %lld %lld %llu %d", &step, &run, &loop, &start,
               &end, &bytes, &message) == 7 &&
        (step < m->num_steps || step == (unsigned long long)SIZE_MAX) &&
        message >= NOT_A_MESSAGE && message <= MESSAGE_RECEIVED) {
      *kernel++ = '\0';
      record(profile, (event){.step = (size_t)step,
                              .run = run,
                              .how = how + 1,
                              .kernel = *kernel ? kernel : NULL,
                              .loop = loop,
                              .start = start - clock_offset_ns,
                              .end = end - clock_offset_ns,
                              .message = (message_end)message,
                              .bytes = (size_t)bytes,
                              .node = node});
    }
    line = end_of_line + 1;
  }
}

/// Under mpirun: sends this rank's events to rank 0 or, on rank 0, adds
/// every other rank's. Returns nonzero, with a message on stderr, when that
/// fails: rank 0 then writes its own events only.
static int gather_events(edge_rt_profile *profile, int self) {
  size_t bytes = 0;
  char *text = self > 0 ? serialize_events(profile, &bytes) : NULL;
  // Said before the gather, whose end rank 0's summary follows: the ranks'
  // lines reach mpirun's output in that order.
  if (self > 0)
    fprintf(stderr,
            "edge: profile of %u runs on node %s goes to rank 0 (node %s), "
            "which writes %s\n",
            profile->runs, profile->node_names[self], profile->node_names[0],
            profile->path);
  char error[320];
  edge_rt_gathered *gathered = NULL;
  int size = edge_rt_network_gather(text ? text : "", text ? bytes : 0,
                                    profile->node_names, &gathered, error,
                                    sizeof(error));
  free(text);
  if (size < 0) {
    fprintf(stderr, "edge: profile: cannot gather the nodes' events: %s\n",
            error);
    return 1;
  }
  if (self > 0)
    return 0;
  for (int rank = 1; rank < size; ++rank)
    add_node_events(profile, (uint32_t)rank, gathered[rank].data,
                    gathered[rank].clock_offset_ns);
  profile->gathered = gathered;
  profile->num_gathered = (size_t)size;
  profile->merged = true;
  return 0;
}

/// The trace's process of an event or device: one per node when every
/// rank's events are here.
static size_t node_process(const edge_rt_profile *profile, size_t node) {
  return profile->merged ? node + 1 : 1;
}

static void write_trace_events(FILE *file, const edge_rt_profile *profile) {
  const edge_rt_metadata *m = profile->metadata;
  if (profile->merged) {
    for (size_t n = 0; n < profile->num_nodes; ++n) {
      char name[160];
      snprintf(name, sizeof(name), "node %s (rank %zu)", profile->node_names[n],
               n);
      fprintf(file,
              "%s\n  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": "
              "%zu, \"args\": {\"name\": ",
              n ? "," : "", n + 1);
      write_string(file, name);
      fprintf(file, "}}");
    }
  } else {
    fprintf(file, "\n  {\"name\": \"process_name\", \"ph\": \"M\", "
                  "\"pid\": 1, \"args\": {\"name\": \"edge model\"}}");
  }
  size_t devices = m->num_devices ? m->num_devices : 1;
  for (size_t d = 0; d < devices; ++d) {
    fprintf(file,
            ",\n  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %zu, "
            "\"tid\": %zu, \"args\": {\"name\": ",
            node_process(profile,
                         profile->num_nodes ? profile->device_nodes[d] : 0),
            d);
    write_string(file, device_name(m, d));
    fprintf(file, "}}");
  }
  for (size_t e = 0; e < profile->num_events; ++e) {
    const event *ev = &profile->events[e];
    const edge_rt_step *step = find_step(m, ev->step);
    char name[96];
    format_step_name(m, ev->step, name, sizeof(name));
    size_t pid = node_process(profile, ev->node);
    if (ev->kernel) {
      // Nested under its step's slice on the device's track.
      char kernel[64];
      format_kernel_name(ev, kernel, sizeof(kernel));
      fprintf(file, ",\n  {\"name\": ");
      write_string(file, kernel);
      fprintf(file,
              ", \"cat\": \"kernel\", \"ph\": \"X\", \"pid\": %zu, "
              "\"tid\": %zu, \"ts\": %.3f, \"dur\": %.3f, \"args\": "
              "{\"run\": %u, \"step\": ",
              pid, event_device(m, ev),
              (double)(ev->start - profile->origin) / 1e3,
              (double)(ev->end - ev->start) / 1e3, ev->run);
      write_string(file, name);
      if (loop_nodes(ev)) {
        fprintf(file, ", \"nodes\": ");
        write_string(file, loop_nodes(ev));
      }
      fprintf(file, "}}");
      continue;
    }
    fprintf(file, ",\n  {\"name\": ");
    write_string(file, name);
    fprintf(file,
            ", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": %zu, \"tid\": %zu, "
            "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"run\": %u, "
            "\"how\": ",
            ev->message             ? "message"
            : step && step->is_copy ? "copy"
                                    : "partition",
            pid, event_device(m, ev),
            (double)(ev->start - profile->origin) / 1e3,
            (double)(ev->end - ev->start) / 1e3, ev->run);
    write_string(file, ev->how);
    if (ev->message)
      fprintf(file, ", \"bytes\": %zu", ev->bytes);
    uint64_t estimate = step_estimate(m, ev->step);
    if (estimate)
      fprintf(file, ", \"estimate_us\": %.3f", (double)estimate / 1e3);
    fprintf(file, "}}");
  }
}

/// Writes each node's clock against rank 0's, and prints the other nodes'.
static void write_node_clocks(FILE *file, const edge_rt_profile *profile) {
  for (size_t n = 0; profile->merged && n < profile->num_nodes; ++n) {
    const edge_rt_gathered *g =
        n && n < profile->num_gathered ? &profile->gathered[n] : NULL;
    double offset = g ? (double)g->clock_offset_ns / 1e3 : 0;
    double uncertainty = g ? (double)g->clock_uncertainty_ns / 1e3 : 0;
    fprintf(file, "%s\n    {\"name\": ", n ? "," : "");
    write_string(file, profile->node_names[n]);
    fprintf(file,
            ", \"rank\": %zu, \"clock_offset_us\": %.3f, "
            "\"clock_uncertainty_us\": %.3f}",
            n, offset, uncertainty);
    if (!g)
      continue;
    if (uncertainty > 0)
      fprintf(stderr,
              "edge: profile: node %s (rank %zu): clock %.1f us from rank "
              "0's, to within %.1f us\n",
              profile->node_names[n], n, offset, uncertainty);
    else
      fprintf(stderr,
              "edge: profile: node %s (rank %zu): rank 0's clock (one "
              "kernel)\n",
              profile->node_names[n], n);
  }
}

static void free_profile(edge_rt_profile *profile) {
  pthread_mutex_destroy(&profile->lock);
  for (size_t r = 0; r < profile->num_gathered; ++r)
    free(profile->gathered[r].data);
  free(profile->gathered);
  free(profile->node_names);
  free(profile->device_nodes);
  free(profile->events);
  free(profile->path);
  free(profile);
}

int edge_rt_profile_finish(edge_rt_profile *profile) {
  if (!profile)
    return 0;
  int self = profile->num_nodes > 1 ? edge_rt_network_rank() : -1;
  int status = self >= 0 ? gather_events(profile, self) : 0;
  if (self > 0) {
    free_profile(profile);
    return status;
  }
  FILE *file = fopen(profile->path, "w");
  if (!file) {
    fprintf(stderr, "edge: cannot write the profile to %s\n", profile->path);
    free_profile(profile);
    return 1;
  }
  fprintf(file, "{\"displayTimeUnit\": \"ms\",\n \"traceEvents\": [");
  write_trace_events(file, profile);
  fprintf(file,
          "\n ],\n \"edge\": {\"runs\": %u, \"dropped_events\": %zu, "
          "\"nodes\": [",
          profile->runs, profile->dropped);
  fprintf(stderr, "edge: profile of %u runs (median per step) in %s\n",
          profile->runs, profile->path);
  write_node_clocks(file, profile);
  fprintf(file, "\n ], \"steps\": [");
  write_summary(file, profile);
  fprintf(file, "\n ], \"links\": [");
  write_link_summary(file, profile);
  fprintf(file, "\n ], \"kernels\": [");
  write_kernel_summary(file, profile);
  fprintf(file, "\n ]}\n}\n");
  if (fclose(file) != 0) {
    fprintf(stderr, "edge: cannot write the profile to %s\n", profile->path);
    status = 1;
  }
  free_profile(profile);
  return status;
}

//===- Profile.c - Measured times of a model's partitions -----------------===//

// clock_gettime and pthreads are POSIX, beyond the C11 the runtime is built
// as.
#define _POSIX_C_SOURCE 200809L

#include "Profile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// Events kept per instance: enough for thousands of runs of a model with
/// hundreds of steps; later events are counted, not kept.
enum { EDGE_PROFILE_MAX_EVENTS = 1 << 20 };

typedef struct event {
  size_t step;
  uint32_t run;
  const char *how;
  /// For a kernel of the step: the GPU kernel's name, or "loop" with the
  /// index of the step's CPU loop in `loop`; NULL for the step itself.
  const char *kernel;
  int32_t loop;
  int64_t start, end;
} event;

struct edge_rt_profile {
  const edge_rt_metadata *metadata;
  char *path;
  int64_t origin;
  pthread_mutex_t lock;
  event *events;
  size_t num_events, capacity, dropped;
  uint32_t runs;
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

void edge_rt_profile_record_loop(int64_t start, int64_t end) {
  if (current_profile)
    record(current_profile, (event){.step = current_step,
                                    .run = current_run,
                                    .how = "CPU loop",
                                    .kernel = "loop",
                                    .loop = current_loop++,
                                    .start = start,
                                    .end = end});
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

/// The cost model's estimate of the partition a step runs, in ns (0: none).
static uint64_t step_estimate(const edge_rt_metadata *m, size_t step) {
  const edge_rt_step *s = find_step(m, step);
  if (s && s->is_copy)
    return 0;
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

/// The summary of one step over the runs (its `count` durations): the
/// median, in the JSON and as a line on stderr.
static void write_summary_entry(FILE *file, const edge_rt_metadata *m,
                                size_t step, const char *how,
                                int64_t *durations, size_t count, int first) {
  qsort(durations, count, sizeof(int64_t), compare_durations);
  double median = count % 2 ? (double)durations[count / 2]
                            : 0.5 * ((double)durations[count / 2 - 1] +
                                     (double)durations[count / 2]);
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
      for (size_t slot = 0; slot < slots; ++slot) {
        size_t count = offsets[slot + 1] - offsets[slot];
        if (!count)
          continue;
        write_summary_entry(file, m, m->num_steps ? slot : SIZE_MAX,
                            how[slot], durations + offsets[slot], count,
                            first);
        first = 0;
      }
      free(filled);
    }
  }
  free(offsets);
  free(how);
  free(durations);
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
    qsort(durations, launches, sizeof(int64_t), compare_durations);
    double median = launches % 2
                        ? (double)durations[launches / 2]
                        : 0.5 * ((double)durations[launches / 2 - 1] +
                                 (double)durations[launches / 2]);
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
      fprintf(stderr,
              "edge: profile: kernel %-24s in %-14s %-10s %10.3f ms  (%.1f "
              "per run)\n",
              name, step, key->how, entries[i].median_ns / 1e6, per_run);
    }
  }
  free(durations);
  free(seen);
  free(entries);
}

int edge_rt_profile_finish(edge_rt_profile *profile) {
  if (!profile)
    return 0;
  const edge_rt_metadata *m = profile->metadata;
  int status = 0;
  FILE *file = fopen(profile->path, "w");
  if (!file) {
    fprintf(stderr, "edge: cannot write the profile to %s\n", profile->path);
    status = 1;
  } else {
    fprintf(file, "{\"displayTimeUnit\": \"ms\",\n \"traceEvents\": [\n");
    fprintf(file, "  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, "
                  "\"args\": {\"name\": \"edge model\"}}");
    size_t devices = m->num_devices ? m->num_devices : 1;
    for (size_t d = 0; d < devices; ++d) {
      fprintf(file,
              ",\n  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, "
              "\"tid\": %zu, \"args\": {\"name\": ",
              d);
      write_string(file, device_name(m, d));
      fprintf(file, "}}");
    }
    for (size_t e = 0; e < profile->num_events; ++e) {
      const event *ev = &profile->events[e];
      const edge_rt_step *step = find_step(m, ev->step);
      char name[96];
      format_step_name(m, ev->step, name, sizeof(name));
      if (ev->kernel) {
        // Nested under its step's slice on the device's track.
        char kernel[64];
        format_kernel_name(ev, kernel, sizeof(kernel));
        fprintf(file, ",\n  {\"name\": ");
        write_string(file, kernel);
        fprintf(file,
                ", \"cat\": \"kernel\", \"ph\": \"X\", \"pid\": 1, "
                "\"tid\": %zu, \"ts\": %.3f, \"dur\": %.3f, \"args\": "
                "{\"run\": %u, \"step\": ",
                step_device(m, ev->step),
                (double)(ev->start - profile->origin) / 1e3,
                (double)(ev->end - ev->start) / 1e3, ev->run);
        write_string(file, name);
        fprintf(file, "}}");
        continue;
      }
      fprintf(file, ",\n  {\"name\": ");
      write_string(file, name);
      fprintf(file,
              ", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": 1, \"tid\": %zu, "
              "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"run\": %u, "
              "\"how\": ",
              step && step->is_copy ? "copy" : "partition",
              step_device(m, ev->step),
              (double)(ev->start - profile->origin) / 1e3,
              (double)(ev->end - ev->start) / 1e3, ev->run);
      write_string(file, ev->how);
      uint64_t estimate = step_estimate(m, ev->step);
      if (estimate)
        fprintf(file, ", \"estimate_us\": %.3f", (double)estimate / 1e3);
      fprintf(file, "}}");
    }
    fprintf(file, "\n ],\n \"edge\": {\"runs\": %u, \"dropped_events\": %zu, "
                  "\"steps\": [",
            profile->runs, profile->dropped);
    fprintf(stderr, "edge: profile of %u runs (median per step) in %s\n",
            profile->runs, profile->path);
    write_summary(file, profile);
    fprintf(file, "\n ], \"kernels\": [");
    write_kernel_summary(file, profile);
    fprintf(file, "\n ]}\n}\n");
    if (fclose(file) != 0) {
      fprintf(stderr, "edge: cannot write the profile to %s\n",
              profile->path);
      status = 1;
    }
  }
  pthread_mutex_destroy(&profile->lock);
  free(profile->events);
  free(profile->path);
  free(profile);
  return status;
}

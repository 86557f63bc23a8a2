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

void edge_rt_profile_begin_run(edge_rt_profile *profile) {
  if (!profile)
    return;
  pthread_mutex_lock(&profile->lock);
  ++profile->runs;
  pthread_mutex_unlock(&profile->lock);
}

void edge_rt_profile_record(edge_rt_profile *profile, size_t step,
                            const char *how, int64_t start, int64_t end) {
  if (!profile)
    return;
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
    profile->events[profile->num_events++] =
        (event){step, profile->runs, how, start, end};
  else
    ++profile->dropped;
  pthread_mutex_unlock(&profile->lock);
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

/// The device a step runs on: its own, a copy's destination's, the first
/// for the whole model.
static size_t step_device(const edge_rt_metadata *m, size_t step) {
  if (step >= m->num_steps)
    return 0;
  const edge_rt_step *s = &m->steps[step];
  if (!s->is_copy)
    return s->device;
  edge_rt_ref target = s->refs[1];
  return target.kind == 'b' ? m->buffers[target.index].device : 0;
}

static const char *device_name(const edge_rt_metadata *m, size_t device) {
  return device < m->num_devices ? m->devices[device].name : "host";
}

/// The cost model's estimate of the partition a step runs, in ns (0: none).
static uint64_t step_estimate(const edge_rt_metadata *m, size_t step) {
  size_t partition = step < m->num_steps ? m->steps[step].partition : 0;
  if (step < m->num_steps && m->steps[step].is_copy)
    return 0;
  return partition < m->num_estimates ? m->estimates_ns[partition] : 0;
}

static void write_event_name(FILE *file, const edge_rt_metadata *m,
                             size_t step) {
  char name[96];
  if (step >= m->num_steps) {
    snprintf(name, sizeof(name), "model");
  } else if (m->steps[step].is_copy) {
    const edge_rt_step *s = &m->steps[step];
    snprintf(name, sizeof(name), "copy %c%zu -> %c%zu", s->refs[0].kind,
             s->refs[0].index, s->refs[1].kind, s->refs[1].index);
  } else {
    snprintf(name, sizeof(name), "partition %u", m->steps[step].partition);
  }
  write_string(file, name);
}

static int compare_durations(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/// The summary of one step over the runs: its median duration, in the
/// JSON and as a line on stderr. Returns whether the step ran (and an entry
/// was written).
static int write_summary_entry(FILE *file, const edge_rt_profile *profile,
                               size_t step, int64_t *durations, int first) {
  const edge_rt_metadata *m = profile->metadata;
  size_t count = 0;
  const char *how = "";
  for (size_t e = 0; e < profile->num_events; ++e)
    if (profile->events[e].step == step) {
      durations[count++] =
          profile->events[e].end - profile->events[e].start;
      how = profile->events[e].how;
    }
  if (count == 0)
    return 0;
  qsort(durations, count, sizeof(int64_t), compare_durations);
  double median = count % 2 ? (double)durations[count / 2]
                            : 0.5 * ((double)durations[count / 2 - 1] +
                                     (double)durations[count / 2]);
  fprintf(file, "%s\n    {\"name\": ", first ? "" : ",");
  write_event_name(file, m, step);
  fprintf(file, ", \"device\": ");
  write_string(file, device_name(m, step_device(m, step)));
  fprintf(file, ", \"how\": ");
  write_string(file, how);
  fprintf(file, ", \"runs\": %zu, \"median_us\": %.3f", count, median / 1e3);
  uint64_t estimate = step_estimate(m, step);
  if (estimate)
    fprintf(file, ", \"estimate_us\": %.3f", (double)estimate / 1e3);
  fprintf(file, "}");

  char name[96] = "model";
  if (step < m->num_steps && m->steps[step].is_copy)
    snprintf(name, sizeof(name), "copy %c%zu -> %c%zu",
             m->steps[step].refs[0].kind, m->steps[step].refs[0].index,
             m->steps[step].refs[1].kind, m->steps[step].refs[1].index);
  else if (step < m->num_steps)
    snprintf(name, sizeof(name), "partition %u", m->steps[step].partition);
  fprintf(stderr, "edge: profile: %-18s %-12s %-12s %10.3f ms", name,
          device_name(m, step_device(m, step)), how, median / 1e6);
  if (estimate)
    fprintf(stderr, "  estimate %10.3f ms  measured/estimate %.2f",
            (double)estimate / 1e6, median / (double)estimate);
  fprintf(stderr, "\n");
  return 1;
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
      fprintf(file, ",\n  {\"name\": ");
      write_event_name(file, m, ev->step);
      fprintf(file,
              ", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": 1, \"tid\": %zu, "
              "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"run\": %u, "
              "\"how\": ",
              ev->step < m->num_steps && m->steps[ev->step].is_copy
                  ? "copy"
                  : "partition",
              step_device(m, ev->step), (double)(ev->start - profile->origin) / 1e3,
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
    int64_t *durations =
        malloc((profile->num_events ? profile->num_events : 1) *
               sizeof(int64_t));
    if (durations) {
      int first = 1;
      size_t steps = m->num_steps ? m->num_steps : 1;
      for (size_t s = 0; s < steps; ++s) {
        size_t step = m->num_steps ? s : SIZE_MAX;
        if (write_summary_entry(file, profile, step, durations, first))
          first = 0;
      }
      free(durations);
    }
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

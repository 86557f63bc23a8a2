//===- CPUFeatures.c - The running CPU against the library's target -------===//
//
// The feature names are LLVM's, as edge-compile records them (see
// lib/Pipelines/CPUTarget.cpp, which lists the same names). This file is
// compiled for the baseline of its architecture, so it runs on any CPU the
// library may be loaded on.
//
//===----------------------------------------------------------------------===//

#include "CPUFeatures.h"
#include "Environment.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

/// Where a feature's bit is: a register of a cpuid leaf (x86-64) or a word
/// of the auxiliary vector (AArch64), and what else it needs.
typedef struct feature_bit {
  const char *name;
  unsigned word; /* x86: index in the cpuid words below; AArch64: 0 = HWCAP,
                    1 = HWCAP2 */
  unsigned bit;
  unsigned needs_state; /* x86: OS state the feature's registers need */
} feature_bit;

#if defined(__x86_64__)
/// The cpuid words the features live in.
enum {
  LEAF1_ECX,
  LEAF7_EBX,
  LEAF7_ECX,
  LEAF7_EDX,
  LEAF7_1_EAX,
  EXT1_ECX,
  NUM_WORDS
};
/// OS-saved register state (XCR0): the YMM halves; the AVX-512 opmask and
/// upper ZMM registers.
enum { STATE_NONE, STATE_AVX, STATE_AVX512 };

static const feature_bit features[] = {
    {"sse3", LEAF1_ECX, 0, STATE_NONE},
    {"ssse3", LEAF1_ECX, 9, STATE_NONE},
    {"fma", LEAF1_ECX, 12, STATE_AVX},
    {"sse4.1", LEAF1_ECX, 19, STATE_NONE},
    {"sse4.2", LEAF1_ECX, 20, STATE_NONE},
    {"movbe", LEAF1_ECX, 22, STATE_NONE},
    {"popcnt", LEAF1_ECX, 23, STATE_NONE},
    {"avx", LEAF1_ECX, 28, STATE_AVX},
    {"f16c", LEAF1_ECX, 29, STATE_AVX},
    {"bmi", LEAF7_EBX, 3, STATE_NONE},
    {"avx2", LEAF7_EBX, 5, STATE_AVX},
    {"bmi2", LEAF7_EBX, 8, STATE_NONE},
    {"avx512f", LEAF7_EBX, 16, STATE_AVX512},
    {"avx512dq", LEAF7_EBX, 17, STATE_AVX512},
    {"avx512ifma", LEAF7_EBX, 21, STATE_AVX512},
    {"avx512cd", LEAF7_EBX, 28, STATE_AVX512},
    {"avx512bw", LEAF7_EBX, 30, STATE_AVX512},
    {"avx512vl", LEAF7_EBX, 31, STATE_AVX512},
    {"avx512vbmi", LEAF7_ECX, 1, STATE_AVX512},
    {"avx512vbmi2", LEAF7_ECX, 6, STATE_AVX512},
    {"gfni", LEAF7_ECX, 8, STATE_NONE},
    {"vaes", LEAF7_ECX, 9, STATE_AVX},
    {"vpclmulqdq", LEAF7_ECX, 10, STATE_AVX},
    {"avx512vnni", LEAF7_ECX, 11, STATE_AVX512},
    {"avx512bitalg", LEAF7_ECX, 12, STATE_AVX512},
    {"avx512vpopcntdq", LEAF7_ECX, 14, STATE_AVX512},
    {"avx512fp16", LEAF7_EDX, 23, STATE_AVX512},
    {"avxvnni", LEAF7_1_EAX, 4, STATE_AVX},
    {"avx512bf16", LEAF7_1_EAX, 5, STATE_AVX512},
    {"lzcnt", EXT1_ECX, 5, STATE_NONE},
};

/// The CPU's feature words and the register state the OS saves.
typedef struct cpu_state {
  uint32_t words[NUM_WORDS];
  unsigned saved;
} cpu_state;

static void read_cpu(cpu_state *cpu) {
  unsigned a, b, c, d;
  uint32_t *words = cpu->words;
  memset(cpu, 0, sizeof(*cpu));
  unsigned max_leaf = __get_cpuid_max(0, NULL);
  if (max_leaf >= 1 && __get_cpuid(1, &a, &b, &c, &d)) {
    words[LEAF1_ECX] = c;
    // OSXSAVE: xgetbv tells which register state the OS saves.
    if (c & (1u << 27)) {
      uint32_t low, high;
      __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
      if ((low & 0x6) == 0x6)
        cpu->saved = STATE_AVX;
      if ((low & 0xe6) == 0xe6)
        cpu->saved = STATE_AVX512;
    }
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    words[LEAF7_EBX] = b;
    words[LEAF7_ECX] = c;
    words[LEAF7_EDX] = d;
    if (a >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      words[LEAF7_1_EAX] = a;
    }
  }
  if (__get_cpuid_max(0x80000000u, NULL) >= 0x80000001u &&
      __get_cpuid(0x80000001u, &a, &b, &c, &d))
    words[EXT1_ECX] = c;
}

static int detect(const feature_bit *feature, const cpu_state *cpu) {
  if (!(cpu->words[feature->word] & (1u << feature->bit)))
    return 0;
  return cpu->saved >= feature->needs_state;
}

#elif defined(__aarch64__)
/// HWCAP and HWCAP2 bits of Linux's arch/arm64/include/uapi/asm/hwcap.h.
static const feature_bit features[] = {
    {"fp-armv8", 0, 0, 0}, {"neon", 0, 1, 0},     {"crc", 0, 7, 0},
    {"lse", 0, 8, 0},      {"fullfp16", 0, 9, 0}, {"rdm", 0, 12, 0},
    {"rcpc", 0, 15, 0},    {"dotprod", 0, 20, 0}, {"sve", 0, 22, 0},
    {"fp16fml", 0, 23, 0}, {"sve2", 1, 1, 0},     {"i8mm", 1, 13, 0},
    {"bf16", 1, 14, 0},
};

/// The auxiliary vector's capability words.
typedef struct cpu_state {
  unsigned long hwcap[2];
} cpu_state;

static void read_cpu(cpu_state *cpu) {
  cpu->hwcap[0] = getauxval(AT_HWCAP);
  cpu->hwcap[1] = getauxval(AT_HWCAP2);
}

static int detect(const feature_bit *feature, const cpu_state *cpu) {
  if (!(cpu->hwcap[feature->word] & (1ul << feature->bit)))
    return 0;
  // Half-precision arithmetic is two capabilities: scalar and vector.
  if (strcmp(feature->name, "fullfp16") == 0)
    return (cpu->hwcap[0] & (1ul << 10)) != 0;
  return 1;
}

#else
static const feature_bit features[] = {{"", 0, 0, 0}};
typedef struct cpu_state {
  int unused;
} cpu_state;
static void read_cpu(cpu_state *cpu) { cpu->unused = 0; }
static int detect(const feature_bit *feature, const cpu_state *cpu) {
  (void)feature;
  (void)cpu;
  return 0;
}
#endif

/// Whether `cpu` has the feature `name`; -1 for a name not in the table.
static int has_feature(const cpu_state *cpu, const char *name) {
  for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); ++i)
    if (features[i].name[0] && strcmp(features[i].name, name) == 0)
      return detect(&features[i], cpu) &&
             !edge_rt_environment_lists("EDGE_DISABLE_CPU_FEATURES", name);
  return -1;
}

int edge_rt_cpu_has_feature(const char *name) {
  cpu_state cpu;
  read_cpu(&cpu);
  return has_feature(&cpu, name);
}

int edge_rt_check_cpu(const char *requirement, char *error, size_t error_size) {
  if (!requirement || !*requirement)
    return 0;
  // The target's name, then its features, separated by single spaces.
  const char *space = strchr(requirement, ' ');
  int name_length =
      space ? (int)(space - requirement) : (int)strlen(requirement);
  size_t written =
      (size_t)snprintf(error, error_size, "compiled for %.*s: this CPU lacks",
                       name_length, requirement);
  int missing = 0;
  cpu_state cpu;
  read_cpu(&cpu);
  for (const char *cursor = space; cursor && *cursor;) {
    ++cursor;
    const char *end = strchr(cursor, ' ');
    size_t length = end ? (size_t)(end - cursor) : strlen(cursor);
    char name[64];
    if (length == 0 || length >= sizeof(name)) {
      snprintf(error, error_size,
               "the model library's CPU requirement is malformed");
      return -1;
    }
    memcpy(name, cursor, length);
    name[length] = '\0';
    // A name this runtime cannot check (one newer than the list) is not
    // held against the CPU.
    if (has_feature(&cpu, name) == 0) {
      if (written < error_size)
        written += (size_t)snprintf(error + written, error_size - written,
                                    "%s %s", missing ? "," : "", name);
      ++missing;
    }
    cursor = end;
  }
  if (!missing) {
    if (error_size)
      error[0] = '\0';
    return 0;
  }
  return -1;
}

//===- edge-generate.cpp - Generate tokens with a compiled decoder --------===//
//
// edge-generate MODEL.so (--prompt-ids 1,2,3 ... | --batch-file FILE)
//               [--max-new-tokens N] [--temperature T] [--top-k K]
//               [--top-p P] [--seed S] [--stop-ids A,B] [--max-batch N]
//               [--threads N] [--warmup N] [--json FILE]
//
// Runs the generation API of a model library (edge_generator_*,
// edge-c/Model.h) and prints each sequence's new token ids, the sampling
// settings and the timing: time to first token and decode tokens/s. More
// prompts than --max-batch join the batch as others finish (continuous
// batching). No MLIR; the library is opened with dlopen.
//
//===----------------------------------------------------------------------===//

#include "edge/Runtime/ModelLoader.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char kUsage[] =
    "usage: edge-generate MODEL.so (--prompt-ids IDS ... | --batch-file FILE)\n"
    "                     [options]\n"
    "\n"
    "Generates tokens with a decoder compiled with a KV-cache (docs/llm.md).\n"
    "\n"
    "  --prompt-ids IDS    a prompt as comma-separated token ids (repeat for\n"
    "                      several sequences)\n"
    "  --batch-file FILE   prompts, one per line (ids separated by commas or\n"
    "                      spaces)\n"
    "  --max-new-tokens N  tokens to generate per sequence (default 64)\n"
    "  --temperature T     0 (default): greedy; above 0: sample\n"
    "  --top-k K           sample among the K most likely tokens (0: all)\n"
    "  --top-p P           sample among the most likely tokens whose\n"
    "                      probabilities reach P (default 1: all)\n"
    "  --seed S            seed of the sampling (default 0)\n"
    "  --stop-ids IDS      tokens that end a sequence (kept in its output)\n"
    "  --max-batch N       sequences generated at once (default: the model's\n"
    "                      batch bound); more prompts wait for a free slot\n"
    "  --threads N         threads of the model's parallel loops (sets\n"
    "                      EDGE_NUM_THREADS=N)\n"
    "  --warmup N          first generate 2 tokens from the first prompt N\n"
    "                      times, unmeasured (benchmarks)\n"
    "  --json FILE         also write the tokens and timings as JSON\n";

struct Options {
  std::string model;
  std::vector<std::vector<int64_t>> prompts;
  edge_generation_config config{64, 0.0f, 0, 1.0f, 0, nullptr, 0};
  std::vector<int64_t> stopIds;
  uint32_t maxBatch = 0;
  int threads = 0;
  int warmup = 0;
  std::string json;
};

[[noreturn]] void die(const std::string &message) {
  std::cerr << "edge-generate: " << message << "\n";
  std::exit(1);
}

/// Token ids separated by commas or white space.
std::vector<int64_t> parseIds(const std::string &text,
                              const std::string &what) {
  std::vector<int64_t> ids;
  std::string token;
  std::istringstream in(text);
  auto flush = [&] {
    if (token.empty())
      return;
    char *end = nullptr;
    errno = 0;
    long long value = std::strtoll(token.c_str(), &end, 10);
    if (errno || *end || value < 0)
      die(what + ": '" + token + "' is not a token id");
    ids.push_back(value);
    token.clear();
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\r')
      flush();
    else
      token.push_back(c);
  }
  flush();
  return ids;
}

double parseNumber(const std::string &text, const std::string &option) {
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno || end == text.c_str() || *end || !(value >= 0))
    die(option + " needs a non-negative number, not '" + text + "'");
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) {
      if (!options.model.empty())
        die("one model library, not '" + options.model + "' and '" + arg +
            "'\n" + kUsage);
      options.model = arg;
      continue;
    }
    std::string value;
    size_t equals = arg.find('=');
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      die(arg + " needs a value");
    }
    if (arg == "--prompt-ids") {
      options.prompts.push_back(parseIds(value, arg));
    } else if (arg == "--batch-file") {
      std::ifstream file(value);
      if (!file)
        die("cannot read '" + value + "'");
      std::string line;
      while (std::getline(file, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos)
          options.prompts.push_back(parseIds(line, value));
    } else if (arg == "--max-new-tokens") {
      options.config.max_new_tokens = uint32_t(parseNumber(value, arg));
    } else if (arg == "--temperature") {
      options.config.temperature = float(parseNumber(value, arg));
    } else if (arg == "--top-k") {
      options.config.top_k = uint32_t(parseNumber(value, arg));
    } else if (arg == "--top-p") {
      options.config.top_p = float(parseNumber(value, arg));
    } else if (arg == "--seed") {
      options.config.seed = uint64_t(parseNumber(value, arg));
    } else if (arg == "--stop-ids") {
      options.stopIds = parseIds(value, arg);
    } else if (arg == "--max-batch") {
      options.maxBatch = uint32_t(parseNumber(value, arg));
    } else if (arg == "--threads") {
      options.threads = int(parseNumber(value, arg));
    } else if (arg == "--warmup") {
      options.warmup = int(parseNumber(value, arg));
    } else if (arg == "--json") {
      options.json = value;
    } else {
      die("unknown option '" + arg + "'\n" + kUsage);
    }
  }
  if (options.model.empty() || options.prompts.empty())
    die(std::string("a model library and at least one prompt are needed\n") +
        kUsage);
  options.config.stop_tokens = options.stopIds.data();
  options.config.num_stop_tokens = options.stopIds.size();
  return options;
}

std::string describeSampling(const edge_generation_config &config) {
  std::ostringstream out;
  if (config.temperature <= 0) {
    out << "greedy";
  } else {
    out << "temperature " << config.temperature << ", top-k "
        << (config.top_k ? std::to_string(config.top_k) : "all") << ", top-p "
        << config.top_p << ", seed " << config.seed;
  }
  out << "; at most " << config.max_new_tokens << " new tokens";
  if (config.num_stop_tokens)
    out << ", " << config.num_stop_tokens << " stop token(s)";
  return out.str();
}

const char *describeFinish(edge_finish_reason reason) {
  switch (reason) {
  case EDGE_FINISH_STOP:
    return "stop token";
  case EDGE_FINISH_LENGTH:
    return "max new tokens";
  case EDGE_FINISH_CONTEXT:
    return "context full";
  case EDGE_FINISH_NONE:
    break;
  }
  return "unfinished";
}

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  if (options.threads > 0)
    setenv("EDGE_NUM_THREADS", std::to_string(options.threads).c_str(), 1);
  std::string error;
  std::unique_ptr<edge::LoadedModel> model =
      edge::LoadedModel::load(options.model, error);
  if (!model)
    die(error);
  // Warm-up generations touch the weights and start the threads.
  for (int i = 0; i < options.warmup; ++i) {
    std::unique_ptr<edge::LoadedModel::Generator> warm =
        model->createGenerator(1, error);
    edge_generation_config config = options.config;
    config.max_new_tokens = 2;
    uint32_t id = 0;
    if (!warm || !warm->add(options.prompts.front(), config, id, error))
      die(error);
    while (warm->unfinished())
      if (!warm->step(error))
        die(error);
  }
  std::unique_ptr<edge::LoadedModel::Generator> generator =
      model->createGenerator(options.maxBatch, error);
  if (!generator)
    die(error);

  std::vector<uint32_t> ids;
  double firstToken = 0;
  if (generator->generateAll(options.prompts, options.config, ids, error,
                             &firstToken) !=
      edge::LoadedModel::Generator::Outcome::Done)
    die(error);

  edge_generation_stats stats = generator->stats();
  std::cout << "sampling: " << describeSampling(options.config) << "\n";
  std::ostringstream json;
  json << "{\n  \"sequences\": [";
  for (size_t p = 0; p < options.prompts.size(); ++p) {
    edge_finish_reason reason = EDGE_FINISH_NONE;
    std::vector<int64_t> tokens = generator->tokens(ids[p], &reason);
    std::cout << "sequence " << p << " (" << options.prompts[p].size()
              << " prompt tokens, " << describeFinish(reason) << "):";
    json << (p ? "," : "") << "\n    [";
    for (size_t t = 0; t < tokens.size(); ++t) {
      std::cout << ' ' << tokens[t];
      json << (t ? ", " : "") << tokens[t];
    }
    std::cout << "\n";
    json << "]";
  }
  double decodeRate = stats.decode_seconds > 0
                          ? double(stats.decode_tokens) / stats.decode_seconds
                          : 0;
  char line[256];
  std::snprintf(line, sizeof(line),
                "time to first token: %.2f ms (%llu prompt tokens); decode: "
                "%llu tokens in %llu steps, %.1f tokens/s\n",
                firstToken * 1e3, (unsigned long long)stats.prefill_tokens,
                (unsigned long long)stats.decode_tokens,
                (unsigned long long)stats.decode_steps, decodeRate);
  std::cout << line;
  json << "\n  ],\n  \"time_to_first_token_seconds\": " << firstToken
       << ",\n  \"prefill_seconds\": " << stats.prefill_seconds
       << ",\n  \"prefill_tokens\": " << stats.prefill_tokens
       << ",\n  \"decode_seconds\": " << stats.decode_seconds
       << ",\n  \"decode_tokens\": " << stats.decode_tokens
       << ",\n  \"decode_steps\": " << stats.decode_steps << "\n}\n";
  if (!options.json.empty()) {
    std::ofstream out(options.json);
    out << json.str();
    if (!out)
      die("cannot write '" + options.json + "'");
  }
  return 0;
}

//===- Compile.cpp - Compile an ONNX model for edge-run -------------------===//
//
// Spawns edge-compile with posix_spawn. Its stdout is redirected to stderr so
// that edge-run's own stdout carries only the run's results.
//
//===----------------------------------------------------------------------===//

#include "Compile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace edge::run;

TempDir::~TempDir() {
  if (path.empty())
    return;
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

bool TempDir::create(std::string &error) {
  const char *base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base && *base ? base : "/tmp") + "/edge-run-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) {
    error = "cannot create a temporary directory '" + pattern +
            "': " + std::strerror(errno);
    return false;
  }
  path = buffer.data();
  return true;
}

static bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool edge::run::isOnnxModel(const std::string &path) {
  return endsWith(path, ".onnx") || endsWith(path, ".onnxtxt");
}

/// The edge-compile to run: $EDGE_COMPILE, the one beside this executable,
/// or "edge-compile" to be looked up in PATH.
static std::string findEdgeCompile() {
  if (const char *fromEnv = std::getenv("EDGE_COMPILE"); fromEnv && *fromEnv)
    return fromEnv;
  std::error_code ec;
  std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path sibling = self.parent_path() / "edge-compile";
    if (access(sibling.c_str(), X_OK) == 0)
      return sibling.string();
  }
  return "edge-compile";
}

bool edge::run::compileModel(const std::string &model,
                             const std::string &output, std::string &error) {
  std::string compiler = findEdgeCompile();
  std::vector<std::string> args = {compiler, model, "-o", output};
  std::vector<char *> argv;
  for (std::string &arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  pid_t pid;
  // posix_spawnp searches PATH only for a name without '/'.
  int spawnError = posix_spawnp(&pid, compiler.c_str(), &actions, nullptr,
                                argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawnError != 0) {
    error = "cannot run '" + compiler + "': " + std::strerror(spawnError) +
            " (edge-compile is looked up in $EDGE_COMPILE, beside edge-run, "
            "then in PATH)";
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      error =
          "cannot wait for edge-compile: " + std::string(std::strerror(errno));
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;
  if (WIFEXITED(status))
    error = "edge-compile failed on '" + model + "' (exit status " +
            std::to_string(WEXITSTATUS(status)) + ")";
  else
    error = "edge-compile was killed by signal " +
            std::to_string(WTERMSIG(status)) + " while compiling '" + model +
            "'";
  return false;
}

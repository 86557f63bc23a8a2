//===- ModelLoaderTest.cpp - Errors of edge::LoadedModel::load ------------===//

#include "edge/Runtime/ModelLoader.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

using edge::LoadedModel;

namespace {

/// Loads `path`, expects failure, and returns the error.
std::string loadError(const std::string &path) {
  std::string error;
  std::unique_ptr<LoadedModel> model = LoadedModel::load(path, error);
  EXPECT_FALSE(model) << path;
  EXPECT_NE(error, "");
  EXPECT_EQ(error.find('\n'), std::string::npos) << "not one line: " << error;
  return error;
}

#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(ModelLoader, MissingFile) {
  std::string error = loadError("/nonexistent/model.so");
  EXPECT_CONTAINS(error, "cannot open model '/nonexistent/model.so'");
  EXPECT_CONTAINS(error, "No such file or directory");
}

TEST(ModelLoader, Directory) {
  EXPECT_CONTAINS(loadError("/tmp"), "is a directory");
}

TEST(ModelLoader, NotASharedLibrary) {
  std::string path = ::testing::TempDir() + "edge_garbage.so";
  std::ofstream(path) << "this is not an ELF file\n";
  EXPECT_CONTAINS(loadError(path), "'" + path +
                                        "' is not a model library (not an "
                                        "ELF shared object)");
  std::remove(path.c_str());
}

// dlopen of a truncated library maps its segments past the end of the file
// and dies of SIGBUS; the loader checks the headers against the size first.
TEST(ModelLoader, TruncatedLibraryIsRefused) {
  std::ifstream library(EDGE_NOT_A_MODEL, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(library)),
                    std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4096u);
  std::string path = ::testing::TempDir() + "edge_truncated.so";
  for (size_t keep : {size_t(32), size_t(200), bytes.size() / 2,
                      bytes.size() - 1}) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), keep);
    std::string error = loadError(path);
    EXPECT_CONTAINS(error, "'" + path + "' is ");
    EXPECT_TRUE(error.find("truncated") != std::string::npos ||
                error.find("not a model library") != std::string::npos)
        << error;
  }
  std::remove(path.c_str());
}

TEST(ModelLoader, LibraryWithoutTheAbi) {
  EXPECT_CONTAINS(loadError(EDGE_NOT_A_MODEL), "is not an edge model library");
}

TEST(ModelLoader, AbiVersionMismatch) {
  std::string error = loadError(EDGE_BAD_ABI_MODEL);
  EXPECT_CONTAINS(error, "edge ABI version 999");
  EXPECT_CONTAINS(error,
                  "supports version " + std::to_string(EDGE_ABI_VERSION));
}

TEST(ModelLoader, CreateFailureCarriesTheRuntimeMessage) {
  std::string error = loadError(EDGE_BAD_METADATA_MODEL);
  EXPECT_CONTAINS(error, "cannot create an instance of model");
  EXPECT_CONTAINS(error, "metadata is invalid: metadata line 2: a dimension "
                         "is not a non-negative decimal number");
}

TEST(ModelLoader, RelativePathIsAFileNotALibraryName) {
  std::filesystem::path library(EDGE_FAKE_MODEL);
  std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(library.parent_path());
  std::string error;
  std::unique_ptr<LoadedModel> model =
      LoadedModel::load(library.filename().string(), error);
  std::filesystem::current_path(previous);
  EXPECT_TRUE(model) << error;
}

} // namespace

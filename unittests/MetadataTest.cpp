//===- MetadataTest.cpp - Tests of the runtime's metadata parser ----------===//

#include "Metadata.h"

#include "gtest/gtest.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

/// Parses `text` and owns the result.
struct Parsed {
  explicit Parsed(const std::string &text) {
    status =
        edge_rt_parse_metadata(text.c_str(), &metadata, error, sizeof(error));
  }
  ~Parsed() { edge_rt_free_metadata(&metadata); }

  const edge_tensor_info &input(size_t i) const { return metadata.tensors[i]; }
  const edge_tensor_info &output(size_t i) const {
    return metadata.tensors[metadata.num_inputs + i];
  }
  std::vector<int64_t> shape(const edge_tensor_info &info) const {
    return std::vector<int64_t>(info.shape, info.shape + info.rank);
  }

  int status;
  edge_rt_metadata metadata;
  char error[256];
};

TEST(Metadata, ParsesInputsAndOutputs) {
  Parsed p("edge-model 1\n"
           "input x 1 4 1 3 224 224\n"
           "input ids 7 1 5\n"
           "output logits 1 2 1 1000\n");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_STREQ(p.error, "");
  ASSERT_EQ(p.metadata.num_inputs, 2u);
  ASSERT_EQ(p.metadata.num_outputs, 1u);
  EXPECT_STREQ(p.input(0).name, "x");
  EXPECT_EQ(p.input(0).dtype, EDGE_DTYPE_FLOAT32);
  EXPECT_EQ(p.shape(p.input(0)), (std::vector<int64_t>{1, 3, 224, 224}));
  EXPECT_EQ(p.input(0).num_elements, 3u * 224 * 224);
  EXPECT_EQ(p.input(0).num_bytes, 4u * 3 * 224 * 224);
  EXPECT_STREQ(p.input(1).name, "ids");
  EXPECT_EQ(p.input(1).dtype, EDGE_DTYPE_INT64);
  EXPECT_EQ(p.input(1).num_bytes, 40u);
  EXPECT_STREQ(p.output(0).name, "logits");
  EXPECT_EQ(p.shape(p.output(0)), (std::vector<int64_t>{1, 1000}));
}

TEST(Metadata, ParsesBoundInputs) {
  Parsed p("edge-model 1\n"
           "input x 1 1 2\n"
           "input shape 7 1 1\n"
           "output y 1 1 2\n"
           "bound 1 feFFffffFFffFF7f\n");
  ASSERT_EQ(p.status, 0) << p.error;
  ASSERT_NE(p.metadata.bound_values, nullptr);
  EXPECT_EQ(p.metadata.bound_values[0], nullptr);
  ASSERT_NE(p.metadata.bound_values[1], nullptr);
  int64_t value;
  std::memcpy(&value, p.metadata.bound_values[1], sizeof(value));
  EXPECT_EQ(value, INT64_MAX - 1);
  EXPECT_EQ(p.metadata.num_bound_values[1], 1u);
}

// Several bound lines for one input: the values it may take, in order.
TEST(Metadata, ParsesSeveralValuesOfOneInput) {
  Parsed p("edge-model 1\n"
           "input x 1 1 2\n"
           "input axis 6 0\n"
           "output y 1 1 2\n"
           "bound 1 01000000\n"
           "bound 1 ffffffff\n");
  ASSERT_EQ(p.status, 0) << p.error;
  ASSERT_EQ(p.metadata.num_bound_values[1], 2u);
  EXPECT_EQ(p.metadata.num_bound_values[0], 0u);
  int32_t values[2];
  std::memcpy(values, p.metadata.bound_values[1], sizeof(values));
  EXPECT_EQ(values[0], 1);
  EXPECT_EQ(values[1], -1);
}

TEST(Metadata, ParsesCheckSitesLast) {
  Parsed p("edge-model 1\n"
           "input ids 7 1 2\n"
           "output y 1 1 2\n"
           "check 0 node%20'embed'%20(gather,%20axis%200)\n"
           "check 1 (scatter_nd)\n");
  ASSERT_EQ(p.status, 0) << p.error;
  ASSERT_EQ(p.metadata.num_check_sites, 2u);
  EXPECT_STREQ(p.metadata.check_sites[0], "node 'embed' (gather, axis 0)");
  EXPECT_STREQ(p.metadata.check_sites[1], "(scatter_nd)");
}

TEST(Metadata, RejectsMisplacedCheckSites) {
  auto errorOf = [](const std::string &text) {
    return std::string(Parsed(text).error);
  };
  EXPECT_NE(errorOf("edge-model 1\noutput y 1 0\ncheck 1 x\n")
                .find("check site 1 out of order (expected 0)"),
            std::string::npos);
  EXPECT_NE(errorOf("edge-model 1\noutput y 1 0\ncheck 0 x\noutput z 1 0\n")
                .find("line after a check line"),
            std::string::npos);
  EXPECT_NE(errorOf("edge-model 1\ncheck 0 x\noutput y 1 0\n")
                .find("check line before the output lines"),
            std::string::npos);
  EXPECT_NE(errorOf("edge-model 1\noutput y 1 0\ncheck 0\n").find("line 3"),
            std::string::npos);
}

TEST(Metadata, WithoutBoundLinesNothingIsBound) {
  Parsed p("edge-model 1\ninput x 1 0\noutput y 1 0\n");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_EQ(p.metadata.bound_values, nullptr);
}

TEST(Metadata, FinalNewlineIsOptional) {
  Parsed p("edge-model 1\noutput y 11 1 2");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_EQ(p.metadata.num_inputs, 0u);
  EXPECT_EQ(p.output(0).num_bytes, 16u);
}

TEST(Metadata, DecodesEscapedNames) {
  Parsed p("edge-model 1\n"
           "input a%20b%25c%0A 1 0\n"
           "input %c3%a9t%C3%A9 1 0\n"
           "output x:0/y.z 1 0\n");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_STREQ(p.input(0).name, "a b%c\n");
  EXPECT_STREQ(p.input(1).name, "\xc3\xa9t\xc3\xa9");
  EXPECT_STREQ(p.output(0).name, "x:0/y.z");
}

TEST(Metadata, ScalarsAndEmptyTensors) {
  Parsed p("edge-model 1\n"
           "input s 7 0\n"
           "input empty 1 2 0 5\n"
           "output flag 9 1 3\n");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_EQ(p.input(0).rank, 0);
  EXPECT_NE(p.input(0).shape, nullptr);
  EXPECT_EQ(p.input(0).num_elements, 1u);
  EXPECT_EQ(p.input(0).num_bytes, 8u);
  EXPECT_EQ(p.input(1).num_elements, 0u);
  EXPECT_EQ(p.input(1).num_bytes, 0u);
  // BOOL is one byte per element.
  EXPECT_EQ(p.output(0).num_bytes, 3u);
}

TEST(Metadata, EveryDTypeHasItsSize) {
  const std::pair<int, size_t> sizes[] = {
      {1, 4}, {2, 1},  {3, 1},  {4, 2},  {5, 2},  {6, 4}, {7, 8},
      {9, 1}, {10, 2}, {11, 8}, {12, 4}, {13, 8}, {16, 2}};
  for (auto [dtype, size] : sizes) {
    Parsed p("edge-model 1\noutput y " + std::to_string(dtype) + " 1 3\n");
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_EQ(p.output(0).num_bytes, 3 * size) << "dtype " << dtype;
  }
}

TEST(Metadata, InputAndOutputMayShareAName) {
  // An ONNX graph output can be a graph input.
  Parsed p("edge-model 1\ninput x 1 0\noutput x 1 0\n");
  EXPECT_EQ(p.status, 0) << p.error;
}

TEST(Metadata, ErrorNamesTheLine) {
  Parsed p("edge-model 1\ninput x 1 1 4\ninput y 1 1 four\noutput z 1 0\n");
  ASSERT_NE(p.status, 0);
  EXPECT_STREQ(p.error,
               "metadata line 3: a dimension is not a non-negative decimal "
               "number");
}

struct MalformedCase {
  const char *text;
  const char *message;
};

TEST(Metadata, ParsesDynamicSizes) {
  Parsed p("edge-model 1\nsymbol 0 batch 8\nsymbol 1 seq%20len 16\n"
           "input x 1 3 $0 $1 16\ninput s 1 2 $0 1\n"
           "output y 1 2 $0 ?256\nshapes 4\n");
  ASSERT_EQ(p.status, 0) << p.error;
  ASSERT_EQ(p.metadata.num_symbols, 2u);
  EXPECT_STREQ(p.metadata.symbol_names[1], "seq len");
  EXPECT_EQ(p.metadata.symbol_bounds[0], 8);
  EXPECT_EQ(p.metadata.num_shape_entries, 4u);
  EXPECT_EQ(p.shape(p.input(0)), (std::vector<int64_t>{-1, -1, 16}));
  EXPECT_EQ(std::vector<int64_t>(p.input(0).max_shape,
                                 p.input(0).max_shape + 3),
            (std::vector<int64_t>{8, 16, 16}));
  EXPECT_STREQ(p.input(0).dim_names[1], "seq len");
  EXPECT_EQ(p.input(0).dim_names[2], nullptr);
  // Sizes at the bounds: a buffer this large fits every run.
  EXPECT_EQ(p.input(0).num_bytes, 4u * 8 * 16 * 16);
  EXPECT_EQ(p.metadata.dim_symbols[2][0], 0);
  EXPECT_EQ(p.metadata.dim_symbols[2][1], EDGE_RT_DIM_COMPUTED);
  EXPECT_EQ(p.output(0).dim_names[1], nullptr);
  EXPECT_EQ(p.output(0).max_shape[1], 256);
  EXPECT_EQ(p.metadata.dim_symbols[1][1], EDGE_RT_DIM_STATIC);
}

TEST(Metadata, ParsesCaches) {
  // A decoder's present output appends to its past input along axis 1.
  Parsed p("edge-model 1\nsymbol 0 past 8\nsymbol 1 seq 4\n"
           "input ids 7 1 $1\ninput k 1 3 2 $0 4\n"
           "output logits 1 1 $1\noutput present 1 3 2 ?12 4\n"
           "cache 1 1 1 12\nshapes 6\n");
  ASSERT_EQ(p.status, 0) << p.error;
  ASSERT_EQ(p.metadata.num_caches, 1u);
  EXPECT_EQ(p.metadata.caches[0].input, 1u);
  EXPECT_EQ(p.metadata.caches[0].output, 1u);
  EXPECT_EQ(p.metadata.caches[0].axis, 1);
  EXPECT_EQ(p.metadata.caches[0].capacity, 12);
}

TEST(Metadata, ParsesDynamicSizesInTheCompilersOrder) {
  // As edge-compile writes them: symbols, inputs, outputs, shapes, bound
  // (static) inputs, the estimate, check sites.
  Parsed p("edge-model 1\n"
           "symbol 0 batch 4\n"
           "input ids 7 2 $0 3\n"
           "input table 1 2 2 2\n"
           "output rows 1 3 $0 3 2\n"
           "output picked 7 1 ?12\n"
           "shapes 5\n"
           "bound 1 0000803f000000400000404000008040\n"
           "estimate 0 2500\n"
           "check 0 node%20'g'%20(edge.gather)\n");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_EQ(p.metadata.num_symbols, 1u);
  EXPECT_EQ(p.metadata.num_shape_entries, 5u);
  EXPECT_STREQ(p.input(0).dim_names[0], "batch");
  EXPECT_EQ(p.input(0).num_bytes, 4u * 3 * 8);
  EXPECT_EQ(p.output(0).num_elements, 4u * 3 * 2);
  EXPECT_EQ(p.output(1).max_shape[0], 12);
  ASSERT_NE(p.metadata.bound_values, nullptr);
  EXPECT_NE(p.metadata.bound_values[1], nullptr);
  EXPECT_EQ(p.metadata.num_check_sites, 1u);
}

TEST(Metadata, SymbolsMayRepeatAndComputedSizesMayBeZero) {
  Parsed p("edge-model 1\nsymbol 0 n 8\ninput m 1 2 $0 $0\n"
           "output e 1 1 ?0\nshapes 2");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_EQ(p.input(0).num_elements, 64u);
  EXPECT_EQ(p.output(0).num_bytes, 0u);
}

TEST(Metadata, StaticModelsHaveNoSymbols) {
  Parsed p("edge-model 1\ninput x 1 1 4\noutput y 1 1 4\n");
  ASSERT_EQ(p.status, 0) << p.error;
  EXPECT_EQ(p.metadata.num_symbols, 0u);
  EXPECT_EQ(p.metadata.num_shape_entries, 0u);
  EXPECT_EQ(p.input(0).max_shape[0], 4);
  EXPECT_EQ(p.input(0).dim_names[0], nullptr);
}

TEST(Metadata, RejectsMalformedDynamicSizes) {
  const std::pair<const char *, const char *> cases[] = {
      {"edge-model 1\nsymbol 1 n 8\noutput y 1 0\n", "not the next one"},
      {"edge-model 1\nsymbol 0 n 8\nsymbol 1 n 4\noutput y 1 0\nshapes 2\n",
       "symbol name used twice"},
      {"edge-model 1\noutput y 1 1 $0\n", "symbol 0 is not declared"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 ?8\noutput y 1 0\n",
       "an input's dynamic size must be a symbol"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $x\noutput y 1 0\n",
       "not a non-negative decimal"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n",
       "needs a shapes line"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes 1\n",
       "at least 2 entries"},
      {"edge-model 1\ninput x 1 1 4\noutput y 1 1 4\nshapes 1\n",
       "needs symbols"},
      {"edge-model 1\ninput x 1 1 4\nsymbol 0 n 8\noutput y 1 0\n",
       "symbol line after a tensor line"},
      {"edge-model 1\nsymbol 0 n 99999999999999999999\noutput y 1 0\n",
       "too large"},
      {"edge-model 1\nsymbol 0 n 0\ninput x 1 1 $0\noutput y 1 0\n",
       "the bound of symbol 0 ('n') must be at least 1"},
      {"edge-model 1\nsymbol 0 n -2\ninput x 1 1 $0\noutput y 1 0\n",
       "the symbol bound is not a non-negative decimal number"},
      {"edge-model 1\nsymbol 0 n\ninput x 1 1 $0\noutput y 1 0\n",
       "expected a space before the symbol bound"},
      // Unknown symbol index, and malformed dimension tokens.
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 2 4 $1\noutput y 1 0\n",
       "dimension 1 is $1, but symbol 1 is not declared (the model declares 1 "
       "symbols)"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $\noutput y 1 0\n",
       "expected the symbol index of dimension 0"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $-1\noutput y 1 0\n",
       "the symbol index of dimension 0 is not a non-negative decimal"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 ?\n",
       "expected the size bound of dimension 0"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 2 4 ?x\n",
       "the size bound of dimension 1 is not a non-negative decimal"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 #3\n",
       "a dimension is not a non-negative decimal number"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 2 3 ?8\noutput y 1 0\n",
       "dimension 1 is '?8': an input's dynamic size must be a symbol ($K)"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 "
       "$99999999999\n",
       "the symbol index of dimension 0 is too large"},
      // The shapes line: its count, its place, its need of symbols.
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 2 $0 ?8\n"
       "output z 1 0\nshapes 2\n",
       "the shapes line has 2 entries, but the model needs at least 3 "
       "entries (1 symbols' sizes, then the outputs' 2 dimensions)"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes 2\nshapes 2\n",
       "a second shapes line"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\nshapes 1\n"
       "output y 1 0\n",
       "shapes line before the output lines"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes 2\noutput z 1 0\n",
       "tensor line after a cache or shapes line"},
      // Cache lines: a past input and its present output, alike but along
      // the axis its symbol sizes, within the capacity.
      {"edge-model 1\nsymbol 0 p 8\ninput k 1 2 2 $0\noutput o 1 2 2 ?9\n"
       "cache 1 0 1 16\nshapes 3\n",
       "cache input 1 or output 0 does not exist"},
      {"edge-model 1\nsymbol 0 p 8\ninput k 1 2 2 $0\noutput o 7 2 2 ?9\n"
       "cache 0 0 1 16\nshapes 3\n",
       "cache input 'k' and output 'o' differ in type or rank"},
      {"edge-model 1\nsymbol 0 p 8\ninput k 1 2 2 $0\noutput o 1 2 2 ?9\n"
       "cache 0 0 0 16\nshapes 3\n",
       "cache input 'k' needs a symbol at axis 0 within the capacity 16"},
      {"edge-model 1\nsymbol 0 p 8\ninput k 1 2 2 $0\noutput o 1 2 2 ?9\n"
       "cache 0 0 1 4\nshapes 3\n",
       "needs a symbol at axis 1 within the capacity 4"},
      {"edge-model 1\nsymbol 0 p 8\ninput k 1 2 2 $0\noutput o 1 2 2 ?9\n"
       "output q 1 2 2 ?9\ncache 0 0 1 16\ncache 0 1 1 16\nshapes 5\n",
       "input 0 or output 1 is in two caches"},
      {"edge-model 1\nsymbol 0 p 8\ninput k 1 2 2 $0\noutput o 1 2 2 ?9\n"
       "shapes 3\ncache 0 0 1 16\n",
       "a cache line comes after the output lines and before the shapes line"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes x\n",
       "the number of shape entries is not a non-negative decimal"},
      // Every symbol sizes an input: the runtime takes its size from there.
      {"edge-model 1\nsymbol 0 n 8\nsymbol 1 m 4\ninput x 1 1 $0\n"
       "output y 1 1 $1\nshapes 3\n",
       "symbol 1 ('m') sizes no input dimension"},
      // Bound inputs are static: the run compares all their bytes.
      {"edge-model 1\nsymbol 0 n 2\ninput x 1 1 $0\ninput k 1 1 1\n"
       "output y 1 1 $0\nshapes 2\nbound 0 0000000000000000\n",
       "bound input 0 ('x') has a dynamic size at dimension 0; only static "
       "inputs are bound"},
      // A buffer of dynamic sizes: its sizes within the sizes buffer.
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes 3\ndevice c cpu\nbuffer 0 32 4 2 2\n",
       "buffer b0's sizes lie outside the sizes buffer (3 entries)"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes 3\ndevice c cpu\nbuffer 0 32 0 2 1\n",
       "buffer b0's sizes lie outside the sizes buffer"},
      {"edge-model 1\nsymbol 0 n 8\ninput x 1 1 $0\noutput y 1 1 $0\n"
       "shapes 3\ndevice c cpu\nbuffer 0 32 4 2\n",
       "expected a space before the rank"},
  };
  for (const auto &[text, expected] : cases) {
    Parsed p(text);
    EXPECT_EQ(p.status, -1) << text;
    EXPECT_NE(std::string(p.error).find(expected), std::string::npos)
        << text << " gave: " << p.error;
  }
}

TEST(Metadata, RejectsMalformedText) {
  const MalformedCase cases[] = {
      {"", "expected the header"},
      {"edge-model", "expected a space before the format version"},
      {"edge-model 2\noutput y 1 0\n", "format version 2 is not supported"},
      {"edge-model 1 extra\noutput y 1 0\n", "unexpected text"},
      {"edge-model  1\noutput y 1 0\n", "expected the format version"},
      {"edge-model 99999999999\noutput y 1 0\n", "too large"},
      {"EDGE-MODEL 1\noutput y 1 0\n", "expected the header"},
      {"edge-model 1\n", "the model has no output"},
      {"edge-model 1\ninput x 1 0\n", "the model has no output"},
      {"edge-model 1\n\noutput y 1 0\n", "'input', 'output', 'bound'"},
      {"edge-model 1\noutput y 1 0\n\n", "'input', 'output', 'bound'"},
      {"edge-model 1\r\noutput y 1 0\n", "not a non-negative decimal"},
      {"edge-model 1\noutput y 1 0\r\n", "not a non-negative decimal"},
      {"edge-model 1\nweight w 1 0\n", "'input', 'output', 'bound'"},
      {"edge-model 1\noutput y 1 0\ninput x 1 0\n", "input line after"},
      {"edge-model 1\noutput", "expected a space before the tensor name"},
      {"edge-model 1\noutput  1 0\n", "expected a tensor name"},
      {"edge-model 1\noutput y\n", "expected a space before the dtype"},
      {"edge-model 1\noutput y 8 0\n", "unsupported dtype code 8"},
      {"edge-model 1\noutput y 0 0\n", "unsupported dtype code 0"},
      {"edge-model 1\noutput y 14 0\n", "unsupported dtype code 14"},
      {"edge-model 1\noutput y 99999999999 0\n", "too large"},
      {"edge-model 1\noutput y +1 0\n", "not a non-negative decimal"},
      {"edge-model 1\noutput y -1 0\n", "not a non-negative decimal"},
      {"edge-model 1\noutput y 1\n", "expected a space before the rank"},
      {"edge-model 1\noutput y 1 65\n", "the rank is too large"},
      {"edge-model 1\noutput y 1 2 3\n", "expected a space before a dimension"},
      {"edge-model 1\noutput y 1 1 3 4\n", "unexpected text"},
      {"edge-model 1\noutput y 1 1 3 \n", "unexpected text"},
      {"edge-model 1\noutput y 1 1 -3\n", "not a non-negative decimal"},
      {"edge-model 1\noutput y 1 1 3x\n", "not a non-negative decimal"},
      {"edge-model 1\noutput y 1 1 0x10\n", "not a non-negative decimal"},
      {"edge-model 1\noutput y 1 1 9223372036854775808\n", "too large"},
      {"edge-model 1\noutput y 1 1 99999999999999999999999\n", "too large"},
      {"edge-model 1\noutput y 1 2 4294967296 4294967296\n", "overflows"},
      {"edge-model 1\noutput y 11 1 2305843009213693952\n", "overflows"},
      {"edge-model 1\noutput y\t1 0\n", "unescaped byte 0x09"},
      {"edge-model 1\noutput y\x7f 1 0\n", "unescaped byte 0x7F"},
      {"edge-model 1\noutput \xc3\xa9 1 0\n", "unescaped byte 0xC3"},
      {"edge-model 1\noutput % 1 0\n", "two hex digits"},
      {"edge-model 1\noutput a%4 1 0\n", "two hex digits"},
      {"edge-model 1\noutput a%G0 1 0\n", "two hex digits"},
      {"edge-model 1\noutput a%0 1 0\n", "two hex digits"},
      {"edge-model 1\noutput a%00b 1 0\n", "NUL byte"},
      {"edge-model 1\ninput x 1 0\ninput x 1 0\noutput y 1 0\n", "twice"},
      {"edge-model 1\noutput y 1 0\noutput y 1 0\n", "twice"},
      {"edge-model 1\ninput a%20 1 0\ninput a%20 1 0\noutput y 1 0\n", "twice"},
      {"edge-model 1\ninput x 3 0\nbound 0 00\noutput y 1 0\n",
       "bound line before the output lines"},
      {"edge-model 1\ninput x 3 0\noutput y 1 0\nbound 1 00\n",
       "bound input 1 does not exist"},
      {"edge-model 1\ninput x 3 0\noutput y 1 0\nbound 0 0000\n",
       "needs 1 bytes"},
      {"edge-model 1\ninput x 3 0\noutput y 1 0\nbound 0 0\n", "needs 1 bytes"},
      {"edge-model 1\ninput x 3 0\noutput y 1 0\nbound 0 0g\n", "hex digits"},
      {"edge-model 1\ninput x 3 0\noutput y 1 0\nbound 0\n",
       "expected a space before the bound bytes"},
      {"edge-model 1\ninput x 3 0\noutput y 1 0\nbound 0 00\noutput z 1 0\n",
       "tensor line after a bound line"},
      // Schedules of partitioned models.
      {"edge-model 1\ndevice c cpu\noutput y 1 0\n",
       "schedule line before the output lines"},
      {"edge-model 1\noutput y 1 0\nbuffer 0 4\n",
       "schedule line before the device lines"},
      {"edge-model 1\noutput y 1 0\ndevice c tpu\n", "cpu, nvidia or amd"},
      {"edge-model 1\nestimate 0 5\noutput y 1 0\n",
       "estimate line before the output lines"},
      {"edge-model 1\noutput y 1 0\nestimate 0 5\ndevice c cpu\n",
       "schedule line after an estimate line"},
      {"edge-model 1\ninput x 1 0\noutput y 1 0\ndevice c cpu\n"
       "copy i0 o0\ncopy-estimate 0 5\ncopy i0 o0\n",
       "schedule line after an estimate line"},
      {"edge-model 1\ninput x 1 0\noutput y 1 0\ndevice c cpu\n"
       "run 0 0 1 1 i0 o0\ncopy-estimate 0 5\n",
       "copy-estimate names step 0, which is not a copy"},
      {"edge-model 1\ninput x 1 0\noutput y 1 0\ndevice c cpu\n"
       "copy i0 o0\ncopy-estimate 1 5\n",
       "copy-estimate names step 1, which is not a copy"},
      {"edge-model 1\noutput y 1 0\nestimate 1048576 5\n",
       "the partition is too large"},
      {"edge-model 1\noutput y 1 0\nestimate 0 -5\n",
       "the estimate is not a non-negative decimal number"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu x86-64-v3\n",
       "a CPU device has no GPU target"},
      {"edge-model 1\noutput y 1 0\ndevice g nvidia amd:gfx942\n",
       "a device's target must be its kind, ':' and a chip"},
      {"edge-model 1\noutput y 1 0\ndevice g amd amd:\n",
       "a device's target must be its kind, ':' and a chip"},
      {"edge-model 1\noutput y 1 0\ndevice g nvidia nvidia:sm_90 x\n",
       "expected '@' and the device's node"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu @\n",
       "expected the device's node after '@'"},
      {"edge-model 1\noutput y 1 0\ndevice a cpu\ndevice b cpu @n\n",
       "a device names its node, but the first device does not"},
      {"edge-model 1\noutput y 1 0\ndevice a cpu @n\ndevice b cpu\n",
       "the first device names its node, this one does not"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\ndevice c amd\n",
       "device name used twice"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\noutput z 1 0\n",
       "tensor or bound line after a schedule or estimate line"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nbuffer 1 4\n",
       "device 1 does not exist"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nbuffer 0 4\ndevice d cpu\n",
       "device line after a buffer or step line"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nrun 0 0 0 1 o0\nbuffer 0 4\n",
       "buffer line after a step line"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nrun 0 0 0 1 b0\n",
       "buffer b0 does not exist"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nrun 0 0 0 1 x0\n",
       "i<N>, o<N> or b<N>"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nrun 0 0 0 2 o0\n",
       "expected a space before a buffer reference"},
      {"edge-model 1\ninput x 1 0\noutput y 1 0\ndevice c cpu\nrun 0 0 0 1 "
       "i0\n",
       "a step writes graph input 0"},
      {"edge-model 1\ninput x 1 0\noutput y 1 0\ndevice c cpu\ncopy o0 i0\n",
       "a step writes graph input 0"},
      {"edge-model 1\ninput x 1 1 2\noutput y 1 0\ndevice c cpu\ncopy i0 o0\n",
       "different sizes"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nrun 0 0 70000 0\n",
       "the input count is too large"},
      {"edge-model 1\noutput y 1 0\ndevice c cpu\nrun 2147483648 0 0 1 o0\n",
       "the partition is too large"},
  };
  for (const MalformedCase &c : cases) {
    Parsed p(c.text);
    EXPECT_NE(p.status, 0) << "accepted: " << c.text;
    EXPECT_EQ(std::strncmp(p.error, "metadata line ", 14), 0) << p.error;
    EXPECT_NE(std::strstr(p.error, c.message), nullptr)
        << "text: " << c.text << "\nerror: " << p.error
        << "\nexpected: " << c.message;
    EXPECT_EQ(p.metadata.tensors, nullptr);
    EXPECT_EQ(p.metadata.num_inputs + p.metadata.num_outputs, 0u);
  }
}

TEST(Metadata, ParsesASchedule) {
  Parsed p("edge-model 1\n"
           "input x 1 1 4\n"
           "output y 1 1 4\n"
           "device cpu0 cpu\n"
           "device gpu%200 nvidia\n"
           "device mi amd amd:gfx942\n"
           "buffer 1 16\n"
           "buffer 1 16\n"
           "copy i0 b0\n"
           "run 3 1 1 1 b0 b1\n"
           "copy b1 o0\n"
           "copy-estimate 2 700\n"
           "estimate 3 1500\n");
  ASSERT_EQ(p.status, 0) << p.error;
  const edge_rt_metadata &m = p.metadata;
  ASSERT_EQ(m.num_devices, 3u);
  EXPECT_STREQ(m.devices[1].name, "gpu 0");
  EXPECT_EQ(m.devices[0].kind, EDGE_RT_DEVICE_CPU);
  EXPECT_EQ(m.devices[1].kind, EDGE_RT_DEVICE_NVIDIA);
  EXPECT_EQ(m.devices[2].kind, EDGE_RT_DEVICE_AMD);
  // Only the AMD device has GPU code in this library.
  EXPECT_EQ(m.devices[1].target, nullptr);
  EXPECT_STREQ(m.devices[2].target, "amd:gfx942");
  ASSERT_EQ(m.num_buffers, 2u);
  EXPECT_EQ(m.buffers[1].device, 1u);
  EXPECT_EQ(m.buffers[1].num_bytes, 16u);
  ASSERT_EQ(m.num_steps, 3u);
  EXPECT_TRUE(m.steps[0].is_copy);
  EXPECT_EQ(m.steps[0].refs[0].kind, 'i');
  EXPECT_EQ(m.steps[0].refs[1].kind, 'b');
  const edge_rt_step &run = m.steps[1];
  EXPECT_FALSE(run.is_copy);
  EXPECT_EQ(run.partition, 3u);
  EXPECT_EQ(run.device, 1u);
  EXPECT_EQ(run.num_inputs, 1u);
  EXPECT_EQ(run.num_outputs, 1u);
  EXPECT_EQ(run.refs[1].index, 1u);
  EXPECT_EQ(edge_rt_ref_bytes(&m, m.steps[2].refs[1]), 16u);
  // Partition 3's estimate; the others have none.
  ASSERT_EQ(m.num_estimates, 4u);
  EXPECT_EQ(m.estimates_ns[3], 1500u);
  EXPECT_EQ(m.estimates_ns[0], 0u);
  // The last copy's estimate; the first has none.
  EXPECT_EQ(m.steps[2].estimate_ns, 700u);
  EXPECT_EQ(m.steps[0].estimate_ns, 0u);
}

// A schedule on two machines: each device line ends with its node, after
// the GPU target where there is one.
TEST(Metadata, ParsesTheDevicesNodes) {
  Parsed p("edge-model 1\n"
           "output y 1 1 4\n"
           "device cpu0 cpu @camera\n"
           "device gpu0 nvidia nvidia:sm_87 @hub\n"
           "device cpu1 cpu @hub\n"
           "buffer 1 16\n"
           "run 0 1 0 1 b0\n"
           "copy b0 o0\n");
  ASSERT_EQ(p.status, 0) << p.error;
  const edge_rt_metadata &m = p.metadata;
  ASSERT_EQ(m.num_devices, 3u);
  EXPECT_STREQ(m.devices[0].node, "camera");
  EXPECT_STREQ(m.devices[1].target, "nvidia:sm_87");
  EXPECT_STREQ(m.devices[1].node, "hub");
  EXPECT_STREQ(m.devices[2].node, "hub");
  // Nodes are numbered in order of first appearance: node r is rank r.
  const char *names[3] = {};
  size_t deviceNodes[3] = {};
  ASSERT_EQ(edge_rt_number_nodes(&m, names, deviceNodes), 2u);
  EXPECT_STREQ(names[0], "camera");
  EXPECT_STREQ(names[1], "hub");
  EXPECT_EQ(deviceNodes[0], 0u);
  EXPECT_EQ(deviceNodes[1], 1u);
  EXPECT_EQ(deviceNodes[2], 1u);
}

// A partitioned model with dynamic sizes: its sizes buffer also holds an
// intermediate's sizes, from which a copy takes the bytes of its run.
TEST(Metadata, ParsesADynamicSchedule) {
  Parsed p("edge-model 1\n"
           "symbol 0 n 8\n"
           "input x 1 2 $0 4\n"
           "output y 1 2 $0 4\n"
           "shapes 5\n"
           "device cpu0 cpu\n"
           "device cpu1 cpu\n"
           "buffer 1 128\n"
           "buffer 1 128 4 3 2\n"
           "copy i0 b0\n"
           "run 0 1 1 1 b0 b1\n"
           "copy b1 o0\n");
  ASSERT_EQ(p.status, 0) << p.error;
  const edge_rt_metadata &m = p.metadata;
  EXPECT_EQ(m.num_shape_entries, 5u);
  ASSERT_EQ(m.num_buffers, 2u);
  EXPECT_EQ(m.buffers[0].rank, 0u);
  EXPECT_EQ(m.buffers[1].element_bytes, 4u);
  EXPECT_EQ(m.buffers[1].shape_offset, 3u);
  EXPECT_EQ(m.buffers[1].rank, 2u);
  // n = 3; the output's sizes (entries 1-2) and b1's (3-4) as a run wrote
  // them.
  const int64_t sizes[] = {3, 3, 4, 3, 4};
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[0].refs[0], sizes), 48u);
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[0].refs[1], sizes), 128u);
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[2].refs[0], sizes), 48u);
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[2].refs[1], sizes), 48u);
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[2].refs[0], nullptr), 128u);
  // A size the run did not write moves nothing; one beyond the bound
  // moves no more than the buffer holds.
  const int64_t unwritten[] = {3, -1, -1, -1, 4};
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[2].refs[0], unwritten), 0u);
  const int64_t huge[] = {3, 3, 4, 1000, 4};
  EXPECT_EQ(edge_rt_ref_run_bytes(&m, m.steps[2].refs[0], huge), 128u);
  EXPECT_EQ(edge_rt_step_num_pointers(&m, &m.steps[1]), 3u);
}

TEST(Metadata, RejectsNullArguments) {
  edge_rt_metadata metadata;
  char error[128];
  EXPECT_NE(edge_rt_parse_metadata(nullptr, &metadata, error, sizeof(error)),
            0);
  EXPECT_STRNE(error, "");
  EXPECT_NE(edge_rt_parse_metadata("edge-model 1\noutput y 1 0", nullptr, error,
                                   sizeof(error)),
            0);
  // Without an error buffer the parser still fails cleanly.
  EXPECT_NE(edge_rt_parse_metadata("garbage", &metadata, nullptr, 0), 0);
  edge_rt_free_metadata(nullptr);
}

TEST(Metadata, ErrorNeverOverflowsItsBuffer) {
  for (size_t size = 1; size < 40; ++size) {
    std::vector<char> buffer(size + 8, '#');
    edge_rt_metadata metadata;
    EXPECT_NE(edge_rt_parse_metadata("edge-model 1\noutput y 99 0\n", &metadata,
                                     buffer.data(), size),
              0);
    EXPECT_LT(std::strlen(buffer.data()), size);
    for (size_t i = size; i < buffer.size(); ++i)
      EXPECT_EQ(buffer[i], '#') << "wrote past " << size << " bytes";
  }
}

// Every truncation and many single-byte corruptions of a valid text either
// parse or fail with a message; none may crash or leak (run under ASan to
// see the latter).
TEST(Metadata, SurvivesCorruptedText) {
  const std::string valid = "edge-model 1\n"
                            "input a%20b 1 2 2 3\n"
                            "input s 7 0\n"
                            "output y 10 3 1 2 3\n";
  const char replacements[] = {'\0', ' ', '\n', '%',    '0',    '9',
                               'x',  '-', '\t', '\x7f', '\xff', 'A'};
  auto check = [](const std::string &text) {
    Parsed p(text);
    if (p.status != 0) {
      EXPECT_NE(std::strlen(p.error), 0u) << text;
      return;
    }
    size_t count = p.metadata.num_inputs + p.metadata.num_outputs;
    for (size_t i = 0; i < count; ++i) {
      const edge_tensor_info &info = p.metadata.tensors[i];
      EXPECT_NE(info.name[0], '\0');
      EXPECT_LE(info.rank, EDGE_METADATA_MAX_RANK);
    }
  };
  const std::string partitioned = valid +
                                  "device c0 cpu\n"
                                  "device g nvidia\n"
                                  "buffer 1 24\n"
                                  "copy i0 b0\n"
                                  "run 0 1 2 1 b0 i1 b0\n";
  const std::string dynamic = "edge-model 1\n"
                              "symbol 0 b%20n 8\n"
                              "symbol 1 s 16\n"
                              "input x 1 3 $0 $1 4\n"
                              "output y 1 2 $0 ?64\n"
                              "shapes 4\n"
                              "estimate 0 10\n";
  for (const std::string &text : {valid, partitioned, dynamic}) {
    for (size_t size = 0; size <= text.size(); ++size)
      check(text.substr(0, size));
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : replacements) {
        std::string corrupted = text;
        corrupted[i] = c;
        // std::string keeps embedded NULs; the parser sees the prefix.
        check(corrupted.c_str());
      }
    }
  }
}

} // namespace

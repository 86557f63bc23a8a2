//===- Npy.cpp - NumPy .npy files for edge-run ----------------------------===//
//
// The .npy format: a magic string, a version, a header length, then a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces, then the raw data. Only what numpy.save writes for
// numeric arrays in C order on a little-endian machine is accepted.
//
//===----------------------------------------------------------------------===//

#include "Tensor.h"

#include "edge-c/Model.h"

#include <cstring>
#include <limits>
#include <utility>

using namespace edge;
using namespace edge::run;

static const char npyMagic[] = "\x93NUMPY";
static const size_t npyMagicSize = 6;

bool run::isNpy(const std::string &contents) {
  return contents.size() >= npyMagicSize &&
         contents.compare(0, npyMagicSize, npyMagic, npyMagicSize) == 0;
}

/// Maps a little-endian numpy type string ('<f4', '|u1', ...) to an ONNX
/// dtype code; 0 when edge has no such type.
static int32_t dtypeFromDescr(const std::string &descr) {
  if (descr.size() < 3)
    return 0;
  char order = descr[0];
  std::string type = descr.substr(1);
  bool singleByte = type == "i1" || type == "u1" || type == "b1";
  // Byte order does not apply to single bytes; otherwise only little-endian.
  if (order != '<' && order != '=' && order != '|' &&
      !(order == '>' && singleByte))
    return 0;
  static const struct {
    const char *type;
    int32_t dtype;
  } types[] = {
      {"f2", EDGE_DTYPE_FLOAT16}, {"f4", EDGE_DTYPE_FLOAT32},
      {"f8", EDGE_DTYPE_FLOAT64}, {"i1", EDGE_DTYPE_INT8},
      {"i2", EDGE_DTYPE_INT16},   {"i4", EDGE_DTYPE_INT32},
      {"i8", EDGE_DTYPE_INT64},   {"u1", EDGE_DTYPE_UINT8},
      {"u2", EDGE_DTYPE_UINT16},  {"u4", EDGE_DTYPE_UINT32},
      {"u8", EDGE_DTYPE_UINT64},  {"b1", EDGE_DTYPE_BOOL},
  };
  for (const auto &entry : types)
    if (type == entry.type)
      return entry.dtype;
  return 0;
}

namespace {
/// Parses the header dict. Each method returns false on malformed text.
class HeaderParser {
public:
  explicit HeaderParser(std::string text) : text(std::move(text)) {}

  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape) {
    bool hasDescr = false, hasOrder = false, hasShape = false;
    skipSpaces();
    if (!consume('{'))
      return false;
    while (true) {
      skipSpaces();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return false;
      skipSpaces();
      if (!consume(':'))
        return false;
      skipSpaces();
      if (key == "descr") {
        hasDescr = parseString(descr);
        if (!hasDescr)
          return false;
      } else if (key == "fortran_order") {
        hasOrder = parseBool(fortranOrder);
        if (!hasOrder)
          return false;
      } else if (key == "shape") {
        hasShape = parseShape(shape);
        if (!hasShape)
          return false;
      } else {
        return false;
      }
      skipSpaces();
      if (consume(','))
        continue;
      if (!consume('}'))
        return false;
      break;
    }
    skipSpaces();
    return pos == text.size() && hasDescr && hasOrder && hasShape;
  }

private:
  void skipSpaces() {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t'))
      ++pos;
  }

  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  bool consumeWord(const char *word) {
    size_t size = std::strlen(word);
    if (text.compare(pos, size, word) != 0)
      return false;
    pos += size;
    return true;
  }

  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }

  bool parseBool(bool &out) {
    if (consumeWord("True"))
      return out = true, true;
    if (consumeWord("False"))
      return out = false, true;
    return false;
  }

  bool parseInt(int64_t &out) {
    size_t start = pos;
    uint64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
      if (value > (static_cast<uint64_t>(INT64_MAX) - digit) / 10)
        return false;
      value = value * 10 + digit;
      ++pos;
    }
    if (pos == start)
      return false;
    consume('L'); // Python 2 wrote long integers with a suffix.
    out = static_cast<int64_t>(value);
    return true;
  }

  bool parseShape(std::vector<int64_t> &shape) {
    shape.clear();
    if (!consume('('))
      return false;
    while (true) {
      skipSpaces();
      if (consume(')'))
        return true;
      int64_t dim;
      if (!parseInt(dim))
        return false;
      shape.push_back(dim);
      skipSpaces();
      if (consume(','))
        continue;
      return consume(')');
    }
  }

  std::string text;
  size_t pos = 0;
};
} // namespace

static uint32_t readLittleEndian(const std::string &bytes, size_t offset,
                                 size_t size) {
  uint32_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i]))
             << (8 * i);
  return value;
}

bool run::parseNpy(const std::string &path, const std::string &contents,
                   HostTensor &tensor, std::string &error) {
  auto fail = [&](const std::string &message) {
    error = "'" + path + "': " + message;
    return false;
  };
  if (!isNpy(contents) || contents.size() < 10)
    return fail("not a .npy file");
  unsigned major = static_cast<uint8_t>(contents[6]);
  if (major < 1 || major > 3)
    return fail(".npy format version " + std::to_string(major) +
                " is not supported");
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = 8 + lengthSize;
  if (contents.size() < headerStart)
    return fail("truncated .npy header");
  size_t headerSize = readLittleEndian(contents, 8, lengthSize);
  if (headerSize > contents.size() - headerStart)
    return fail("truncated .npy header");

  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  HeaderParser parser(contents.substr(headerStart, headerSize));
  if (!parser.parse(descr, fortranOrder, shape))
    return fail("malformed .npy header");
  int32_t dtype = dtypeFromDescr(descr);
  if (dtype == 0)
    return fail("unsupported numpy dtype '" + descr +
                "' (expected a little-endian bool, integer or float type)");
  if (fortranOrder && shape.size() > 1)
    return fail("Fortran-ordered arrays are not supported; save "
                "numpy.ascontiguousarray(array) instead");

  size_t numBytes = 0;
  std::string sizeError;
  if (!computeNumBytes(dtype, shape, numBytes, sizeError))
    return fail(sizeError);
  size_t dataSize = contents.size() - headerStart - headerSize;
  if (dataSize != numBytes)
    return fail("the array data has " + std::to_string(dataSize) +
                " bytes, but its shape and dtype need " +
                std::to_string(numBytes));
  tensor.name.clear();
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.data = AlignedBuffer(numBytes);
  if (numBytes)
    std::memcpy(tensor.data.data(), contents.data() + headerStart + headerSize,
                numBytes);
  return true;
}

// The one place the qnn library reads a whole file.
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "internal.h"

namespace qnn {
namespace detail {

std::vector<uint8_t> read_bytes(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open " + what);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": cannot read " + what);
  return bytes;
}

}  // namespace detail
}  // namespace qnn

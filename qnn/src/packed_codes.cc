#include "packed_codes.h"

namespace qnn {
namespace detail {

PackedCodes::PackedCodes(const lowbit::GemmPath& path, const uint8_t* codes, int rows, int depth,
                         int32_t zero_point, int levels)
    : path_(&path),
      packed_(path.packed_weights_bytes(rows, depth)),
      rows_(rows),
      depth_(depth),
      levels_(levels),
      zero_point_(zero_point) {
  path.pack_weights(lowbit::QuantizedMatrix{codes, rows, depth, depth, zero_point, levels}, packed_.data);
}

void PackedCodes::multiply(const uint8_t* x, int n, int x_levels, int32_t* r, lowbit::Scratch& scratch) const {
  path_->gemm_packed(lowbit::PackedWeights{packed_.data, rows_, depth_, zero_point_, levels_},
                     lowbit::QuantizedMatrix{x, depth_, n, n, 0, x_levels}, lowbit::ResultMatrix{r, rows_, n, n},
                     scratch);
}

}  // namespace detail
}  // namespace qnn

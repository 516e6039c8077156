// The weight codes of one quantized layer, packed once at load for a lowbit GEMM path, and the
// product R = (W - z_w) X with a matrix of activation codes (zero point 0: ReLU outputs and images).
#pragma once

#include <cstdint>

#include "aligned_bytes.h"
#include "lowbit/gemm.h"

namespace qnn {
namespace detail {

class PackedCodes {
 public:
  PackedCodes() = default;
  // codes: rows x depth, row-major; `levels` is N_w for a level (4.6-bit) path, else 0 (unstated).
  PackedCodes(const lowbit::GemmPath& path, const uint8_t* codes, int rows, int depth, int32_t zero_point,
              int levels);
  // r (rows x n, row-major) = (W - z_w) X for x (depth x n, row-major) of codes with `x_levels` (N_x, or
  // 0 as above).
  void multiply(const uint8_t* x, int n, int x_levels, int32_t* r, lowbit::Scratch& scratch) const;
  int32_t zero_point() const { return zero_point_; }

 private:
  const lowbit::GemmPath* path_ = nullptr;
  AlignedBytes packed_;
  int rows_ = 0, depth_ = 0, levels_ = 0;
  int32_t zero_point_ = 0;
};

}  // namespace detail
}  // namespace qnn

// 2x2 max pooling with stride 2 (LeNet-5). On codes it is exact for the quantized variants: the
// requantization is monotone, so pooling the codes equals quantizing the pooled sums.
#pragma once

#include <algorithm>
#include <cstddef>

namespace qnn {
namespace detail {

// dst (rows/2 x cols/2, contiguous) = the maxima of the 2x2 blocks of src (rows x cols, row stride
// `stride` >= cols); rows and cols are even.
template <typename T>
void max_pool_2x2(const T* src, int rows, int cols, int stride, T* dst) {
  const int half = cols / 2;
  for (int y = 0; y < rows / 2; ++y) {
    const T* __restrict a = src + static_cast<size_t>(2 * y) * stride;
    const T* __restrict b = a + stride;
    T* __restrict out = dst + static_cast<size_t>(y) * half;
    for (int x = 0; x < half; ++x)
      out[x] = std::max(std::max(a[2 * x], a[2 * x + 1]), std::max(b[2 * x], b[2 * x + 1]));
  }
}

}  // namespace detail
}  // namespace qnn

#include "lowbit/gemm.h"

namespace lowbit {

void reference_gemm(const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r) {
  const int depth = w.cols;
  for (int i = 0; i < r.rows; ++i) {
    for (int j = 0; j < r.cols; ++j) {
      // Unsigned arithmetic: wraps modulo 2^32 where int32 would overflow (undefined behaviour).
      uint32_t sum = 0;
      for (int k = 0; k < depth; ++k) {
        const int32_t wv = static_cast<int32_t>(w.data[i * w.stride + k]) - w.zero_point;
        const int32_t xv = static_cast<int32_t>(x.data[k * x.stride + j]) - x.zero_point;
        sum += static_cast<uint32_t>(wv * xv);
      }
      r.data[i * r.stride + j] = static_cast<int32_t>(sum);
    }
  }
}

}  // namespace lowbit

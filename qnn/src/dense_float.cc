#include "dense_float.h"

#include <cstddef>

namespace qnn {
namespace detail {

void dense_fixed_order(const float* x, int in, const std::vector<float>& wt, const std::vector<float>& b,
                       float* out) {
  const int n = static_cast<int>(b.size());
  for (int j = 0; j < n; ++j) out[j] = b[j];
  for (int k = 0; k < in; ++k) {
    const float xk = x[k];
    const float* w = wt.data() + static_cast<size_t>(k) * n;
    for (int j = 0; j < n; ++j) {
      const float product = w[j] * xk;
      out[j] = out[j] + product;
    }
  }
}

std::vector<float> transpose(const std::vector<float>& w, int rows, int cols) {
  std::vector<float> t(w.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) t[static_cast<size_t>(c) * rows + r] = w[static_cast<size_t>(r) * cols + c];
  return t;
}

int argmax(const float* v, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

}  // namespace detail
}  // namespace qnn

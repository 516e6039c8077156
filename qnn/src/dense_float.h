// The last layer of the quantized variants (and of the float ones): a float32 dense layer summed in a
// fixed order, so that its logits equal the Python integer references' bit for bit.
#pragma once

#include <vector>

namespace qnn {
namespace detail {

// out[j] = (((b_j + w_j0 x_0) + w_j1 x_1) + ...), float32, k ascending, no fused multiply-add
// (dense_float.cc is compiled with -ffp-contract=off). wt is the weight matrix transposed (in x out),
// so the inner loop runs over contiguous j; out has b.size() values.
void dense_fixed_order(const float* x, int in, const std::vector<float>& wt, const std::vector<float>& b,
                       float* out);

// The transpose of a row-major rows x cols matrix.
std::vector<float> transpose(const std::vector<float>& w, int rows, int cols);

// The index of the first largest of n values.
int argmax(const float* v, int n);

}  // namespace detail
}  // namespace qnn

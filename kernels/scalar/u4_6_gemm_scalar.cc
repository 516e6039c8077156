// Portable C++ path of the 4.6-bit scheme (lowbit/levels.h): the plainest statement of what the SIMD
// paths vectorize, with the same pack / micro-kernel / unpack structure.
//
//   pack:    weights as centred signed bytes w - z_w (z_w = (N_w-1)/2), activations as x - c_x with
//            c_x = (N_x-1)/2; both fit in [-127, 127]. Panels as in gemm_scalar.cc (kMR rows,
//            kNR columns, depth outermost).
//   kernel:  each product is an exact signed byte (|p| <= 127); products are summed in 16-bit lanes,
//            flushed into 32-bit totals every kFlushDepth steps: no depth limit.
//   unpack:  sum_k (x - z_x)(w - z_w) = sum_k (x - c_x)(w - z_w) - (z_x - c_x) sum_k (w - z_w),
//            a per-row correction only (weights are symmetric, so no column sums).
#include <algorithm>
#include <cstring>

#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace lowbit {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 8;
constexpr int kFlushDepth = 32767 / kMaxCentredProduct;  // 258 products per int16 lane

int round_up(int n, int m) { return (n + m - 1) / m * m; }

std::size_t packed_weights_bytes(int height, int depth) {
  const int rows = round_up(height, kMR);
  return rows * sizeof(int32_t) + static_cast<std::size_t>(rows) * depth;
}

// [int32 sum_k (w - z_w) per row][panels of kMR rows: depth outermost, signed bytes w - z_w]
void pack_weights(const QuantizedMatrix& w, void* packed) {
  check_symmetric_weights(w.levels, w.zero_point);
  const int rows = round_up(w.rows, kMR);
  int32_t* row_sums = static_cast<int32_t*>(packed);
  int8_t* panels = reinterpret_cast<int8_t*>(row_sums + rows);
  std::memset(panels, 0, static_cast<std::size_t>(rows) * w.cols);
  for (int i = 0; i < rows; ++i) {
    int32_t sum = 0;
    for (int k = 0; i < w.rows && k < w.cols; ++k) {
      const int v = w.data[i * w.stride + k] - w.zero_point;
      panels[(i / kMR) * kMR * w.cols + k * kMR + i % kMR] = static_cast<int8_t>(v);
      sum += v;
    }
    row_sums[i] = sum;
  }
}

// One kMR x kNR tile of sum_k (x - c_x)(w - z_w) over the whole depth.
void micro_kernel(const int8_t* w_panel, const int8_t* x_panel, int depth, uint32_t acc[kMR][kNR]) {
  for (int m = 0; m < kMR; ++m)
    for (int n = 0; n < kNR; ++n) acc[m][n] = 0;
  for (int k0 = 0; k0 < depth; k0 += kFlushDepth) {
    int16_t acc16[kMR][kNR] = {};
    for (int k = k0; k < std::min(k0 + kFlushDepth, depth); ++k)
      for (int m = 0; m < kMR; ++m)
        for (int n = 0; n < kNR; ++n) {
          const int8_t product = static_cast<int8_t>(w_panel[k * kMR + m] * x_panel[k * kNR + n]);
          acc16[m][n] = static_cast<int16_t>(acc16[m][n] + product);
        }
    for (int m = 0; m < kMR; ++m)
      for (int n = 0; n < kNR; ++n) acc[m][n] += static_cast<uint32_t>(static_cast<int32_t>(acc16[m][n]));
  }
}

void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r, Scratch& scratch) {
  check_level_pair({x.levels, w.levels});
  const int height = w.height, depth = w.depth, width = x.cols;
  const int32_t* row_sums = static_cast<const int32_t*>(w.data);
  const int8_t* w_panels = reinterpret_cast<const int8_t*>(row_sums + round_up(height, kMR));
  int8_t* x_panel = static_cast<int8_t*>(scratch.get(Scratch::kActivationsSlot, std::size_t{kNR} * depth));
  const int cx = centre_code(x.levels);
  // R = acc - (z_x - c_x) sum_k (w - z_w), in uint32 so that it wraps like the reference.
  const uint32_t row_factor = static_cast<uint32_t>(x.zero_point - cx);
  for (int j0 = 0; j0 < width; j0 += kNR) {
    const int cols = std::min(kNR, width - j0);
    std::memset(x_panel, 0, std::size_t{kNR} * depth);
    for (int k = 0; k < depth; ++k)
      for (int n = 0; n < cols; ++n) x_panel[k * kNR + n] = static_cast<int8_t>(x.data[k * x.stride + j0 + n] - cx);
    for (int i0 = 0; i0 < height; i0 += kMR) {
      uint32_t acc[kMR][kNR];
      micro_kernel(w_panels + static_cast<std::size_t>(i0) * depth, x_panel, depth, acc);
      for (int m = 0; m < std::min(kMR, height - i0); ++m) {
        const uint32_t row_term = row_factor * static_cast<uint32_t>(row_sums[i0 + m]);
        for (int n = 0; n < cols; ++n) r.data[(i0 + m) * r.stride + j0 + n] = static_cast<int32_t>(acc[m][n] - row_term);
      }
    }
  }
}

}  // namespace

extern const GemmPath u4_6_gemm_4x8__scalar = {"u4_6_gemm_4x8__scalar", Scheme::kUint4_6, Isa::kScalar,
                                               packed_weights_bytes, pack_weights, gemm_packed};

}  // namespace lowbit

// Portable C++ paths for 8-bit and 4-bit operands, with the same pack / micro-kernel / unpack
// structure as the SIMD paths: the plainest statement of the algorithm the SIMD paths vectorize.
//
// Packed weights: int32 row sums (height rounded up to kMR), then panels of kMR rows; within a panel
// the depth runs outermost and the kMR rows innermost. Packed activations: panels of kNR columns,
// depth outermost, columns innermost. 4-bit operands store two consecutive depth steps per byte
// (low nibble = even step), so a panel takes half the bytes of the 8-bit one.
//
// 4-bit: each product is at most 225, so a micro-kernel may sum them in 16-bit lanes, flushing into
// 32-bit totals every kFlushDepth steps (<= kMaxU4ProductsPerU16Lane = 291, kept even so that a
// flush never splits a byte).
#include <algorithm>
#include <cstring>

#include "lowbit/gemm.h"

namespace lowbit {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 8;
constexpr int kFlushDepth = kMaxU4ProductsPerU16Lane / 2 * 2;  // 290

int round_up(int n, int m) { return (n + m - 1) / m * m; }

// Bytes taken by `depth` values of one row (or column) of a panel.
template <int kBits>
int packed_depth_bytes(int depth) {
  return kBits == 4 ? (depth + 1) / 2 : depth;
}

// Packs `count` lines (rows of W or columns of X) of `depth` values into a panel of `lanes` lines;
// value(line, k) reads the operand. Missing lines and the odd 4-bit tail are zero.
template <int kBits, typename ValueAt>
void pack_panel(int count, int lanes, int depth, ValueAt value, uint8_t* panel) {
  const int steps = packed_depth_bytes<kBits>(depth);
  std::memset(panel, 0, static_cast<std::size_t>(steps) * lanes);
  for (int line = 0; line < count; ++line) {
    for (int k = 0; k < depth; ++k) {
      const uint8_t v = value(line, k);
      if (kBits == 4)
        panel[(k / 2) * lanes + line] |= static_cast<uint8_t>(k % 2 == 0 ? v : v << 4);
      else
        panel[k * lanes + line] = v;
    }
  }
}

template <int kBits>
std::size_t packed_weights_bytes(int height, int depth) {
  const int rows = round_up(height, kMR);
  return rows * sizeof(int32_t) + static_cast<std::size_t>(rows) * packed_depth_bytes<kBits>(depth);
}

template <int kBits>
void pack_weights(const QuantizedMatrix& w, void* packed) {
  const int rows = round_up(w.rows, kMR);
  int32_t* row_sums = static_cast<int32_t*>(packed);
  uint8_t* panels = reinterpret_cast<uint8_t*>(row_sums + rows);
  for (int i = 0; i < rows; ++i) {
    int32_t sum = 0;
    for (int k = 0; i < w.rows && k < w.cols; ++k) sum += w.data[i * w.stride + k];
    row_sums[i] = sum;
  }
  const int panel_bytes = kMR * packed_depth_bytes<kBits>(w.cols);
  for (int i0 = 0; i0 < w.rows; i0 += kMR) {
    pack_panel<kBits>(std::min(kMR, w.rows - i0), kMR, w.cols,
                      [&](int row, int k) { return w.data[(i0 + row) * w.stride + k]; },
                      panels + (i0 / kMR) * panel_bytes);
  }
}

// One kMR x kNR tile of sum_k q_w q_x over the whole depth.
template <int kBits>
void micro_kernel(const uint8_t* w_panel, const uint8_t* x_panel, int depth,
                  uint32_t acc[kMR][kNR]) {
  for (int m = 0; m < kMR; ++m)
    for (int n = 0; n < kNR; ++n) acc[m][n] = 0;
  if (kBits == 8) {
    for (int k = 0; k < depth; ++k)
      for (int m = 0; m < kMR; ++m)
        for (int n = 0; n < kNR; ++n) acc[m][n] += w_panel[k * kMR + m] * x_panel[k * kNR + n];
    return;
  }
  const int byte_steps = packed_depth_bytes<4>(depth);
  constexpr int kFlushBytes = kFlushDepth / 2;  // each byte adds two products to a lane
  for (int s0 = 0; s0 < byte_steps; s0 += kFlushBytes) {
    uint16_t acc16[kMR][kNR] = {};
    for (int s = s0; s < std::min(s0 + kFlushBytes, byte_steps); ++s) {
      for (int m = 0; m < kMR; ++m) {
        const uint8_t wb = w_panel[s * kMR + m];
        for (int n = 0; n < kNR; ++n) {
          const uint8_t xb = x_panel[s * kNR + n];
          acc16[m][n] += (wb & 15) * (xb & 15) + (wb >> 4) * (xb >> 4);
        }
      }
    }
    for (int m = 0; m < kMR; ++m)
      for (int n = 0; n < kNR; ++n) acc[m][n] += acc16[m][n];
  }
}

template <int kBits>
void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                 Scratch& scratch) {
  const int height = w.height, depth = w.depth, width = x.cols;
  const int32_t* row_sums = static_cast<const int32_t*>(w.data);
  const uint8_t* w_panels = reinterpret_cast<const uint8_t*>(row_sums + round_up(height, kMR));
  const int w_panel_bytes = kMR * packed_depth_bytes<kBits>(depth);
  const int x_panel_bytes = kNR * packed_depth_bytes<kBits>(depth);
  uint8_t* x_panel = static_cast<uint8_t*>(scratch.get(Scratch::kActivationsSlot, x_panel_bytes));

  // Unsigned: the corrections wrap modulo 2^32 exactly as the reference does.
  const uint32_t zw = static_cast<uint32_t>(w.zero_point);
  const uint32_t zx = static_cast<uint32_t>(x.zero_point);
  const uint32_t both = static_cast<uint32_t>(depth) * zw * zx;
  for (int j0 = 0; j0 < width; j0 += kNR) {
    const int cols = std::min(kNR, width - j0);
    pack_panel<kBits>(cols, kNR, depth, [&](int col, int k) { return x.data[k * x.stride + j0 + col]; },
                      x_panel);
    uint32_t col_sums[kNR] = {};
    for (int k = 0; k < depth; ++k)
      for (int n = 0; n < cols; ++n) col_sums[n] += x.data[k * x.stride + j0 + n];
    for (int i0 = 0; i0 < height; i0 += kMR) {
      uint32_t acc[kMR][kNR];
      micro_kernel<kBits>(w_panels + (i0 / kMR) * w_panel_bytes, x_panel, depth, acc);
      for (int m = 0; m < std::min(kMR, height - i0); ++m) {
        const uint32_t row_term = zx * static_cast<uint32_t>(row_sums[i0 + m]);
        for (int n = 0; n < cols; ++n)
          r.data[(i0 + m) * r.stride + j0 + n] =
              static_cast<int32_t>(acc[m][n] - zw * col_sums[n] - row_term + both);
      }
    }
  }
}

}  // namespace

extern const GemmPath u8_gemm_4x8__scalar = {"u8_gemm_4x8__scalar", Scheme::kUint8, Isa::kScalar,
                                             packed_weights_bytes<8>, pack_weights<8>,
                                             gemm_packed<8>};
extern const GemmPath u4_gemm_4x8__scalar = {"u4_gemm_4x8__scalar", Scheme::kUint4, Isa::kScalar,
                                             packed_weights_bytes<4>, pack_weights<4>,
                                             gemm_packed<4>};

}  // namespace lowbit

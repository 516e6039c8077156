// The portable C++ paths: the plainest statement of what the SIMD paths vectorize, with the same
// pack / micro-kernel / unpack structure, as one driver templated over a micro-kernel.
//
// Packed weights: uint32 sum_k (w - z_w) per row (height rounded up to kMR), then panels of kMR
// rows; within a panel the depth runs outermost and the kMR rows innermost. Packed activations
// (per call): panels of kNR columns, depth outermost, columns innermost. 4-bit operands store two
// consecutive depth steps per byte (low nibble = even step): KR = 2, half the bytes.
//
// A packed value is the code itself or, for a centred kernel (4.6-bit), the code minus an offset
// o (weights: z_w; activations: c_x = (N_x - 1) / 2) as a signed byte. With acc = sum_k w' x',
//   R = acc - (z_w - o_w) sum_k x' - (z_x - o_x) sum_k (w - z_w),
// so a centred kernel needs no column sums. uint32 arithmetic: wraps modulo 2^32 like the reference.
//
// A micro-kernel derives from ScalarKernel (its traits) and provides
//   static void micro_kernel(const uint8_t* w_panel, const uint8_t* x_panel, int depth,
//                            uint32_t acc[kMR][kNR]);   // one tile of sum_k w' x'
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/tile.h"
#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace lowbit {
namespace {

// kBits: 4 packs two depth steps per byte; kCentred: packed values are centred signed bytes.
template <Scheme kSchemeOfKernel, int kBitsOfKernel, bool kCentredKernel>
struct ScalarKernel {
  static constexpr Scheme kScheme = kSchemeOfKernel;
  static constexpr int kMR = 4, kNR = 8;
  static constexpr int kBits = kBitsOfKernel;
  static constexpr bool kCentred = kCentredKernel;
};

template <class Kernel>
struct ScalarGemm {
  static constexpr Scheme kScheme = Kernel::kScheme;
  static constexpr int kMR = Kernel::kMR;
  static constexpr int kNR = Kernel::kNR;
  static constexpr int kKR = Kernel::kBits == 4 ? 2 : 1;  // depth steps per packed byte

  // Bytes taken by `depth` values of one row (or column) of a panel.
  static int packed_depth_bytes(int depth) { return ceil_div(depth, kKR); }

  // Packs `count` lines (rows of W or columns of X) of `depth` values into a panel of `lanes`
  // lines; value(line, k) reads the operand. Missing lines and the odd 4-bit tail are zero.
  template <typename ValueAt>
  static void pack_panel(int count, int lanes, int depth, ValueAt value, uint8_t* panel) {
    std::memset(panel, 0, static_cast<std::size_t>(packed_depth_bytes(depth)) * lanes);
    for (int k = 0; k < depth; ++k) {  // depth outermost: X is read row by row
      for (int line = 0; line < count; ++line) {
        const uint8_t v = value(line, k);
        if (kKR == 2)
          panel[(k / 2) * lanes + line] |= static_cast<uint8_t>(k % 2 == 0 ? v : v << 4);
        else
          panel[k * lanes + line] = v;
      }
    }
  }

  static std::size_t packed_weights_bytes(int height, int depth) {
    const std::size_t rows = round_up(height, kMR);
    return rows * sizeof(uint32_t) + rows * packed_depth_bytes(depth);
  }

  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    if constexpr (kScheme == Scheme::kUint4_6) check_symmetric_weights(w.levels, w.zero_point);
    const int rows = round_up(w.rows, kMR);
    uint32_t* row_sums = static_cast<uint32_t*>(packed);
    uint8_t* panels = reinterpret_cast<uint8_t*>(row_sums + rows);
    for (int i = 0; i < rows; ++i) {
      uint32_t sum = 0;
      for (int k = 0; i < w.rows && k < w.cols; ++k) sum += w.data[i * w.stride + k] - w.zero_point;
      row_sums[i] = sum;
    }
    const int offset = Kernel::kCentred ? w.zero_point : 0;
    const std::size_t panel_bytes = std::size_t{kMR} * packed_depth_bytes(w.cols);
    for (int i0 = 0; i0 < w.rows; i0 += kMR) {
      const uint8_t* panel_rows = w.data + i0 * w.stride;
      auto w_at = [&](int row, int k) {
        return static_cast<uint8_t>(panel_rows[row * w.stride + k] - offset);
      };
      pack_panel(std::min(kMR, w.rows - i0), kMR, w.cols, w_at, panels + (i0 / kMR) * panel_bytes);
    }
  }

  static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                          Scratch& scratch) {
    if constexpr (kScheme == Scheme::kUint4_6) check_level_pair({x.levels, w.levels});
    const int height = w.height, depth = w.depth, width = x.cols;
    const uint32_t* row_sums = static_cast<const uint32_t*>(w.data);
    const uint8_t* w_panels = reinterpret_cast<const uint8_t*>(row_sums + round_up(height, kMR));
    const std::size_t w_panel_bytes = std::size_t{kMR} * packed_depth_bytes(depth);
    uint8_t* x_panel = static_cast<uint8_t*>(
        scratch.get(Scratch::kActivationsSlot, std::size_t{kNR} * packed_depth_bytes(depth)));

    const int x_offset = Kernel::kCentred ? centre_code(x.levels) : 0;
    const uint32_t row_factor = static_cast<uint32_t>(x.zero_point - x_offset);
    for (int j0 = 0; j0 < width; j0 += kNR) {
      const int cols = std::min(kNR, width - j0);
      auto x_at = [&](int col, int k) { return x.data[k * x.stride + j0 + col]; };
      auto x_packed = [&](int col, int k) { return static_cast<uint8_t>(x_at(col, k) - x_offset); };
      pack_panel(cols, kNR, depth, x_packed, x_panel);
      uint32_t col_terms[kNR] = {};
      if constexpr (!Kernel::kCentred) {
        for (int k = 0; k < depth; ++k)
          for (int n = 0; n < cols; ++n) col_terms[n] += x_at(n, k);
        for (int n = 0; n < cols; ++n) col_terms[n] *= static_cast<uint32_t>(w.zero_point);
      }
      for (int i0 = 0; i0 < height; i0 += kMR) {
        uint32_t acc[kMR][kNR];
        Kernel::micro_kernel(w_panels + (i0 / kMR) * w_panel_bytes, x_panel, depth, acc);
        for (int m = 0; m < std::min(kMR, height - i0); ++m) {
          const uint32_t row_term = row_factor * row_sums[i0 + m];
          for (int n = 0; n < cols; ++n) {
            uint32_t v = acc[m][n] - row_term;
            if constexpr (!Kernel::kCentred) v -= col_terms[n];
            r.data[(i0 + m) * r.stride + j0 + n] = static_cast<int32_t>(v);
          }
        }
      }
    }
  }
};

}  // namespace
}  // namespace lowbit

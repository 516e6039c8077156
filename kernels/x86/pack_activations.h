// Packing X, per call: a block of columns of the activations into the strips the micro-kernels
// load, in units of depth (4 steps of bytes, or 8 steps of nibbles), zero past the depth and the
// width so that W's padding never matters. docs/packing-x86.md draws the layout.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "common/tile.h"
#include "lowbit/gemm.h"

namespace lowbit {
namespace {

// Packing X: columns [j0, j0 + cols) over the whole depth, strips padded to a multiple of 4 (one
// row load of kBytes columns makes 4 strips). With kColumnTerms, also col_terms[c] =
// column_factor * sum_k x[k][c] (taken with vpdpbusd against ones, one instruction per strip).
template <class Isa, int kBits, bool kColumnTerms>
void pack_x_block(const QuantizedMatrix& x, int j0, int cols, int strips_padded, uint8_t* out,
                  int32_t column_factor, int32_t* col_terms) {
  using V = typename Isa::V;
  constexpr int kRows = kBits == 4 ? 8 : 4;  // rows of X per unit
  const int depth = x.rows;
  const int units = ceil_div(depth, kRows);
  const std::ptrdiff_t unit_bytes = static_cast<std::ptrdiff_t>(strips_padded) * Isa::kBytes;
  const int whole_units = depth / kRows;  // units whose rows all exist
  // Locals: the stores below may alias x's fields as far as the compiler knows.
  const std::ptrdiff_t stride = x.stride;
  const uint8_t* const end = x.data + (depth - 1) * stride + x.cols;  // of the matrix
  for (int c = 0; c < cols; c += Isa::kBytes) {
    const int n = std::min(Isa::kBytes, cols - c);
    const uint8_t* column = x.data + j0 + c;
    uint8_t* dst = out + (c / Isa::kLanes) * Isa::kBytes;
    [[maybe_unused]] V sums[4] = {Isa::zero(), Isa::zero(), Isa::zero(), Isa::zero()};
    // One unit: kRows rows (merged into 4 for 4-bit), interleaved into 4 strips.
    auto pack_unit = [&](int u, auto row) {
      const int k0 = u * kRows;
      V rows[4];
      LOWBIT_UNROLL for (int t = 0; t < 4; ++t) rows[t] =
          kBits == 4 ? Isa::or_(row(k0 + t), Isa::shl4_16(row(k0 + 4 + t))) : row(k0 + t);
      V strips[4];
      Isa::interleave4(rows, strips);
      uint8_t* unit_dst = dst + u * unit_bytes;
      LOWBIT_UNROLL for (int q = 0; q < 4; ++q) Isa::store(unit_dst + q * Isa::kBytes, strips[q]);
      if constexpr (kColumnTerms) {
        LOWBIT_UNROLL for (int q = 0; q < 4; ++q) sums[q] = Isa::dpbusd(sums[q], strips[q], Isa::set1_i8(1));
      }
    };
    int u = 0;
    if (n == Isa::kBytes) {  // the common case, without a test per row
      for (; u < whole_units; ++u) pack_unit(u, [&](int k) { return Isa::loadu(column + k * stride); });
    }
    for (; u < units; ++u) {  // the last unit (rows past the depth are zero) or a partial chunk
      pack_unit(u, [&](int k) {
        if (k >= depth) return Isa::zero();
        const uint8_t* p = column + k * stride;
        return n == Isa::kBytes ? Isa::loadu(p) : Isa::load_prefix_within(p, n, end - p);
      });
    }
    if constexpr (kColumnTerms) {
      LOWBIT_UNROLL for (int q = 0; q < 4; ++q)
          Isa::store(col_terms + c + q * Isa::kLanes, Isa::mul32(sums[q], Isa::set1_i32(column_factor)));
    }
  }
}

}  // namespace
}  // namespace lowbit

// Unpacking: the zero-point corrections, applied to a tile's int32 sums as they are stored.
//
// 4-bit, 4.6-bit and widening 8-bit kernels multiply the centred weights w - z_w by the raw x, so
//   R = acc - z_x sum_k (w - z_w)                                  (a per-row term only);
// the VNNI 8-bit kernel multiplies x by w - 128 (w - z_w needs 9 bits), so
//   R = acc - z_x sum_k (w - z_w) - (z_w - 128) sum_k x            (plus a per-column term).
// sum_k (w - z_w) is in the packed weights; the column sums are taken while packing X. All in
// uint32 arithmetic: wraps modulo 2^32 like the reference.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/tile.h"

namespace lowbit {
namespace {

// row_terms[i] = z_x sum_k (w_i - z_w), from the packed row sums.
inline void row_terms_of(const uint32_t* centred_row_sums, int rows, int32_t zx, uint32_t* row_terms) {
  for (int i = 0; i < rows; ++i) row_terms[i] = static_cast<uint32_t>(zx) * centred_row_sums[i];
}

// Stores rows [0, rows) and columns [0, cols) of an MR x NV-strip tile out[][] at r, corrected by
// each row's term (row_terms[m], broadcast). A partial strip is stored with a mask.
template <class Isa, bool kColumnTerms, int MR, int NV>
LOWBIT_INLINE void store_tile(const typename Isa::V out[MR][NV], const typename Isa::V row_terms[MR],
                              const int32_t* col_terms, int32_t* r, std::ptrdiff_t r_stride, int rows,
                              int cols) {
  using V = typename Isa::V;
  LOWBIT_UNROLL for (int m = 0; m < MR; ++m, r += r_stride) {
    if (m >= rows) break;
    LOWBIT_UNROLL for (int s = 0; s < NV; ++s) {
      V v = Isa::sub32(out[m][s], row_terms[m]);
      if constexpr (kColumnTerms) v = Isa::sub32(v, Isa::load(col_terms + s * Isa::kLanes));
      const int n = cols - s * Isa::kLanes;
      if (n >= Isa::kLanes)
        Isa::storeu(r + s * Isa::kLanes, v);
      else if (n > 0)
        Isa::store_prefix_i32(r + s * Isa::kLanes, v, n);
    }
  }
}

}  // namespace
}  // namespace lowbit

// Unpacking: the zero-point corrections that turn a tile's sums of packed codes into R, and the
// stores. Every ARM path adds per-row terms; the paths on raw codes also subtract per-column terms:
//
//   raw codes (uint8, uint4):  R[m][n] = sum_k q_w q_x - z_w colsum[n] + (D z_w z_x - z_x rowsum[m])
//   centred codes (4.6-bit):   R[m][n] = sum_k (x - c_x)(w - z_w)     - (z_x - c_x) sum_k (w - z_w)
//                                        \_ the kernel's sums _/        \_ row_terms[m] _____/
//
// in 32-bit arithmetic modulo 2^32, exactly as the reference wraps. The row terms are computed once
// per product (driver.h), the column terms once per panel of X.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "arm/neon_util.h"

namespace lowbit {
namespace {

// Which corrections a kernel's sums need (a property of how its operands are packed).
enum class Correction {
  kRowsAndColumns,  // raw codes
  kRows,            // centred codes: symmetric weights, so no column sums
};

// Where a tile's results go, and its corrections.
struct TileOutput {
  int32_t* data;  // the tile's top-left result
  std::ptrdiff_t stride;
  int rows, cols;             // the valid part of the tile (edge tiles are smaller)
  const uint32_t* row_terms;  // one per tile row (kMR of them, valid rows or not)
  const uint32_t* col_terms;  // z_w colsum, one per tile column (Correction::kRowsAndColumns only)
};

// What row m of a tile adds to its sums, 4 columns per vector: row_terms[m] - col_terms[n] (raw) or
// row_terms[m] (centred).
template <Correction kCorrection, int kQuads>
LOWBIT_INLINE void row_base(const TileOutput& out, int m, uint32x4_t (&base)[kQuads]) {
  const uint32x4_t row_term = vld1q_dup_u32(out.row_terms + m);
  unroll<kQuads>([&](auto q) {
    if constexpr (kCorrection == Correction::kRowsAndColumns)
      base[q] = vsubq_u32(row_term, vld1q_u32(out.col_terms + 4 * q));
    else
      base[q] = row_term;
  });
}

// Stores row m of a tile from its results, 4 columns per vector (a partial row through a buffer).
template <int kQuads>
LOWBIT_INLINE void store_row(const TileOutput& out, int m, const uint32x4_t (&result)[kQuads]) {
  int32_t* dst = out.data + m * out.stride;
  if (out.cols == 4 * kQuads) {
    unroll<kQuads>([&](auto q) { vst1q_s32(dst + 4 * q, vreinterpretq_s32_u32(result[q])); });
  } else {
    alignas(16) uint32_t row[4 * kQuads];
    unroll<kQuads>([&](auto q) { vst1q_u32(row + 4 * q, result[q]); });
    std::memcpy(dst, row, out.cols * sizeof(int32_t));
  }
}

LOWBIT_INLINE uint32x4_t as_u32(uint32x4_t v) { return v; }
LOWBIT_INLINE uint32x4_t as_u32(int32x4_t v) { return vreinterpretq_u32_s32(v); }  // SDOT sums: same bits

// A tile of 32-bit sums (the kernels that accumulate in 32-bit lanes): R = sums + corrections. A
// full tile goes straight to R with the fields of `out` read into locals first (the int32 stores
// could alias `out` as far as GCC knows); an edge tile row by row.
template <Correction kCorrection, int kRows, int kQuads, class Sums>
LOWBIT_INLINE void store_tile(const TileOutput& out, const Sums (&sums)[kRows][kQuads]) {
  if (out.rows == kRows && out.cols == 4 * kQuads) {
    int32_t* dst = out.data;
    const std::ptrdiff_t stride = out.stride;
    const uint32_t* row_terms = out.row_terms;
    const uint32_t* col_terms = out.col_terms;
    unroll<kRows>([&](auto m) {
      const uint32x4_t row_term = vld1q_dup_u32(row_terms + m);
      unroll<kQuads>([&](auto q) {
        uint32x4_t result = vaddq_u32(as_u32(sums[m][q]), row_term);
        if constexpr (kCorrection == Correction::kRowsAndColumns)
          result = vsubq_u32(result, vld1q_u32(col_terms + 4 * q));
        vst1q_s32(dst + 4 * q, vreinterpretq_s32_u32(result));
      });
      dst += stride;
    });
    return;
  }
  unroll<kRows>([&](auto m) {
    if (m >= out.rows) return;
    uint32x4_t row[kQuads];
    row_base<kCorrection>(out, m, row);
    unroll<kQuads>([&](auto q) { row[q] = vaddq_u32(as_u32(sums[m][q]), row[q]); });
    store_row(out, m, row);
  });
}

}  // namespace
}  // namespace lowbit

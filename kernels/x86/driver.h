// The x86 SIMD paths (AVX2, AVX-512BW, AVX-512-VNNI): one driver, pack W (once) -> per call pack a
// block of X -> micro-kernel -> unpack, templated over an instruction-set wrapper (x86/avx2.h,
// x86/avx512.h), a micro-kernel and its main tile. docs/packing-x86.md draws the packed layouts.
//
// Everything under x86/ has internal linkage (unnamed namespace): each kernels/x86/*__<isa>.cc file
// compiles its own copy with its own flags, so the linker can never hand an AVX-512 instantiation
// to an AVX2 path (which inline templates with external linkage would allow).
//
// A micro-kernel provides:
//   kScheme; kBits (8: X in bytes, units of 4 steps; 4: X in nibbles, units of 8 steps);
//   kWeights, the WeightFormat of packed W (x86/pack_weights.h);
//   template <class Isa, int MR, int NV> static void tile(w, w_stride, x, x_stride, units,
//       last_unit_low_only, V out[MR][NV]): sum_k w' x over `units` units as int32 vectors
//       (x86/unit_loops.h describes the arguments).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/tile.h"
#include "lowbit/gemm.h"
#include "lowbit/levels.h"
#include "x86/pack_activations.h"
#include "x86/pack_weights.h"
#include "x86/unpack.h"

namespace lowbit {
namespace {

constexpr int kPanelRows = 8;       // W rows are padded to a multiple of this (the largest MR)
constexpr int kBlockColumns = 256;  // X columns packed at once: a packed block stays in L1
constexpr int kTermsSlot = 2;       // scratch for the per-call row and column terms

// Edge tiles use MR / 2 rows (a last panel of <= MR / 2 rows) and fewer strips; a partial strip is
// stored with a mask.
template <class Isa, class Kernel, int MR, int NV>
struct X86Gemm {
  using V = typename Isa::V;
  static_assert(MR <= kPanelRows && kPanelRows % MR == 0, "row panels tile the padded rows");
  static constexpr Scheme kScheme = Kernel::kScheme;
  static constexpr int kMR = MR;
  static constexpr int kNR = NV * Isa::kLanes;
  static constexpr int kKR = Kernel::kBits == 4 ? 8 : 4;  // depth steps per unit
  // Only weights that could not be centred need the column sums of X.
  static constexpr bool kColumnTerms = Kernel::kWeights == WeightFormat::kOffset128S8;
  static constexpr int kSlack = 64;  // vector over-reads / over-writes past the last row

  static int padded_rows(int height) { return round_up(height, kPanelRows); }
  static std::ptrdiff_t row_bytes(int depth) {
    return static_cast<std::ptrdiff_t>(round_up(depth, kKR)) * weight_bytes(Kernel::kWeights);
  }

  // [uint32 sum_k (w - z_w) per row, padded_rows][padded_rows rows of row_bytes]
  static std::size_t packed_weights_bytes(int height, int depth) {
    const std::size_t rows = padded_rows(height);
    return rows * sizeof(uint32_t) + rows * row_bytes(depth) + kSlack;
  }

  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    if constexpr (kScheme == Scheme::kUint4_6) check_symmetric_weights(w.levels, w.zero_point);
    const int rows = padded_rows(w.rows);
    uint32_t* row_sums = static_cast<uint32_t*>(packed);
    uint8_t* out = reinterpret_cast<uint8_t*>(row_sums + rows);
    const std::ptrdiff_t stride = row_bytes(w.cols);
    const uint32_t depth_times_zw = static_cast<uint32_t>(w.cols) * static_cast<uint32_t>(w.zero_point);
    const std::ptrdiff_t matrix_bytes = (w.rows - 1) * w.stride + w.cols;
    for (int i = 0; i < w.rows; ++i, out += stride) {
      const uint8_t* src = w.data + i * w.stride;
      row_sums[i] = pack_weight_row<Kernel::kWeights>(src, w.cols, matrix_bytes - i * w.stride, w.zero_point, out) -
                    depth_times_zw;
    }
    std::memset(out, 0, (rows - w.rows) * stride);
    std::fill(row_sums + w.rows, row_sums + rows, 0);
  }

  struct Problem {
    const uint8_t* w;         // the packed weight rows
    std::ptrdiff_t w_stride;  // bytes between them
    const uint8_t* x;         // the packed block
    std::ptrdiff_t x_stride;  // bytes between its units
    int units;
    bool last_unit_low_only;    // 4-bit: depth % 8 in 1..4
    const uint32_t* row_terms;  // subtracted from row i
    const int32_t* col_terms;   // subtracted from block column c (VNNI 8-bit only)
    int32_t* r;                 // the block's top-left result
    std::ptrdiff_t r_stride;
  };

  // One tile: TM rows from i0 (rows of them stored) by TN strips from s0 (cols columns stored).
  template <int TM, int TN>
  static LOWBIT_INLINE void run_tile(const Problem& p, int units, const uint8_t* w, const V row_terms[TM], int i0,
                                     int rows, int s0, int cols) {
    V out[TM][TN];
    Kernel::template tile<Isa, TM, TN>(w, p.w_stride, p.x + s0 * Isa::kBytes, p.x_stride, units,
                                       p.last_unit_low_only, out);
    // Locals: the int32 stores may alias *p as far as the compiler knows.
    const std::ptrdiff_t r_stride = p.r_stride;
    store_tile<Isa, kColumnTerms, TM, TN>(out, row_terms, p.col_terms + s0 * Isa::kLanes,
                                          p.r + i0 * r_stride + s0 * Isa::kLanes, r_stride, rows, cols);
  }

  // The last strips of a block: fewer than NV, picked at compile time.
  template <int TM, int TN>
  static LOWBIT_INLINE void run_remainder(const Problem& p, int units, const uint8_t* w, const V row_terms[TM],
                                          int i0, int rows, int s0, int strips, int cols) {
    if constexpr (TN >= 1) {
      if (strips == TN) return run_tile<TM, TN>(p, units, w, row_terms, i0, rows, s0, cols);
      run_remainder<TM, TN - 1>(p, units, w, row_terms, i0, rows, s0, strips, cols);
    }
  }

  // One row panel (rows [i0, i0 + rows), rows <= TM) across every strip of the block. What the rows
  // fix (their weights, their correction vectors) is set up once per panel, not once per tile, and
  // each panel is its own function, so that each tile size gets the registers to itself. kUnits > 0:
  // the depth in units is that constant, and a tile's loop over it unrolls completely.
  template <int TM, int kUnits>
  static __attribute__((noinline)) void run_panel(const Problem& p, int i0, int rows, int strips, int cols) {
    const int units = kUnits > 0 ? kUnits : p.units;
    V row_terms[TM];
    LOWBIT_UNROLL for (int m = 0; m < TM; ++m) row_terms[m] = Isa::set1_i32(static_cast<int32_t>(p.row_terms[i0 + m]));
    const uint8_t* w = p.w + i0 * p.w_stride;
    int s0 = 0;
    for (; s0 + NV <= strips; s0 += NV)
      run_tile<TM, NV>(p, units, w, row_terms, i0, rows, s0, cols - s0 * Isa::kLanes);
    if (s0 < strips)
      run_remainder<TM, NV - 1>(p, units, w, row_terms, i0, rows, s0, strips - s0, cols - s0 * Isa::kLanes);
  }

  // The short-depth path: products of at most kShortUnits units (depth 10, the paper's shallowest, is
  // 3 byte units or 2 nibble units) run a panel compiled for their depth, without the loop's setup,
  // counter and tests, which cost a shallow tile about as much as its arithmetic.
  static constexpr int kShortUnits = 3;
  template <int TM, int kUnits = 1>
  static LOWBIT_INLINE void run_panel_of_depth(const Problem& p, int i0, int rows, int strips, int cols) {
    if constexpr (kUnits <= kShortUnits) {
      if (p.units == kUnits) return run_panel<TM, kUnits>(p, i0, rows, strips, cols);
      run_panel_of_depth<TM, kUnits + 1>(p, i0, rows, strips, cols);
    } else {
      run_panel<TM, 0>(p, i0, rows, strips, cols);
    }
  }

  // Every tile of a packed block: panels of MR rows, and MR / 2 rows for a short last panel.
  static void run_block(const Problem& p, int height, int strips, int cols) {
    int i0 = 0;
    for (; i0 + MR <= height; i0 += MR) run_panel_of_depth<MR>(p, i0, MR, strips, cols);
    const int rows = height - i0;
    if (rows == 0) return;
    if constexpr (MR > 1) {
      if (rows <= MR / 2) return run_panel_of_depth<MR / 2>(p, i0, rows, strips, cols);
    }
    run_panel_of_depth<MR>(p, i0, rows, strips, cols);
  }

  static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                          Scratch& scratch) {
    if constexpr (kScheme == Scheme::kUint4_6) check_level_pair({x.levels, w.levels});
    const int height = w.height, depth = w.depth, width = x.cols;
    const int units = ceil_div(depth, kKR);
    const uint32_t* row_sums = static_cast<const uint32_t*>(w.data);
    const uint8_t* w_rows = reinterpret_cast<const uint8_t*>(row_sums + padded_rows(height));

    // Per call, from the activations' zero point and columns only: row terms and a block's column terms.
    const std::size_t terms_bytes = (kBlockColumns + padded_rows(height)) * sizeof(int32_t);
    uint8_t* terms = static_cast<uint8_t*>(scratch.get(kTermsSlot, terms_bytes));
    int32_t* col_terms = reinterpret_cast<int32_t*>(terms);  // 64-byte aligned
    uint32_t* row_terms = reinterpret_cast<uint32_t*>(terms + kBlockColumns * sizeof(int32_t));
    row_terms_of(row_sums, padded_rows(height), x.zero_point, row_terms);

    constexpr int kStripsPerLoad = Isa::kBytes / Isa::kLanes;  // 4
    const std::size_t max_unit_bytes = std::size_t{kBlockColumns / Isa::kLanes} * Isa::kBytes;
    uint8_t* packed_x = static_cast<uint8_t*>(scratch.get(Scratch::kActivationsSlot, units * max_unit_bytes));

    for (int j0 = 0; j0 < width; j0 += kBlockColumns) {
      const int cols = std::min(kBlockColumns, width - j0);
      const int strips = ceil_div(cols, Isa::kLanes);
      const int strips_padded = round_up(strips, kStripsPerLoad);
      pack_x_block<Isa, Kernel::kBits, kColumnTerms>(x, j0, cols, strips_padded, packed_x, w.zero_point - 128,
                                                     col_terms);
      const std::ptrdiff_t unit_bytes = static_cast<std::ptrdiff_t>(strips_padded) * Isa::kBytes;
      const bool last_unit_low_only = Kernel::kBits == 4 && depth % 8 != 0 && depth % 8 <= 4;
      const Problem p{w_rows,    row_bytes(depth), packed_x,    unit_bytes, units, last_unit_low_only,
                      row_terms, col_terms,        r.data + j0, r.stride};
      run_block(p, height, strips, cols);
    }
  }
};

}  // namespace
}  // namespace lowbit

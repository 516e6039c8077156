// The kernels that sum byte products in 16-bit lanes (VMUL.I8 + VPADAL, MUL + UADALP/SADALP, UMLAL):
// one template over the lanes' traits serves the unsigned 4-bit paths (raw codes 0..15, unsigned
// lanes) and the signed 4.6-bit paths (centred codes, signed lanes). A 16-bit lane can take only so
// many products (common/flush_bounds.h), so the depth is summed in blocks of at most
// Lanes::kPairsPerBlock pairs of steps, each block widened into 32-bit totals kept in memory. Every
// depth of the paper (10, 40, 100) is one block, and a full one-block tile goes from the loop straight
// to R. sweep runs a whole panel of X down the weight panels in one call. The ISA's inner loop (a Loop
// struct) stays in its <scheme>_gemm__<isa>.cc.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "arm/formats.h"
#include "arm/kernel_traits.h"
#include "arm/neon_util.h"
#include "arm/unpack.h"
#include "common/flush_bounds.h"

namespace lowbit {
namespace {

// Raw 4-bit codes: a product is at most 15 * 15 = 225 (exact in an unsigned byte); a lane gains two
// per pair of steps, so 145 pairs per block (145 * 450 = 65250 <= 65535).
struct U4Lanes {
  using Byte = uint8_t;
  using Bytes8 = uint8x8_t;
  using Acc = uint16x8_t;
  using Acc4 = uint16x4_t;
  static constexpr Correction kCorrection = Correction::kRowsAndColumns;
  static constexpr int kPairsPerBlock = kU4ProductsPerU16Lane / 2;
  static LOWBIT_INLINE Acc4 zero4() { return vdup_n_u16(0); }
  static LOWBIT_INLINE Bytes8 load8(const Byte* p) { return vld1_u8(p); }
  static LOWBIT_INLINE Acc4 add_products(Acc4 acc, Bytes8 w, Bytes8 x) {
    return vpadal_u8(acc, vmul_u8(w, x));
  }
  static LOWBIT_INLINE uint32x4_t widen_add(uint32x4_t sum, Acc4 acc) { return vaddw_u16(sum, acc); }
  static LOWBIT_INLINE Acc4 low(Acc acc) { return vget_low_u16(acc); }
  static LOWBIT_INLINE Acc4 high(Acc acc) { return vget_high_u16(acc); }
};

// Centred 4.6-bit codes: a product is at most 127 in magnitude (exact in a signed byte); 129 pairs per
// block (129 * 254 = 32766 <= 32767).
struct U4_6Lanes {
  using Byte = int8_t;
  using Bytes8 = int8x8_t;
  using Acc = int16x8_t;
  using Acc4 = int16x4_t;
  static constexpr Correction kCorrection = Correction::kRows;
  static constexpr int kPairsPerBlock = kU4_6ProductsPerS16Lane / 2;
  static LOWBIT_INLINE Acc4 zero4() { return vdup_n_s16(0); }
  static LOWBIT_INLINE Bytes8 load8(const Byte* p) { return vld1_s8(p); }
  static LOWBIT_INLINE Acc4 add_products(Acc4 acc, Bytes8 w, Bytes8 x) {
    return vpadal_s8(acc, vmul_s8(w, x));
  }
  static LOWBIT_INLINE uint32x4_t widen_add(uint32x4_t sum, Acc4 acc) {
    return vreinterpretq_u32_s32(vaddw_s16(vreinterpretq_s32_u32(sum), acc));
  }
  static LOWBIT_INLINE Acc4 low(Acc acc) { return vget_low_s16(acc); }
  static LOWBIT_INLINE Acc4 high(Acc acc) { return vget_high_s16(acc); }
};

// Widens row m's block sums onto the row's corrections (first block) or the totals of the blocks
// before; after the last block stores the row, else keeps the totals.
template <class Lanes, int kVectors>
LOWBIT_INLINE void finish_block(const TileOutput& out, int m, const typename Lanes::Acc (&acc)[kVectors],
                                uint32_t* totals, bool first_block, bool last_block) {
  if (last_block && m >= out.rows) return;
  uint32x4_t sums[2 * kVectors];
  if (first_block) {
    row_base<Lanes::kCorrection>(out, m, sums);
  } else {
    unroll<2 * kVectors>([&](auto q) { sums[q] = vld1q_u32(totals + 4 * q); });
  }
  unroll<kVectors>([&](auto v) {
    sums[2 * v] = Lanes::widen_add(sums[2 * v], Lanes::low(acc[v]));
    sums[2 * v + 1] = Lanes::widen_add(sums[2 * v + 1], Lanes::high(acc[v]));
  });
  if (last_block)
    store_row(out, m, sums);
  else
    unroll<2 * kVectors>([&](auto q) { vst1q_u32(totals + 4 * q, sums[q]); });
}

// A full tile summed in one block: R = corrections + acc, the widening add doing the addition. The
// fields of `out` are read into locals first (the int32 stores could alias it as far as GCC knows).
template <class Lanes, int kRows, int kVectors>
LOWBIT_INLINE void store_full_tile(const TileOutput& out, const typename Lanes::Acc (&acc)[kRows][kVectors]) {
  int32_t* dst = out.data;
  const std::ptrdiff_t stride = out.stride;
  const uint32_t* row_terms = out.row_terms;
  uint32x4_t col_terms[2 * kVectors];
  if constexpr (Lanes::kCorrection == Correction::kRowsAndColumns)
    unroll<2 * kVectors>([&](auto q) { col_terms[q] = vld1q_u32(out.col_terms + 4 * q); });
  unroll<kRows>([&](auto m) {
    const uint32x4_t row_term = vld1q_dup_u32(row_terms + m);
    auto base = [&](int q) {
      if constexpr (Lanes::kCorrection == Correction::kRowsAndColumns)
        return vsubq_u32(row_term, col_terms[q]);
      else
        return row_term;
    };
    unroll<kVectors>([&](auto v) {
      vst1q_s32(dst + 8 * v, vreinterpretq_s32_u32(Lanes::widen_add(base(2 * v), Lanes::low(acc[m][v]))));
      vst1q_s32(dst + 8 * v + 4,
                vreinterpretq_s32_u32(Lanes::widen_add(base(2 * v + 1), Lanes::high(acc[m][v]))));
    });
    dst += stride;
  });
}

// A kMR x kNR tile around an ISA's inner loop. Loop provides kMR, kNR, WFormat, XFormat (each a
// kDepthStep-2 format: one block per pair of steps),
//   static void accumulate(const Byte* w, const Byte* x, int pairs, Acc (&acc)[kMR][kNR / 8])
// (always inline): `pairs` pairs of steps (at most Lanes::kPairsPerBlock) into fresh accumulators,
// and kInlineIntoRun: whether the one-block case inlines the loop and stores straight from its
// registers (true), or calls it out of line and gets the accumulators through memory (false: for
// loops that fill the register file, where GCC 12 copies and spills accumulators inside the
// inlined loop).
template <class Lanes, class Loop>
struct Blocked16Kernel {
  static constexpr int kMR = Loop::kMR;
  static constexpr int kNR = Loop::kNR;
  static constexpr int kVectors = kNR / 8;  // 8-lane accumulators per row
  static constexpr Correction kCorrection = Lanes::kCorrection;
  using WFormat = typename Loop::WFormat;
  using XFormat = typename Loop::XFormat;
  using Byte = typename Lanes::Byte;
  using Acc = typename Lanes::Acc;
  static_assert(WFormat::kDepthStep == 2 && XFormat::kDepthStep == 2, "blocks are counted in pairs of steps");

  // The common case, one block and a full tile: from the loop straight to R. Otherwise run_blocks.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w, const uint8_t* x,
                                                                  int depth, const TileOutput& out) {
    const int pairs = depth / 2;
    if (pairs > Lanes::kPairsPerBlock || out.rows != kMR || out.cols != kNR) {
      run_blocks(w, x, pairs, out);
      return;
    }
    Acc acc[kMR][kVectors];
    if constexpr (Loop::kInlineIntoRun)
      Loop::accumulate(reinterpret_cast<const Byte*>(w), reinterpret_cast<const Byte*>(x), pairs, acc);
    else
      accumulate(reinterpret_cast<const Byte*>(w), reinterpret_cast<const Byte*>(x), pairs, acc);
    store_full_tile<Lanes>(out, acc);
  }

  // A whole column panel: every weight panel (kMR rows, w_panel_bytes apart) times the packed X, for
  // the rows and columns of `strip` (its row_terms for all rows). The driver calls this once per
  // panel of X instead of run per tile, so a full one-block tile costs the loop, the stores and a
  // pointer step; any other tile goes through run_blocks.
  LOWBIT_MICRO_KERNEL static void sweep(const uint8_t* w, std::size_t w_panel_bytes, const uint8_t* x,
                                        int depth, const TileOutput& strip) {
    const int pairs = depth / 2;
    int i0 = 0;
    if (pairs <= Lanes::kPairsPerBlock && strip.cols == kNR) {
      TileOutput tile = strip;
      for (; i0 + kMR <= strip.rows; i0 += kMR, w += w_panel_bytes) {
        Acc acc[kMR][kVectors];
        if constexpr (Loop::kInlineIntoRun)
          Loop::accumulate(reinterpret_cast<const Byte*>(w), reinterpret_cast<const Byte*>(x), pairs, acc);
        else
          accumulate(reinterpret_cast<const Byte*>(w), reinterpret_cast<const Byte*>(x), pairs, acc);
        tile.data = strip.data + i0 * strip.stride;
        tile.row_terms = strip.row_terms + i0;
        store_full_tile<Lanes>(tile, acc);
      }
    }
    for (; i0 < strip.rows; i0 += kMR, w += w_panel_bytes) {
      TileOutput tile = strip;
      tile.data = strip.data + i0 * strip.stride;
      tile.row_terms = strip.row_terms + i0;
      tile.rows = std::min(kMR, strip.rows - i0);
      run_blocks(w, x, pairs, tile);
    }
  }

  // Any tile at any depth: blocks of at most kPairsPerBlock pairs, their 32-bit totals in memory
  // (written by the first block, read by the next ones only: GCC cannot tell).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  LOWBIT_MICRO_KERNEL static void run_blocks(const uint8_t* w, const uint8_t* x, int pairs,
                                             const TileOutput& out) {
    alignas(16) uint32_t totals[kMR][kNR];
    for (int p0 = 0; p0 == 0 || p0 < pairs; p0 += Lanes::kPairsPerBlock) {
      const int block = std::min(Lanes::kPairsPerBlock, pairs - p0);
      Acc acc[kMR][kVectors];
      accumulate(reinterpret_cast<const Byte*>(w + p0 * WFormat::kBlockBytes),
                 reinterpret_cast<const Byte*>(x + p0 * XFormat::kBlockBytes), block, acc);
      unroll<kMR>(
          [&](auto m) { finish_block<Lanes>(out, m, acc[m], totals[m], p0 == 0, p0 + block >= pairs); });
    }
  }
#pragma GCC diagnostic pop

  // The inner loop out of line, so that the register allocator sees only the loop (inlined into
  // run, GCC copies accumulators inside the loop).
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void accumulate(const Byte* w, const Byte* x,
                                                                         int pairs,
                                                                         Acc (&result)[kMR][kVectors]) {
    Acc acc[kMR][kVectors];
    Loop::accumulate(w, x, pairs, acc);
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { result[m][v] = acc[m][v]; }); });
  }
};

// The weight pairs of kRows rows at one pair of steps: 4 rows in a d register, 8 in a q register.
template <int kRows>
LOWBIT_INLINE auto load_row_pairs(const int8_t* w) {
  static_assert(kRows == 4 || kRows == 8, "panels of 4 or 8 rows");
  if constexpr (kRows == 4)
    return vld1_s16(reinterpret_cast<const int16_t*>(w));
  else
    return vld1q_s16(reinterpret_cast<const int16_t*>(w));
}
// One row's pair in the 4 lanes of a d register (VDUP.16 d, d[m] / DUP v.4h, v.h[m]).
template <int kLane>
LOWBIT_INLINE int8x8_t broadcast_row_pair(int16x4_t ws) {
  return vreinterpret_s8_s16(vdup_lane_s16(ws, kLane));
}
#if defined(__aarch64__)
template <int kLane>
LOWBIT_INLINE int8x8_t broadcast_row_pair(int16x8_t ws) {
  return vreinterpret_s8_s16(vdup_laneq_s16(ws, kLane));
}
#else
// ARMv7, for the inner loops: VDUP.16 q, d[kLane], one row's pair in all 8 lanes of a q register
// of type Q (as asm: GCC 12 moves lane 0 through a core register).
template <class Q, int kLane, class D>
LOWBIT_INLINE Q broadcast_row_pair_q(D pairs) {
  Q r;
  __asm__("vdup.16 %q0, %P1[%c2]" : "=w"(r) : "w"(pairs), "i"(kLane));
  return r;
}
#endif

// The last 4 columns (width 100 = 6 x 16 + 4) of both ARMv7 and AArch64 paths: W PairMajor<kRows>, X
// PairMajor<4> (8 bytes per pair: one d register), products and accumulators in d registers
// (VMUL.I8 d + VPADAL d / MUL .8b + ADALP .4h). Any tile, any depth; 32-bit totals in registers.
template <class Lanes, int kRows>
struct Blocked16Kernel4 {
  static constexpr int kMR = kRows;
  static constexpr int kNR = 4;
  static constexpr Correction kCorrection = Lanes::kCorrection;
  using WFormat = PairMajor<kMR>;
  using XFormat = PairMajor<kNR>;

  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w8, const uint8_t* x8,
                                                                  int depth, const TileOutput& out) {
    using Bytes8 = typename Lanes::Bytes8;
    const int pairs = depth / 2;
    const int8_t* w = reinterpret_cast<const int8_t*>(w8);
    const typename Lanes::Byte* x = reinterpret_cast<const typename Lanes::Byte*>(x8);
    uint32x4_t totals[kMR][1];
    unroll<kMR>([&](auto m) { row_base<kCorrection>(out, m, totals[m]); });
    for (int p0 = 0; p0 < pairs; p0 += Lanes::kPairsPerBlock) {
      const int block = std::min(Lanes::kPairsPerBlock, pairs - p0);
      typename Lanes::Acc4 acc[kMR];
      unroll<kMR>([&](auto m) { acc[m] = Lanes::zero4(); });
      for (int p = block; p > 0; --p, w += WFormat::kBlockBytes, x += XFormat::kBlockBytes) {
        const auto ws = load_row_pairs<kMR>(w);
        const Bytes8 xs = Lanes::load8(x);
        unroll<kMR>([&](auto m) {
          constexpr int kLane = m;
          acc[m] = Lanes::add_products(acc[m], reinterpret_bytes<Bytes8>(broadcast_row_pair<kLane>(ws)), xs);
        });
      }
      unroll<kMR>([&](auto m) { totals[m][0] = Lanes::widen_add(totals[m][0], acc[m]); });
    }
    unroll<kMR>([&](auto m) {
      if (m < out.rows) store_row(out, m, totals[m]);
    });
  }

 private:
  template <class Bytes8>
  static LOWBIT_INLINE Bytes8 reinterpret_bytes(int8x8_t v) {
    if constexpr (std::is_same<Bytes8, uint8x8_t>::value)
      return vreinterpret_u8_s8(v);
    else
      return v;
  }
};

}  // namespace
}  // namespace lowbit

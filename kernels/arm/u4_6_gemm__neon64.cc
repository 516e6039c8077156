// 4.6-bit GEMM for AArch64 Advanced SIMD: 8-bit products of centred signed bytes, 16 per MUL .16b,
// summed pairwise into 16-bit lanes by SADALP (lowbit/levels.h, gemm_arm.h), as on ARMv7 but with
// 32 registers and twice the tile height.
//
// Tile: 8 rows x 16 columns, lanes across columns. Both operands are pair-major (the two steps of a
// pair side by side): per pair of steps one 32-byte load brings X (2 vectors of 8 columns x 2 steps),
// one 16-byte load the 8 rows' weight pairs, DUP v.8h, v.h[m] broadcasts a row's pair, and MUL +
// SADALP add 16 products to 8 lanes. 16 accumulators + 2 of X + weights, broadcast and product: 21
// of 32. A lane gains at most 2 * 127 per pair, so the 16-bit lanes are widened into 32-bit totals
// (SADDW) every 129 pairs = 258 steps. Small kernel 8x4 (8-byte vectors) for the last columns.
// Layouts: docs/packing-arm.md.
#include "arm/gemm_arm.h"

namespace lowbit {
namespace {

template <int kColumns>
struct U46KernelNeon64 {
  static constexpr int kMR = 8;
  static constexpr int kNR = kColumns;
  static constexpr int kVectors = kNR / 8;  // vectors of X (and accumulators per row) per pair
  using WFormat = PairMajor<kMR>;
  using XFormat = PairMajor<kNR>;

  // The common case, one block (depth <= 258: every depth of the paper) and a tile whose rows and
  // columns are all valid: the accumulators go from the loop straight to R. Otherwise run_blocks.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w, const uint8_t* x, int depth,
                                                                  const CentredTileOutput& out) {
    const int pairs = depth / 2;
    if (pairs > kCentredPairsPerFlush || out.rows != kMR || out.cols != kNR) {
      run_blocks(w, x, pairs, out);
      return;
    }
    int16x8_t acc[kMR][kVectors];
    accumulate_loop(reinterpret_cast<const int8_t*>(w), reinterpret_cast<const int8_t*>(x), pairs, acc);
    store_full_s16_tile(out, acc);
  }

  // Any tile at any depth: blocks of at most 129 pairs, their 32-bit totals kept in memory.
  LOWBIT_MICRO_KERNEL static void run_blocks(const uint8_t* w, const uint8_t* x, int pairs,
                                             const CentredTileOutput& out) {
    alignas(16) int32_t totals[kMR][kNR];
    for (int p0 = 0; p0 == 0 || p0 < pairs; p0 += kCentredPairsPerFlush) {
      const int block = std::min(kCentredPairsPerFlush, pairs - p0);
      int16x8_t acc[kMR][kVectors];
      accumulate(reinterpret_cast<const int8_t*>(w) + p0 * 2 * kMR,
                 reinterpret_cast<const int8_t*>(x) + p0 * 2 * kNR, block, acc);
      unroll<kMR>([&](auto m) {
        int16x4_t halves[2 * kVectors];
        split_halves(acc[m], halves);
        finish_s16_block(out, m, halves, totals[m], p0 == 0, p0 + block >= pairs);
      });
    }
  }

  // The inner loop out of line, so that the register allocator sees only the loop.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void accumulate(const int8_t* w, const int8_t* x,
                                                                         int pairs,
                                                                         int16x8_t (&result)[kMR][kVectors]) {
    int16x8_t acc[kMR][kVectors];
    accumulate_loop(w, x, pairs, acc);
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { result[m][v] = acc[m][v]; }); });
  }

  // `pairs` pairs of steps into fresh 16-bit accumulators (at most 129, so that no lane overflows).
  static LOWBIT_ALWAYS_INLINE void accumulate_loop(const int8_t* w, const int8_t* x, int pairs,
                                                   int16x8_t (&acc)[kMR][kVectors]) {
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { acc[m][v] = vdupq_n_s16(0); }); });
    static_assert(kVectors == 2, "one 32-byte load of X");
#pragma GCC unroll 2
    for (int p = pairs; p > 0; --p, w += 2 * kMR, x += 2 * kNR) {
      const int16x8_t ws = vld1q_s16(reinterpret_cast<const int16_t*>(w));  // rows 0-7, one pair each
      const int8x16x2_t xs = vld1q_s8_x2(x);                                // LD1 {v.16b, v.16b}
      unroll<kMR>([&](auto m) {
        constexpr int kLane = m;
        const int8x16_t wm = vreinterpretq_s8_s16(vdupq_laneq_s16(ws, kLane));  // DUP v.8h, v.h[m]
        unroll<kVectors>([&](auto v) { acc[m][v] = vpadalq_s8(acc[m][v], vmulq_s8(wm, xs.val[v])); });
      });
    }
  }
};

// The last 4 columns: X is one 8-byte vector per pair (4 columns x 2 steps).
struct U46KernelNeon64x4 {
  static constexpr int kMR = 8;
  static constexpr int kNR = 4;
  using WFormat = PairMajor<kMR>;
  using XFormat = PairMajor<kNR>;

  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w8, const uint8_t* x8,
                                                                  int depth, const CentredTileOutput& out) {
    const int pairs = depth / 2;
    const int8_t* w = reinterpret_cast<const int8_t*>(w8);
    const int8_t* x = reinterpret_cast<const int8_t*>(x8);
    alignas(16) int32_t totals[kMR][kNR];
    for (int p0 = 0; p0 == 0 || p0 < pairs; p0 += kCentredPairsPerFlush) {
      const int block = std::min(kCentredPairsPerFlush, pairs - p0);
      int16x4_t acc[kMR];
      unroll<kMR>([&](auto m) { acc[m] = vdup_n_s16(0); });
      for (int p = block; p > 0; --p, w += 2 * kMR, x += 2 * kNR) {
        const int16x8_t ws = vld1q_s16(reinterpret_cast<const int16_t*>(w));
        const int8x8_t xs = vld1_s8(x);
        unroll<kMR>([&](auto m) {
          constexpr int kLane = m;
          acc[m] = vpadal_s8(acc[m], vmul_s8(vreinterpret_s8_s16(vdup_laneq_s16(ws, kLane)), xs));
        });
      }
      unroll<kMR>([&](auto m) {
        const int16x4_t halves[1] = {acc[m]};
        finish_s16_block(out, m, halves, totals[m], p0 == 0, p0 + block >= pairs);
      });
    }
  }
};

using U46PathNeon64 = CentredPath<U46KernelNeon64<16>, U46KernelNeon64x4>;

}  // namespace

extern const GemmPath u4_6_gemm_8x16__neon64 = {"u4_6_gemm_8x16__neon64", Scheme::kUint4_6, Isa::kNeon64,
                                                U46PathNeon64::packed_weights_bytes, U46PathNeon64::pack_weights,
                                                U46PathNeon64::gemm_packed};

}  // namespace lowbit

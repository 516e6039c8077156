// 4.6-bit GEMM for AArch64 Advanced SIMD: 8-bit products of centred signed bytes, 16 per MUL .16b,
// summed pairwise into 16-bit lanes by SADALP (lowbit/levels.h; blocked16.h), as on ARMv7 but with
// 32 registers and twice the tile height.
//
// Tile: 8 rows x 16 columns, lanes across columns. Both operands are pair-major (the two steps of a
// pair side by side): per pair of steps one 32-byte load brings X (2 vectors of 8 columns x 2 steps),
// one 16-byte load the 8 rows' weight pairs, DUP v.8h, v.h[m] broadcasts a row's pair, and MUL +
// SADALP add 16 products to 8 lanes. 16 accumulators + 2 of X + weights, broadcast and product: 21
// of 32. A lane gains at most 2 * 127 per pair, so the 16-bit lanes are widened into 32-bit totals
// (SADDW) every 129 pairs = 258 steps. Small kernel 8x4 (8-byte vectors) for the last columns.
// Layouts: docs/packing-arm.md.
#include "arm/blocked16.h"
#include "arm/driver.h"

namespace lowbit {
namespace {

// The inner loop of the 8x16 kernel (Blocked16Kernel in blocked16.h: blocks, widening, unpack).
struct U46LoopNeon64 : KernelTraits<PairMajor<8>, PairMajor<16>, U4_6Lanes::kCorrection> {
  static constexpr bool kInlineIntoRun = true;

  // `pairs` pairs of steps into fresh 16-bit accumulators (at most 129, so that no lane overflows).
  static LOWBIT_INLINE void accumulate(const int8_t* w, const int8_t* x, int pairs,
                                       int16x8_t (&acc)[kMR][kVectors]) {
    zero_tile(acc);
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

}  // namespace

LOWBIT_DEFINE_PATH(
    u4_6_gemm_8x16c2__neon64, Isa::kNeon64,
    ArmPath<Scheme::kUint4_6, Blocked16Kernel<U4_6Lanes, U46LoopNeon64>, Blocked16Kernel4<U4_6Lanes, 8>>);

}  // namespace lowbit

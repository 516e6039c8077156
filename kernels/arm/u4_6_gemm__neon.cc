// 4.6-bit GEMM for ARMv7 NEON (the paper's Cortex-A15): 8-bit products of centred signed bytes,
// 16 per VMUL.I8, summed pairwise into 16-bit lanes by VPADAL.S8 (lowbit/levels.h; blocked16.h).
//
// Tile: 4 rows x 16 columns, the lanes run across columns. Both operands are pair-major (the two
// steps of a pair side by side), so one q register of X holds 8 columns x 2 steps and a 16-bit lane
// of the weights holds one row's pair: per pair of steps one 32-byte load brings X (2 q), one 8-byte
// load the 4 rows' weight pairs, VDUP.16 q, d[m] broadcasts a row's pair, and VMUL.I8 + VPADAL.S8
// add 16 products to 8 lanes. 8 q accumulators + 2 of X + weights, broadcast and product: 13 of
// the 16 q registers. A lane gains at most 2 * 127 per pair, so the 16-bit lanes are widened into
// 32-bit totals (VADDW.S16) every 129 pairs = 258 steps. Small kernel 4x4 (d registers) for the last
// columns (width 100 = 6 x 16 + 4). Layouts: docs/packing-arm.md.
#include "arm/blocked16.h"
#include "arm/driver.h"

namespace lowbit {
namespace {

// VLD1.8 {d-d+3}, [x]!: the 32 bytes of X of one pair of steps (16 columns), in one load that
// advances the pointer (GCC splits the two vld1q_s8 and updates the pointer apart).
LOWBIT_INLINE int8x16x2_t load_32_bytes(const int8_t*& x) {
  int8x16x2_t r;
  __asm__("vld1.8 %h0, [%1]!" : "=w"(r), "+r"(x) : "m"(*reinterpret_cast<const int8_t(*)[32]>(x)));
  return r;
}

// The inner loop of the 4x16 kernel (Blocked16Kernel in blocked16.h: blocks, widening, unpack).
struct U46LoopNeon : KernelTraits<PairMajor<4>, PairMajor<16>, U4_6Lanes::kCorrection> {
  static constexpr bool kInlineIntoRun = true;

  // `pairs` pairs of steps into fresh 16-bit accumulators (at most 129, so that no lane overflows).
  static LOWBIT_INLINE void accumulate(const int8_t* w, const int8_t* x, int pairs,
                                       int16x8_t (&acc)[kMR][kVectors]) {
    zero_tile(acc);
#pragma GCC unroll 2
    for (int p = pairs; p > 0; --p) {
      const int16x4_t ws = vld1_s16(reinterpret_cast<const int16_t*>(w));  // rows 0-3, one pair each
      w += 2 * kMR;
      static_assert(kVectors == 2, "one 32-byte load");
      const int8x16x2_t xs2 = load_32_bytes(x);
      const int8x16_t xs[kVectors] = {xs2.val[0], xs2.val[1]};
      unroll<kMR>([&](auto m) {
        const int8x16_t wm = broadcast_row_pair_q<int8x16_t, m>(ws);
        unroll<kVectors>([&](auto v) { acc[m][v] = vpadalq_s8(acc[m][v], vmulq_s8(wm, xs[v])); });
      });
    }
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(
    u4_6_gemm_4x16c2__neon, Isa::kNeon,
    ArmPath<Scheme::kUint4_6, Blocked16Kernel<U4_6Lanes, U46LoopNeon>, Blocked16Kernel4<U4_6Lanes, 4>>);

}  // namespace lowbit

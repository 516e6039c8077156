// 4-bit GEMM for ARMv7 NEON (the paper's Cortex-A15): byte products of raw 4-bit codes, 16 per
// VMUL.I8, summed pairwise into unsigned 16-bit lanes by VPADAL.U8: the structure of the 4.6-bit
// kernel (u4_6_gemm__neon.cc) with X at half a byte per value (blocked16.h: Blocked16Kernel<U4Lanes, .>).
//
// Tile: 4 rows x 16 columns, the lanes run across columns. W is pair-major (PairMajor<4>: a row's
// two steps in one 16-bit lane, one byte per code), X pair-major nibbles (PairNibbles<16>). Per pair
// of steps: one 16-byte load of X, VAND #0x0F (columns 0-7 x 2 steps) and VSHR.U8 #4 (columns 8-15),
// one 8-byte load of the 4 rows' weight pairs, VDUP.16 q, d[m] per row, and VMUL.I8 + VPADAL.U8 per
// row and q register of X: 16 products into 8 lanes (the first pair VPADDL: no zeroing). A product is at most
// 15 * 15 = 225 (exact in a byte), a lane gains at most 450 per pair, so the 16-bit lanes are widened into
// 32-bit totals every kU4FlushBytes = 145 pairs = 290 steps. 8 q accumulators + 2 of X + mask, weights,
// broadcast and product: 14 of the 16 q registers. Small kernel 4x4 (d registers, raw X) for the last columns
// (width 100 = 6 x 16 + 4). Unpack: R = acc - z_w colsum + (D z_w z_x - z_x rowsum) (TileOutput).
// Layouts: docs/packing-arm.md.
#include "arm/blocked16.h"
#include "arm/driver.h"

namespace lowbit {
namespace {

// The inner loop of the 4x16 kernel (Blocked16Kernel in blocked16.h: blocks, widening, unpack).
struct U4LoopNeon : KernelTraits<PairMajor<4>, PairNibbles<16>, U4Lanes::kCorrection> {
  static constexpr bool kInlineIntoRun = false;

  // `pairs` pairs of steps into fresh 16-bit accumulators (at most 145, so that no lane overflows).
  // The first pair sets them (VPADDL), so they need no zeroing.
  static LOWBIT_INLINE void accumulate(const uint8_t* w, const uint8_t* x, int pairs,
                                       uint16x8_t (&acc)[kMR][kVectors]) {
    if (pairs <= 0) {
      zero_tile(acc);
      return;
    }
    const uint8x16_t low_nibble = vdupq_n_u8(0x0F);
    auto pair = [&](auto first) {
      const uint16x4_t ws = vld1_u16(reinterpret_cast<const uint16_t*>(w));  // rows 0-3, one pair each
      w += 2 * kMR;
      static_assert(kVectors == 2, "one 16-byte load");
      const uint8x16_t packed = vld1q_u8(x);
      x += kNR;
      const uint8x16_t xs[kVectors] = {vandq_u8(packed, low_nibble), vshrq_n_u8(packed, 4)};
      unroll<kMR>([&](auto m) {
        const uint8x16_t wm = broadcast_row_pair_q<uint8x16_t, m>(ws);
        unroll<kVectors>([&](auto v) {
          const uint8x16_t products = vmulq_u8(wm, xs[v]);
          acc[m][v] = decltype(first)::value ? vpaddlq_u8(products) : vpadalq_u8(acc[m][v], products);
        });
      });
    };
    pair(std::true_type{});
#pragma GCC unroll 2
    for (int p = pairs - 1; p > 0; --p) pair(std::false_type{});
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(
    u4_gemm_4x16c2__neon, Isa::kNeon,
    ArmPath<Scheme::kUint4, Blocked16Kernel<U4Lanes, U4LoopNeon>, Blocked16Kernel4<U4Lanes, 4>>);

}  // namespace lowbit

// 4.6-bit GEMM for AArch64 with the dot-product extension: centred signed bytes (lowbit/levels.h),
// SDOT by element, 16 products per instruction straight into 32-bit lanes.
//
// Both operands are packed centred as in the other 4.6-bit paths (w - z_w and x - c_x, signed bytes
// in [-127, 127]) but in the Dot format of the 8-bit path: per block of 4 steps, each line's 4 steps
// side by side in one 32-bit lane. SDOT acc[m][g], x[g], w[m / 4].4b[m % 4] adds 4 products to every
// lane of a 4-column accumulator. 32-bit lanes take at most 4 * 127 * 127 per SDOT, so there are no
// 16-bit accumulators, no flush, no depth limit (sums wrap modulo 2^32 like the reference), and
// unlike the 8-bit path no column sums: R = acc + row_terms[m] (unpack.h).
//
// Tile: 8 rows x kNR columns, lanes across columns. Big kernel 8x12: 24 accumulators + 3 X + 2 W
// registers; small 8x4 for the last columns. Layouts: docs/packing-arm.md.
#include "arm/driver.h"

namespace lowbit {
namespace {

template <int kColumns>
struct U46KernelNeonDot {
  static constexpr int kMR = 8;
  static constexpr int kNR = kColumns;
  static constexpr int kGroups = kNR / 4;  // 4-column accumulators per row
  using WFormat = Dot4<8, kMR>;
  using XFormat = Dot4<8, kNR>;
  static constexpr Correction kCorrection = Correction::kRows;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w8, const uint8_t* x8, int depth,
                                      const TileOutput& out) {
    const int8_t* w = reinterpret_cast<const int8_t*>(w8);
    const int8_t* x = reinterpret_cast<const int8_t*>(x8);
    int32x4_t acc[kMR][kGroups];
    unroll<kMR>([&](auto m) { unroll<kGroups>([&](auto g) { acc[m][g] = vdupq_n_s32(0); }); });
    for (int k = 0; k < depth; k += 4, w += 4 * kMR, x += 4 * kNR) {
      const int8x16_t ws[2] = {vld1q_s8(w), vld1q_s8(w + 16)};  // rows 0-3, rows 4-7
      int8x16_t xs[kGroups];
      unroll<kGroups>([&](auto g) { xs[g] = vld1q_s8(x + 16 * g); });
      unroll<kMR>([&](auto m) {
        constexpr int kLane = m % 4;  // a literal constant even at -O0, as the lane argument must be
        unroll<kGroups>([&](auto g) {
          acc[m][g] = vdotq_laneq_s32(acc[m][g], xs[g], ws[m / 4], kLane);
        });
      });
    }
    store_tile<kCorrection>(out, acc);
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u4_6_gemm_8x12c4__neondot, Isa::kNeonDot,
                   ArmPath<Scheme::kUint4_6, U46KernelNeonDot<12>, U46KernelNeonDot<4>>);

}  // namespace lowbit

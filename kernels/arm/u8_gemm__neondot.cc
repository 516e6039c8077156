// 8-bit GEMM for AArch64 with the dot-product extension: UDOT by element, 16 products per instruction
// straight into 32-bit lanes (no widening, no 16-bit stage).
//
// Tile: 8 rows x kNR columns, lanes across columns. Per block of 4 steps: 2 vectors of weights (rows
// 0-3 and 4-7, each row's 4 steps in one 32-bit element) and kNR/4 vectors of X (4 columns x 4
// steps); UDOT acc[m][g], x[g], w[m / 4].4b[m % 4]. Big kernel 8x12: 24 accumulators + 3 X + 2 W
// registers; small 8x4 for the last columns. Sums wrap modulo 2^32 like the reference.
#include "arm/driver.h"

namespace lowbit {
namespace {

template <int kColumns>
struct U8KernelNeonDot {
  static constexpr int kMR = 8;
  static constexpr int kNR = kColumns;
  static constexpr int kGroups = kNR / 4;  // 4-column accumulators per row
  using WFormat = Dot4<8, kMR>;
  using XFormat = Dot4<8, kNR>;
  static constexpr Correction kCorrection = Correction::kRowsAndColumns;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w, const uint8_t* x, int depth,
                                      const TileOutput& out) {
    uint32x4_t acc[kMR][kGroups];
    unroll<kMR>([&](auto m) { unroll<kGroups>([&](auto g) { acc[m][g] = vdupq_n_u32(0); }); });
    for (int k = 0; k < depth; k += 4, w += 4 * kMR, x += 4 * kNR) {
      const uint8x16_t ws[2] = {vld1q_u8(w), vld1q_u8(w + 16)};
      uint8x16_t xs[kGroups];
      unroll<kGroups>([&](auto g) { xs[g] = vld1q_u8(x + 16 * g); });
      unroll<kMR>([&](auto m) {
        constexpr int kLane = m % 4;  // a literal constant even at -O0, as the lane argument must be
        unroll<kGroups>([&](auto g) {
          acc[m][g] = vdotq_laneq_u32(acc[m][g], xs[g], ws[m / 4], kLane);
        });
      });
    }
    store_tile<kCorrection>(out, acc);
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u8_gemm_8x12c4__neondot, Isa::kNeonDot, ArmPath<Scheme::kUint8, U8KernelNeonDot<12>, U8KernelNeonDot<4>>);

}  // namespace lowbit

// 8-bit GEMM for ARMv7 NEON, gemmlowp style: operands widened to 16 bits, VMLAL.U16 by scalar into
// 32-bit lanes (4 products per instruction; an 8-bit product does not fit a 16-bit sum).
//
// Tile: 4 rows x kNR columns, the lanes run across columns. Per pair of steps: one d register of
// weights (4 rows x 2 steps) widened to a q register whose halves are the scalars of each step (16-bit
// scalars must live in d0-d7), and kNR/4 d registers of X widened to 2 * kNR/4 column quads.
// Big kernel 4x12: 12 q accumulators (gemmlowp's 12x4 cell, transposed); small 4x4 for the last
// columns. Sums wrap modulo 2^32 like the reference. Layouts and register maps: docs/packing-arm.md.
#include "arm/driver.h"
#include "arm/kernel_traits.h"

namespace lowbit {
namespace {

template <int kColumns, class Traits = KernelTraits<StepMajor<8, 4>, StepMajor<8, kColumns>>>
struct U8KernelNeon : Traits {
  static constexpr int kMR = Traits::kMR, kNR = Traits::kNR, kQuads = Traits::kQuads;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w, const uint8_t* x, int depth, const TileOutput& out) {
    uint32x4_t acc[kMR][kQuads];
    zero_tile(acc);
    for (int k = 0; k < depth; k += 2, w += 2 * kMR, x += 2 * kNR) {
      const uint16x8_t ws = vmovl_u8(vld1_u8(w));  // low half: step k, high half: step k + 1
      // 2 * kNR bytes = the step-k columns, then the step-(k+1) columns: 2 * kQuads quads.
      uint16x4_t xs[2 * kQuads];
      unroll<kQuads>([&](auto i) {
        const uint16x8_t wide = vmovl_u8(vld1_u8(x + 8 * i));
        xs[2 * i] = vget_low_u16(wide);
        xs[2 * i + 1] = vget_high_u16(wide);
      });
      unroll<kMR>([&](auto m) {
        constexpr int kLane = m;  // a literal constant even at -O0, as the lane argument must be
        unroll<kQuads>([&](auto q) {
          acc[m][q] = vmlal_lane_u16(acc[m][q], xs[q], vget_low_u16(ws), kLane);
          acc[m][q] = vmlal_lane_u16(acc[m][q], xs[kQuads + q], vget_high_u16(ws), kLane);
        });
      });
    }
    store_tile<Traits::kCorrection>(out, acc);
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u8_gemm_4x12c2__neon, Isa::kNeon,
                   ArmPath<Scheme::kUint8, U8KernelNeon<12>, U8KernelNeon<4>>);

}  // namespace lowbit

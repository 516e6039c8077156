// 8-bit GEMM for AArch64 Advanced SIMD, gemmlowp style: operands widened to 16 bits, UMLAL/UMLAL2 by
// element into 32-bit lanes (4 products per instruction; an 8-bit product does not fit a 16-bit sum).
//
// Tile: 8 rows x kNR columns, lanes across columns. Per pair of steps: 16 bytes of weights (8 rows x
// 2 steps) widened to two vectors of 16-bit scalars (by-element operands must be in v0-v15), and
// 2 * kNR bytes of X widened to 16-bit vectors whose halves are 4-column quads (UMLAL takes the low
// half, UMLAL2 the high one, no extraction). Big kernel 8x12: 24 accumulators + 3 X + 2 W = 29 of 32
// registers; small 8x4 for the last columns. Sums wrap modulo 2^32 like the reference.
#include "arm/driver.h"
#include "arm/kernel_traits.h"

namespace lowbit {
namespace {

template <int kColumns, class Traits = KernelTraits<StepMajor<8, 8>, StepMajor<8, kColumns>>>
struct U8KernelNeon64 : Traits {
  static constexpr int kMR = Traits::kMR, kNR = Traits::kNR, kQuads = Traits::kQuads;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w, const uint8_t* x, int depth, const TileOutput& out) {
    uint32x4_t acc[kMR][kQuads];
    zero_tile(acc);
    for (int k = 0; k < depth; k += 2, w += 2 * kMR, x += 2 * kNR) {
      const uint8x16_t w8 = vld1q_u8(w);
      const uint16x8_t ws[2] = {vmovl_u8(vget_low_u8(w8)), vmovl_high_u8(w8)};  // steps k, k + 1
      // 2 * kNR bytes: the step-k columns, then the step-(k+1) columns, as kQuads 16-bit vectors.
      uint16x8_t xs[kQuads];
      unroll<kQuads>([&](auto i) { xs[i] = vmovl_u8(vld1_u8(x + 8 * i)); });
      unroll<2>([&](auto step) {
        unroll<kMR>([&](auto m) {
          constexpr int kLane = m;  // a literal constant even at -O0, as the lane argument must be
          unroll<kQuads>([&](auto q) {
            constexpr int kQuad = step * kQuads + q;  // which half of which vector of X
            if (kQuad % 2 == 0)
              acc[m][q] = vmlal_laneq_u16(acc[m][q], vget_low_u16(xs[kQuad / 2]), ws[step], kLane);
            else
              acc[m][q] = vmlal_high_laneq_u16(acc[m][q], xs[kQuad / 2], ws[step], kLane);
          });
        });
      });
    }
    store_tile<Traits::kCorrection>(out, acc);
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u8_gemm_8x12c2__neon64, Isa::kNeon64,
                   ArmPath<Scheme::kUint8, U8KernelNeon64<12>, U8KernelNeon64<4>>);

}  // namespace lowbit

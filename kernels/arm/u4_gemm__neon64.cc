// 4-bit GEMM for AArch64 Advanced SIMD: 8-bit multiplies accumulated in 16-bit lanes, as on ARMv7
// but with 32 registers and UMLAL2 (the upper 8 lanes of a 16-byte vector need no extraction).
//
// Tile: 8 rows x kNR columns, lanes across columns. Each step multiplies a broadcast weight (DUP
// from the 8 weights of the step, unpacked once) by kNR columns of X: UMLAL on the low 8, UMLAL2 on
// the high 8 (AArch64 has no by-element form for bytes). Big kernel 8x24: 24 accumulators + 2 of X + 1 weight
// + the mask (28 of 32); small 8x8 for the last columns. A lane gains two products per packed byte (two
// steps), so the 16-bit lanes are widened into 32-bit totals every 145 bytes = 290 products (<= 65535 / 225 =
// 291). Layouts: docs/packing-arm.md.
#include <array>

#include "arm/blocked16.h"
#include "arm/driver.h"

namespace lowbit {
namespace {

// The inner loop of the 8x24 and 8x8 kernels (Blocked16Kernel in blocked16.h: blocks, widening,
// unpack). A byte of the step-major nibble format holds a pair of steps: one block.
template <int kColumns,
          class Traits = KernelTraits<StepMajor<4, 8>, StepMajor<4, kColumns>, U4Lanes::kCorrection>>
struct U4LoopNeon64 : Traits {
  static constexpr int kMR = Traits::kMR, kNR = Traits::kNR, kVectors = Traits::kVectors;
  static constexpr bool kInlineIntoRun = false;
  static constexpr int kWide = kNR / 16;              // 16-byte vectors of X per step
  static constexpr bool kNarrowTail = kNR % 16 == 8;  // and one 8-byte vector

  // `bytes` packed bytes (two steps each, at most 145) into fresh 16-bit accumulators.
  static LOWBIT_INLINE void accumulate(const uint8_t* w, const uint8_t* x, int bytes,
                                       uint16x8_t (&acc)[kMR][kVectors]) {
    const uint8x16_t low_nibble = vdupq_n_u8(0x0F);
    zero_tile(acc);
    for (int b = 0; b < bytes; ++b, w += kMR, x += kNR) {
      // The even step (low nibbles), then the odd step (high nibbles) of the same bytes. The 8
      // weights of a step come from one load (8 rows x 2 steps) and reach the lanes by DUP.
      const uint8x8_t w_packed = vld1_u8(w);
      multiply_step(acc, vand_u8(w_packed, vget_low_u8(low_nibble)), x,
                    [&](uint8x16_t packed) { return vandq_u8(packed, low_nibble); });
      multiply_step(acc, vshr_n_u8(w_packed, 4), reload_barrier(x),
                    [](uint8x16_t packed) { return vshrq_n_u8(packed, 4); });
    }
  }

  // acc[m][.] += w_step[m] * x[0..kNR-1] for one step, whose nibbles of X `unpack` extracts.
  template <class Unpack>
  static LOWBIT_INLINE void multiply_step(uint16x8_t (&acc)[kMR][kVectors], uint8x8_t w_step,
                                          const uint8_t* x, Unpack unpack) {
    std::array<uint8x16_t, kWide> wide;
    unroll<kWide>([&](auto i) { wide[i] = unpack(vld1q_u8(x + 16 * i)); });
    uint8x8_t tail = vdup_n_u8(0);
    if (kNarrowTail) tail = vget_low_u8(unpack(vcombine_u8(vld1_u8(x + 16 * kWide), tail)));
    unroll<kMR>([&](auto m) {
      constexpr int kLane = m;  // a literal constant even at -O0, as the lane argument must be
      const uint8x16_t ws = vdupq_lane_u8(w_step, kLane);  // DUP v.16b, v.b[m]
      unroll<kWide>([&](auto i) {
        acc[m][2 * i] = vmlal_u8(acc[m][2 * i], vget_low_u8(wide[i]), vget_low_u8(ws));
        acc[m][2 * i + 1] = vmlal_high_u8(acc[m][2 * i + 1], wide[i], ws);
      });
      if (kNarrowTail) acc[m][kVectors - 1] = vmlal_u8(acc[m][kVectors - 1], tail, vget_low_u8(ws));
    });
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u4_gemm_8x24c2__neon64, Isa::kNeon64,
                   ArmPath<Scheme::kUint4, Blocked16Kernel<U4Lanes, U4LoopNeon64<24>>,
                           Blocked16Kernel<U4Lanes, U4LoopNeon64<8>>>);

}  // namespace lowbit

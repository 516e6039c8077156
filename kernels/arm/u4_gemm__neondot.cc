// 4-bit GEMM for AArch64 with the dot-product extension: nibbles unpacked to bytes, then UDOT by
// element into 32-bit lanes.
//
// Why UDOT and not the 16-bit UMLAL scheme of the neon64 path: per 8 steps of a 8x12 tile, UDOT takes
// 48 multiply instructions (16 products each) plus 10 unpacking ANDs/shifts and 10 loads; UMLAL would
// take 96 (8 products each) plus 16 broadcast loads, 20 unpacking operations and the flushes of the
// 16-bit lanes. 32-bit lanes also never need flushing (4 * 225 per UDOT).
//
// Tile: 8 rows x kNR columns, lanes across columns. A packed block covers 8 steps: its low nibbles
// are the first 4 steps in UDOT order, its high nibbles the next 4 (docs/packing-arm.md). Big
// kernel 8x12: 24 accumulators + 3 X + 2 W + the mask; small 8x4 for the last columns.
#include "arm/dot_bytes.h"
#include "arm/driver.h"

namespace lowbit {
namespace {

template <int kColumns, class Traits = KernelTraits<Dot4<4, 8>, Dot4<4, kColumns>>>
struct U4KernelNeonDot : Traits {
  static constexpr int kMR = Traits::kMR, kNR = Traits::kNR, kQuads = Traits::kQuads;

  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w, const uint8_t* x,
                                                                  int depth, const TileOutput& out) {
    const uint8x16_t low_nibble = vdupq_n_u8(0x0F);
    uint32x4_t acc[kMR][kQuads];
    zero_tile(acc);
    for (int k = 0; k < depth; k += 8, w += 4 * kMR, x += 4 * kNR) {
      // Steps 0-3 (low nibbles), then 4-7 (high nibbles) of the same bytes; keeping both unpacked
      // sets live would take 35 registers of 32.
      multiply_4_steps(acc, w, x, [&](uint8x16_t packed) { return vandq_u8(packed, low_nibble); });
      multiply_4_steps(acc, reload_barrier(w), reload_barrier(x),
                       [](uint8x16_t packed) { return vshrq_n_u8(packed, 4); });
    }
    store_tile<Traits::kCorrection>(out, acc);
  }

  template <class Unpack>
  static LOWBIT_INLINE void multiply_4_steps(uint32x4_t (&acc)[kMR][kQuads], const uint8_t* w,
                                             const uint8_t* x, Unpack unpack) {
    const uint8x16_t ws[2] = {unpack(vld1q_u8(w)), unpack(vld1q_u8(w + 16))};
    uint8x16_t xs[kQuads];
    unroll<kQuads>([&](auto g) { xs[g] = unpack(vld1q_u8(x + 16 * g)); });
    dot_by_element<UnsignedDot>(acc, ws, xs);
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u4_gemm_8x12c8__neondot, Isa::kNeonDot,
                   ArmPath<Scheme::kUint4, U4KernelNeonDot<12>, U4KernelNeonDot<4>>);

}  // namespace lowbit

// 4-bit GEMM for ARMv7 NEON (the paper's Cortex-A15): 8-bit multiplies accumulated in 16-bit lanes.
//
// Tile: 4 rows x kNR columns, the lanes run across columns. Each step multiplies a broadcast weight
// (VLD1.8 {d[]}: a load that replicates one byte) by the kNR/8 d registers of X with VMLAL.U8, 8
// products per instruction, which is the point of 4 bits: the 8-bit path gets 4 per VMLAL.U16.
// Big kernel 4x24: 12 q accumulators + 3 d of X + 1 d of weights + the nibble mask; small 4x8 for
// the last columns. A lane gains two products per packed byte (two steps), so the 16-bit lanes are
// widened into 32-bit totals every kFlushBytes = 145 bytes = 290 products (<= 65535 / 225 = 291).
// Layouts and register maps: docs/packing-arm.md.
#include "arm/gemm_arm.h"

namespace lowbit {
namespace {

constexpr int kFlushBytes = kMaxU4ProductsPerU16Lane / 2;

template <int kColumns>
struct U4KernelNeon {
  static constexpr int kMR = 4;
  static constexpr int kNR = kColumns;
  static constexpr int kVectors = kNR / 8;  // d registers of X per step
  using WFormat = StepMajor<4, kMR>;
  using XFormat = StepMajor<4, kNR>;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w, const uint8_t* x, int depth,
                                      const TileOutput& out) {
    const int bytes = depth / 2;  // per line; each holds two steps
    alignas(16) uint32_t totals[kMR][kNR];
    for (int b0 = 0; b0 < bytes; b0 += kFlushBytes) {
      const int block = std::min(kFlushBytes, bytes - b0);
      uint16x8_t acc[kMR][kVectors];
      accumulate(w + b0 * kMR, x + b0 * kNR, block, acc);
      unroll<kMR>([&](auto m) {
        finish_u16_block(out, m, acc[m], totals[m], b0 == 0, b0 + block == bytes);
      });
    }
  }

  // The inner loop over `bytes` packed bytes (two steps each) into fresh 16-bit accumulators. Out of
  // line so that the register allocator sees only the loop (the epilogue around it made GCC spill).
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void accumulate(const uint8_t* w, const uint8_t* x, int bytes,
                                             uint16x8_t (&result)[kMR][kVectors]) {
    const uint8x8_t low_nibble = vdup_n_u8(0x0F);
    uint16x8_t acc[kMR][kVectors];
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { acc[m][v] = vdupq_n_u16(0); }); });
    for (int b = 0; b < bytes; ++b, w += kMR, x += kNR) {
      // The even step (low nibbles), then the odd step (high nibbles) of the same bytes.
      multiply_step(acc, w, x, [&](uint8x8_t packed) { return vand_u8(packed, low_nibble); });
      multiply_step(acc, reload_barrier(w), reload_barrier(x),
                    [](uint8x8_t packed) { return vshr_n_u8(packed, 4); });
    }
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { result[m][v] = acc[m][v]; }); });
  }

  // acc[m][v] += w[m] * x[8v..8v+7] for one step, whose nibbles `unpack` extracts.
  template <class Unpack>
  static LOWBIT_ALWAYS_INLINE void multiply_step(uint16x8_t (&acc)[kMR][kVectors], const uint8_t* w,
                                                 const uint8_t* x, Unpack unpack) {
    uint8x8_t xs[kVectors];
    unroll<kVectors>([&](auto v) { xs[v] = unpack(vld1_u8(x + 8 * v)); });
    unroll<kMR>([&](auto m) {
      const uint8x8_t ws = unpack(vld1_dup_u8(w + m));  // VLD1.8 {d[]}: one byte to all lanes
      unroll<kVectors>([&](auto v) { acc[m][v] = vmlal_u8(acc[m][v], ws, xs[v]); });
    });
  }
};

using U4PathNeon = Path<U4KernelNeon<24>, U4KernelNeon<8>>;

}  // namespace

extern const GemmPath u4_gemm_4x24__neon = {"u4_gemm_4x24__neon", 4, Isa::kNeon,
                                            U4PathNeon::packed_weights_bytes,
                                            U4PathNeon::pack_weights, U4PathNeon::gemm_packed};

}  // namespace lowbit

// 4-bit GEMM for ARMv7 NEON (the paper's Cortex-A15): 8-bit multiplies accumulated in 16-bit lanes.
//
// Tile: 4 rows x kNR columns, the lanes run across columns. Per packed byte (two steps) one 32-bit
// load brings the 4 rows' weights, unpacked once per step (VAND / VSHR); each row's weight is
// broadcast from its lane with VDUP.8 d, d[m] (no address arithmetic) and multiplies the kNR/8 d
// registers of X with VMLAL.U8, 8 products per instruction, which is the point of 4 bits: the 8-bit
// path gets 4 per VMLAL.U16. Big kernel 4x24: 12 q accumulators + 3 d of X + weights + the nibble
// mask; small 4x4 (U4KernelNeon4, even and odd step in the two halves of one VMLAL.U8) for the last
// columns, so that width 100 = 4 x 24 + 4 packs its last panel with vector code. A lane gains two
// products per packed byte (two steps), so the 16-bit lanes are widened into 32-bit totals every
// kU4FlushBytes = 145 bytes = 290 products (<= 65535 / 225 = 291). The weights are packed by
// pack_weights_u4_neon (VLD2 / VSLI / VST4), byte for byte what Path::pack_weights writes.
// Layouts: docs/packing-arm.md (its register map of the 4x24 loop predates the VDUP version).
#include "arm/gemm_arm.h"

namespace lowbit {
namespace {

// VDUP.8 d, d[lane]; as asm, since GCC moves lane 0 through the stack.
template <int kLane>
LOWBIT_ALWAYS_INLINE uint8x8_t broadcast_lane(uint8x8_t v) {
  uint8x8_t r;
  __asm__("vdup.8 %P0, %P1[%c2]" : "=w"(r) : "w"(v), "i"(kLane));
  return r;
}

// The inner loop of U4KernelNeon (U16BlockKernel in gemm_arm.h: blocks, widening, unpack).
template <int kColumns>
struct U4LoopNeon {
  static constexpr int kMR = 4;
  static constexpr int kNR = kColumns;
  static constexpr int kVectors = kNR / 8;  // d registers of X per step
  using WFormat = StepMajor<4, kMR>;
  using XFormat = StepMajor<4, kNR>;

  // `bytes` packed bytes (two steps each) into fresh 16-bit accumulators.
  static LOWBIT_ALWAYS_INLINE void accumulate(const uint8_t* w, const uint8_t* x, int bytes,
                                              uint16x8_t (&acc)[kMR][kVectors]) {
    const uint8x8_t low_nibble = vdup_n_u8(0x0F);
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { acc[m][v] = vdupq_n_u16(0); }); });
    for (int b = bytes; b > 0; --b, w += kMR, x += kNR) {
      // The 4 weight bytes (4 rows x 2 steps) in lanes 0-3 (and again 4-7), loaded once.
      uint32_t word;
      std::memcpy(&word, w, 4);
      const uint8x8_t wraw = vreinterpret_u8_u32(vdup_n_u32(word));
      // The even step (low nibbles), then the odd step (high nibbles) of the same bytes.
      multiply_step(acc, vand_u8(wraw, low_nibble), x,
                    [&](uint8x8_t packed) { return vand_u8(packed, low_nibble); });
      multiply_step(acc, vshr_n_u8(wraw, 4), reload_barrier(x),
                    [](uint8x8_t packed) { return vshr_n_u8(packed, 4); });
    }
  }

  // acc[m][v] += w[m] * x[8v..8v+7] for one step, whose nibbles `unpack` extracts; ws holds the
  // step's weights of rows 0..3 in lanes 0..3 (VDUP.8 d, d[m] broadcasts one).
  template <class Unpack>
  static LOWBIT_ALWAYS_INLINE void multiply_step(uint16x8_t (&acc)[kMR][kVectors], uint8x8_t ws,
                                                 const uint8_t* x, Unpack unpack) {
    uint8x8_t xs[kVectors];
    if (kVectors == 3) {  // one 16-byte and one 8-byte load
      const uint8x16_t pair = vld1q_u8(x);
      xs[0] = unpack(vget_low_u8(pair));
      xs[1] = unpack(vget_high_u8(pair));
      xs[2] = unpack(vld1_u8(x + 16));
    } else {
      unroll<kVectors>([&](auto v) { xs[v] = unpack(vld1_u8(x + 8 * v)); });
    }
    unroll<kMR>([&](auto m) {
      constexpr int kLane = m;
      const uint8x8_t wm = broadcast_lane<kLane>(ws);
      unroll<kVectors>([&](auto v) { acc[m][v] = vmlal_u8(acc[m][v], wm, xs[v]); });
    });
  }
};

template <int kColumns>
using U4KernelNeon = U16BlockKernel<U4LoopNeon<kColumns>>;

// The last 4 columns (width 100 = 4 x 24 + 4): a 4-column X panel, packed with vector code like the
// full panels. A d register holds the 4 columns at the even step (lanes 0-3) and at the odd step
// (lanes 4-7); VTBL lines up each row's two weights, so one VMLAL.U8 takes both steps.
struct U4KernelNeon4 {
  static constexpr int kMR = 4;
  static constexpr int kNR = 4;
  using WFormat = StepMajor<4, kMR>;
  using XFormat = StepMajor<4, kNR>;

  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w, const uint8_t* x,
                                                                  int depth, const TileOutput& out) {
    const int bytes = depth / 2;
    const uint8x8_t low_nibble = vdup_n_u8(0x0F);
    const int8x8_t shifts = vcreate_s8(0xFCFCFCFC00000000ull);  // 0 (lanes 0-3), -4 (lanes 4-7)
    uint8x8_t rows[kMR];  // VTBL indices: row m's even weight to lanes 0-3, its odd one to 4-7
    unroll<kMR>([&](auto m) { rows[m] = vcreate_u8(0x0404040400000000ull + 0x0101010101010101ull * m); });
    uint32x4_t totals[kMR];
    unroll<kMR>([&](auto m) { totals[m] = vdupq_n_u32(0); });
    for (int b0 = 0; b0 < bytes; b0 += kU4FlushBytes) {
      const int block = std::min(kU4FlushBytes, bytes - b0);
      uint16x8_t acc[kMR];
      unroll<kMR>([&](auto m) { acc[m] = vdupq_n_u16(0); });
      for (int b = block; b > 0; --b, w += kMR, x += kNR) {
        uint32_t wword, xword;
        std::memcpy(&wword, w, 4);
        std::memcpy(&xword, x, 4);
        // Lanes 0-3: the even step (low nibbles), lanes 4-7: the odd step (high nibbles).
        const uint8x8_t ws = vand_u8(vshl_u8(vreinterpret_u8_u32(vdup_n_u32(wword)), shifts), low_nibble);
        const uint8x8_t xs = vand_u8(vshl_u8(vreinterpret_u8_u32(vdup_n_u32(xword)), shifts), low_nibble);
        unroll<kMR>([&](auto m) { acc[m] = vmlal_u8(acc[m], vtbl1_u8(ws, rows[m]), xs); });
      }
      unroll<kMR>([&](auto m) {
        totals[m] = vaddw_u16(vaddw_u16(totals[m], vget_low_u16(acc[m])), vget_high_u16(acc[m]));
      });
    }
    unroll<kMR>([&](auto m) {
      const uint32x4_t sums[1] = {totals[m]};
      store_row(out, m, sums);
    });
  }
};

using U4PathNeon = Path<U4KernelNeon<24>, U4KernelNeon4>;

// Path::pack_weights, vectorized: the same bytes (row sums, then panels of 4 rows in StepMajor<4, 4>),
// 16 steps of 4 rows at a time: VLD2 splits each row's even and odd steps, VSLI packs the pairs into
// nibbles and VST4 interleaves the 4 rows. Rows past the height and steps past the depth read zeros.
void pack_weights_u4_neon(const QuantizedMatrix& w, void* packed) {
  constexpr int kMR = U4PathNeon::kMR;
  using Format = U4PathNeon::WFormat;
  const int rows = round_up(w.rows, kMR);
  const int depth = w.cols;
  const int padded_depth = Format::padded_depth(depth);
  const std::size_t panel_bytes = Format::panel_bytes(depth);
  int32_t* row_sums = static_cast<int32_t*>(packed);
  uint8_t* panel = reinterpret_cast<uint8_t*>(row_sums + rows);
  for (int i0 = 0; i0 < rows; i0 += kMR, panel += panel_bytes) {
    uint32x4_t sums[kMR];
    unroll<kMR>([&](auto m) { sums[m] = vdupq_n_u32(0); });
    for (int k0 = 0; k0 < depth; k0 += 16) {
      uint8x8x4_t nibbles;
      unroll<kMR>([&](auto m) {
        const int i = i0 + m;
        alignas(16) uint8_t padded[16];
        const uint8_t* src = padded;
        if (i < w.rows && k0 + 16 <= depth) {
          src = w.data + i * w.stride + k0;
        } else {
          std::memset(padded, 0, sizeof padded);
          if (i < w.rows) std::memcpy(padded, w.data + i * w.stride + k0, depth - k0);
        }
        const uint8x8x2_t steps = vld2_u8(src);  // even steps, odd steps
        nibbles.val[m] = vsli_n_u8(steps.val[0], steps.val[1], 4);
        sums[m] = vpadalq_u16(sums[m], vaddl_u8(steps.val[0], steps.val[1]));
      });
      uint8_t* dst = panel + k0 / 2 * kMR;
      if (k0 + 16 <= padded_depth) {
        vst4_u8(dst, nibbles);
      } else {
        alignas(16) uint8_t last[32];
        vst4_u8(last, nibbles);
        std::memcpy(dst, last, static_cast<std::size_t>(padded_depth - k0) / 2 * kMR);
      }
    }
    unroll<kMR>([&](auto m) {
      const uint64x2_t halves = vpaddlq_u32(sums[m]);
      const uint32_t sum = static_cast<uint32_t>(vgetq_lane_u64(halves, 0) + vgetq_lane_u64(halves, 1));
      row_sums[i0 + m] = static_cast<int32_t>(sum);
    });
  }
}

}  // namespace

extern const GemmPath u4_gemm_4x24__neon = {"u4_gemm_4x24__neon", Scheme::kUint4, Isa::kNeon,
                                            U4PathNeon::packed_weights_bytes,
                                            pack_weights_u4_neon, U4PathNeon::gemm_packed};

}  // namespace lowbit

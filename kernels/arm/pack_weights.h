// Packing the weights, once per weight matrix: the one packer of every ARM path. Packed weights are
// an int32 sum per row (height rounded up to kMR; the unpack's row correction), then the panels of
// kMR rows in the kernels' format (formats.h), exactly the bytes the micro-kernel reads.
//
// 16 steps of kMR rows at a time: each row's 16 bytes minus `offset` (z_w for centred 4.6-bit
// weights, 0 for raw codes), summed by VPADDL + VPADAL, and put into the format's order by
// store_16_steps. Rows past the height and steps past the depth are zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "arm/formats.h"
#include "arm/neon_util.h"
#include "lowbit/gemm.h"

namespace lowbit {
namespace {

// ---- 16 steps of the panel's rows, in each weight format's order ---------------------------------

// Step-major bytes: 4 rows by VST4.8; 8 rows zipped in pairs (a 16-bit lane holds two rows' bytes of
// one step), then VST4.16.
template <int kRows>
LOWBIT_INLINE void store_16_steps(StepMajor<8, kRows>, const uint8x16_t (&rows)[kRows], uint8_t* dst) {
  static_assert(kRows == 4 || kRows == 8, "panels of 4 or 8 rows");
  if constexpr (kRows == 4) {
    vst4q_u8(dst, (uint8x16x4_t{{rows[0], rows[1], rows[2], rows[3]}}));
  } else {
    uint8x16x2_t pairs[4];  // [steps 0-7, steps 8-15] of rows 2p, 2p+1
    unroll<4>([&](auto p) { pairs[p] = vzipq_u8(rows[2 * p], rows[2 * p + 1]); });
    unroll<2>([&](auto half) {
      vst4q_u16(reinterpret_cast<uint16_t*>(dst + 64 * half),
                (uint16x8x4_t{
                    {vreinterpretq_u16_u8(pairs[0].val[half]), vreinterpretq_u16_u8(pairs[1].val[half]),
                     vreinterpretq_u16_u8(pairs[2].val[half]), vreinterpretq_u16_u8(pairs[3].val[half])}}));
    });
  }
}

// Step-major nibbles, 8 rows: VUZP separates even and odd steps, VSLI #4 packs them into one byte per
// pair of steps, then the step-major order as for bytes.
LOWBIT_INLINE void store_16_steps(StepMajor<4, 8>, const uint8x16_t (&rows)[8], uint8_t* dst) {
  uint16x8_t pairs[4];  // per pair of steps j, the packed bytes of rows 2p and 2p+1
  unroll<4>([&](auto p) {
    const uint8x16x2_t steps = vuzpq_u8(rows[2 * p], rows[2 * p + 1]);    // even steps, odd steps
    const uint8x16_t packed = vsliq_n_u8(steps.val[0], steps.val[1], 4);  // row 2p | row 2p+1
    const uint8x8x2_t zipped = vzip_u8(vget_low_u8(packed), vget_high_u8(packed));
    pairs[p] = vreinterpretq_u16_u8(vcombine_u8(zipped.val[0], zipped.val[1]));
  });
  vst4q_u16(reinterpret_cast<uint16_t*>(dst), (uint16x8x4_t{{pairs[0], pairs[1], pairs[2], pairs[3]}}));
}

// Pair-major: a row's pair of steps is one 16-bit lane. 4 rows: VST4.16; 8 rows: an 8 x 8 transpose
// of 16-bit lanes (zip rows at 16, then 32, then 64 bits).
template <int kRows>
LOWBIT_INLINE void store_16_steps(PairMajor<kRows>, const uint8x16_t (&bytes)[kRows], uint8_t* dst8) {
  static_assert(kRows == 4 || kRows == 8, "panels of 4 or 8 rows");
  int16x8_t rows[kRows];
  unroll<kRows>([&](auto r) { rows[r] = vreinterpretq_s16_u8(bytes[r]); });
  int16_t* dst = reinterpret_cast<int16_t*>(dst8);
  if constexpr (kRows == 4) {
    vst4q_s16(dst, (int16x8x4_t{{rows[0], rows[1], rows[2], rows[3]}}));
  } else {
    int16x8_t by2[8];  // pairs 0-3, then 4-7, of rows r and r+1
    for (int r = 0; r < 8; r += 2) {
      const int16x8x2_t z = vzipq_s16(rows[r], rows[r + 1]);
      by2[r] = z.val[0];
      by2[r + 1] = z.val[1];
    }
    int32x4_t by4[8];  // rows 0-3 or 4-7, two pairs per vector
    for (int half = 0; half < 2; ++half)
      for (int lo = 0; lo < 2; ++lo) {
        const int32x4x2_t z = vzipq_s32(vreinterpretq_s32_s16(by2[4 * half + lo]),
                                        vreinterpretq_s32_s16(by2[4 * half + 2 + lo]));
        by4[4 * half + 2 * lo] = z.val[0];      // pairs 4lo, 4lo+1
        by4[4 * half + 2 * lo + 1] = z.val[1];  // pairs 4lo+2, 4lo+3
      }
    for (int j = 0; j < 4; ++j) {  // pairs 2j, 2j+1
      const int32x4_t a = by4[j], b = by4[4 + j];
      vst1q_s32(reinterpret_cast<int32_t*>(dst) + 8 * j, vcombine_s32(vget_low_s32(a), vget_low_s32(b)));
      vst1q_s32(reinterpret_cast<int32_t*>(dst) + 8 * j + 4,
                vcombine_s32(vget_high_s32(a), vget_high_s32(b)));
    }
  }
}

// Dot bytes: 4 blocks of 4 steps (one 32-bit lane of a row per block), a 4 x 4 transpose of 32-bit
// lanes per group of 4 rows (TRN).
template <int kRows>
LOWBIT_INLINE void store_16_steps(Dot4<8, kRows>, const uint8x16_t (&rows)[kRows], uint8_t* dst8) {
  int32_t* dst = reinterpret_cast<int32_t*>(dst8);
  unroll<kRows / 4>([&](auto group) {
    auto row = [&](int r) { return vreinterpretq_s32_u8(rows[4 * group + r]); };
    const int32x4x2_t t01 = vtrnq_s32(row(0), row(1));
    const int32x4x2_t t23 = vtrnq_s32(row(2), row(3));
    const int32x4_t blocks[4] = {vcombine_s32(vget_low_s32(t01.val[0]), vget_low_s32(t23.val[0])),
                                 vcombine_s32(vget_low_s32(t01.val[1]), vget_low_s32(t23.val[1])),
                                 vcombine_s32(vget_high_s32(t01.val[0]), vget_high_s32(t23.val[0])),
                                 vcombine_s32(vget_high_s32(t01.val[1]), vget_high_s32(t23.val[1]))};
    unroll<4>([&](auto b) { vst1q_s32(dst + b * kRows + 4 * group, blocks[b]); });
  });
}

// Dot nibbles, 8 rows: 2 blocks of 8 steps. VUZP.32 separates a row's steps 0-3 / 8-11 from 4-7 /
// 12-15, VSLI #4 packs them (low nibble: the first 4 steps of the block), a second VUZP.32 gathers
// each block's lanes of 4 rows.
LOWBIT_INLINE void store_16_steps(Dot4<4, 8>, const uint8x16_t (&rows)[8], uint8_t* dst) {
  uint32x4_t packed[4];  // rows 2p, 2p+1: [row 2p block 0, block 1, row 2p+1 block 0, block 1]
  unroll<4>([&](auto p) {
    const uint32x4x2_t halves =
        vuzpq_u32(vreinterpretq_u32_u8(rows[2 * p]), vreinterpretq_u32_u8(rows[2 * p + 1]));
    packed[p] = vreinterpretq_u32_u8(
        vsliq_n_u8(vreinterpretq_u8_u32(halves.val[0]), vreinterpretq_u8_u32(halves.val[1]), 4));
  });
  const uint32x4x2_t rows03 = vuzpq_u32(packed[0], packed[1]);  // [block 0, block 1] of rows 0-3
  const uint32x4x2_t rows47 = vuzpq_u32(packed[2], packed[3]);
  uint32_t* out = reinterpret_cast<uint32_t*>(dst);
  vst1q_u32(out, rows03.val[0]);
  vst1q_u32(out + 4, rows47.val[0]);
  vst1q_u32(out + 8, rows03.val[1]);
  vst1q_u32(out + 12, rows47.val[1]);
}

// ---- The packer ---------------------------------------------------------------------------------

// Adds 16 bytes of a row to its 32-bit sum: signed for centred weights, unsigned for raw codes (the
// int32 sums wrap modulo 2^32 either way, as the reference does).
template <bool kSigned>
LOWBIT_INLINE uint32x4_t add_row_bytes(uint32x4_t sums, uint8x16_t v) {
  if constexpr (kSigned)
    return vreinterpretq_u32_s32(
        vpadalq_s16(vreinterpretq_s32_u32(sums), vpaddlq_s8(vreinterpretq_s8_u8(v))));
  else
    return vpadalq_u16(sums, vpaddlq_u8(v));
}

template <class WFormat>
std::size_t weight_panels_bytes(int height, int depth) {
  const int rows = round_up(height, WFormat::kLines);
  return rows * sizeof(int32_t) +
         static_cast<std::size_t>(rows / WFormat::kLines) * WFormat::panel_bytes(depth);
}

// Row sums of w - offset (signed when kCentred), then the panels of w - offset in WFormat. The full
// blocks of 16 steps read the rows in place; the last, partial block reads copies padded with
// `offset`; rows past the height read a row of `offset` (0 once subtracted).
template <class WFormat, bool kCentred>
void pack_weight_panels(const QuantizedMatrix& w, uint8_t offset, void* packed) {
  constexpr int kMR = WFormat::kLines;
  // Bytes of the panel per 16 steps (16 is a multiple of every format's depth step).
  constexpr std::size_t kBytesPer16Steps = 16 / WFormat::kDepthStep * WFormat::kBlockBytes;
  const int rows = round_up(w.rows, kMR);
  const int depth = w.cols;
  const int full_depth = depth / 16 * 16;  // steps in full blocks of 16
  const std::size_t tail_bytes = static_cast<std::size_t>(WFormat::padded_depth(depth) - full_depth) /
                                 WFormat::kDepthStep * WFormat::kBlockBytes;
  const std::size_t panel_bytes = WFormat::panel_bytes(depth);
  const uint8x16_t centre = vdupq_n_u8(offset);
  alignas(16) uint8_t offset_row[16];
  vst1q_u8(offset_row, centre);
  int32_t* row_sums = static_cast<int32_t*>(packed);
  uint8_t* panel = reinterpret_cast<uint8_t*>(row_sums + rows);
  for (int i0 = 0; i0 < rows; i0 += kMR, panel += panel_bytes) {
    const uint8_t* src[kMR];  // each row's next 16 steps
    int advance[kMR];         // 16, or 0 for a row past the height
    for (int m = 0; m < kMR; ++m) {
      const bool valid = i0 + m < w.rows;
      src[m] = valid ? w.data + (i0 + m) * w.stride : offset_row;
      advance[m] = valid ? 16 : 0;
    }
    uint32x4_t sums[kMR];
    unroll<kMR>([&](auto m) { sums[m] = vdupq_n_u32(0); });
    auto pack_block = [&](auto load, uint8_t* dst) {
      uint8x16_t block[kMR];
      unroll<kMR>([&](auto m) {
        block[m] = vsubq_u8(load(m), centre);
        sums[m] = add_row_bytes<kCentred>(sums[m], block[m]);
      });
      store_16_steps(WFormat{}, block, dst);
    };
    uint8_t* dst = panel;
    for (int k0 = 0; k0 < full_depth; k0 += 16, dst += kBytesPer16Steps) {
      pack_block([&](int m) { return vld1q_u8(src[m]); }, dst);
      unroll<kMR>([&](auto m) { src[m] += advance[m]; });
    }
    if (tail_bytes > 0) {
      alignas(16) uint8_t tail[kMR][16];
      alignas(16) uint8_t last[kBytesPer16Steps];
      for (int m = 0; m < kMR; ++m) {
        std::memset(tail[m], offset, 16);
        if (advance[m] != 0) std::memcpy(tail[m], src[m], depth - full_depth);
      }
      pack_block([&](int m) { return vld1q_u8(tail[m]); }, last);
      std::memcpy(dst, last, tail_bytes);
    }
    unroll<kMR>([&](auto m) {
      const uint64x2_t halves = vpaddlq_u32(sums[m]);
      row_sums[i0 + m] =
          static_cast<int32_t>(static_cast<uint32_t>(vgetq_lane_u64(halves, 0) + vgetq_lane_u64(halves, 1)));
    });
  }
}

}  // namespace
}  // namespace lowbit

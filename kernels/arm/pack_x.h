// Packing a panel of X (kLines columns over the depth), right before the kernels read it, so that it
// stays in L1. Raw codes (uint8, uint4) are packed with their column sums times z_w (the unpack's
// column terms); centred codes (4.6-bit) are packed as x - c_x and need no sums. One full-panel packer
// per format (pack_full_panel); a partial panel (the last columns) goes through the format's put().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "arm/formats.h"
#include "arm/neon_util.h"
#include "common/flush_bounds.h"
#include "lowbit/gemm.h"

namespace lowbit {
namespace {

// Column sums of a panel in 16-bit lanes, one vector per 8 columns, moved into 32-bit totals before
// they can wrap: after kStepsPerFlush calls of end_step(), each adding at most kLaneGainPerStep.
template <int kLines, int kLaneGainPerStep>
class ColumnSums {
 public:
  static constexpr int kChunks = ceil_div(kLines, 8);  // of 8 columns; the last may have 4

  LOWBIT_INLINE ColumnSums() {
    unroll<kChunks>([&](auto c) { sums16_[c] = vdupq_n_u16(0); });
    unroll<2 * kChunks>([&](auto c) { sums32_[c] = vdupq_n_u32(0); });
  }
  // Adds 8 (or, for the last chunk of a 4-column remainder, 4) bytes to columns 8c...
  template <int kChunk>
  LOWBIT_INLINE void add(uint8x8_t bytes) {
    sums16_[kChunk] = vaddw_u8(sums16_[kChunk], bytes);
  }
  LOWBIT_INLINE void end_step() {
    if (++steps_ == kStepsPerFlush) flush();
  }
  // Flushes and writes kLines sums times `scale` (the unpack's column terms: z_w colsum).
  LOWBIT_INLINE void store(uint32_t* col_sums, uint32_t scale) {
    flush();
    unroll<kChunks>([&](auto c) {
      vst1q_u32(col_sums + 8 * c, vmulq_n_u32(sums32_[2 * c], scale));
      if constexpr (kLines - 8 * c >= 8)
        vst1q_u32(col_sums + 8 * c + 4, vmulq_n_u32(sums32_[2 * c + 1], scale));
    });
  }

 private:
  static constexpr int kStepsPerFlush = products_per_lane(kU16LaneMax, kLaneGainPerStep);

  LOWBIT_INLINE void flush() {
    unroll<kChunks>([&](auto c) {
      sums32_[2 * c] = vaddw_u16(sums32_[2 * c], vget_low_u16(sums16_[c]));
      if constexpr (kLines - 8 * c >= 8)
        sums32_[2 * c + 1] = vaddw_u16(sums32_[2 * c + 1], vget_high_u16(sums16_[c]));
      sums16_[c] = vdupq_n_u16(0);
    });
    steps_ = 0;
  }

  uint16x8_t sums16_[kChunks];
  uint32x4_t sums32_[2 * kChunks];
  int steps_ = 0;
};

// ---- Step-major (raw codes, with column sums) ----------------------------------------------------

// Per pair of steps and 8 columns: two loads, the sums, and two stores (8-bit) or VSLI #4 and one
// store (4-bit: the odd step in the high nibble).
template <bool kCentred, int kBits, int kLines>
void pack_full_panel(StepMajor<kBits, kLines>, const uint8_t* x, std::ptrdiff_t stride, int depth, uint8_t,
                     uint8_t* panel, uint32_t* col_sums, uint32_t col_scale) {
  static_assert(!kCentred, "raw codes only");
  static_assert(kLines % 4 == 0 && kLines <= kMaxPanelColumns, "panels are 4-column chunks");
  constexpr int kMaxCode = (1 << kBits) - 1;
  ColumnSums<kLines, 2 * kMaxCode> sums;
  for (int k = 0; k < depth; k += 2) {
    const uint8_t* even = x + k * stride;
    const uint8_t* odd = k + 1 < depth ? even + stride : kZeroRow;
    unroll<decltype(sums)::kChunks>([&](auto c) {
      constexpr int kWidth = std::min(8, kLines - 8 * c);
      const uint8x8_t a = load_chunk<kWidth>(even + 8 * c);
      const uint8x8_t b = load_chunk<kWidth>(odd + 8 * c);
      sums.template add<c>(a);
      sums.template add<c>(b);
      if (kBits == 8) {
        store_chunk<kWidth>(panel + 8 * c, a);
        store_chunk<kWidth>(panel + kLines + 8 * c, b);
      } else {
        store_chunk<kWidth>(panel + 8 * c, vsli_n_u8(a, b, 4));  // a | b << 4
      }
    });
    panel += StepMajor<kBits, kLines>::kBlockBytes;
    sums.end_step();
  }
  sums.store(col_sums, col_scale);
}

// ---- Pair-major nibbles (raw 4-bit codes, with column sums) -------------------------------------

// Per pair of steps and 16 columns: two 16-byte loads; VZIP.8 interleaves the two rows (columns 0-7,
// then 8-15, two bytes per column) and VSLI #4 puts columns 8-15 into the high nibbles of 0-7; the
// sums: VADD.I8 of the two rows (<= 30), then VADDW.U8. The padding step's odd row is zeros.
template <bool kCentred, int kLines>
void pack_full_panel(PairNibbles<kLines>, const uint8_t* x, std::ptrdiff_t stride, int depth, uint8_t,
                     uint8_t* panel, uint32_t* col_sums, uint32_t col_scale) {
  static_assert(!kCentred, "raw codes only");
  static_assert(kLines <= kMaxPanelColumns, "");
  constexpr int kGroups = kLines / 16;
  ColumnSums<kLines, 2 * 15> sums;
  auto put_pair = [&](auto has_odd, const uint8_t* even) {
    unroll<kGroups>([&](auto g) {
      const uint8x16_t a = vld1q_u8(even + 16 * g);
      const uint8x16_t b = decltype(has_odd)::value ? vld1q_u8(even + stride + 16 * g) : vdupq_n_u8(0);
      const uint8x16_t s = vaddq_u8(a, b);
      sums.template add<2 * g>(vget_low_u8(s));
      sums.template add<2 * g + 1>(vget_high_u8(s));
      const uint8x16x2_t pairs = vzipq_u8(a, b);
      vst1q_u8(panel + 16 * g, vsliq_n_u8(pairs.val[0], pairs.val[1], 4));
    });
    panel += kLines;
    sums.end_step();
  };
  int k = 0;
  for (; k + 2 <= depth; k += 2) put_pair(std::true_type{}, x + k * stride);
  if (k < depth) put_pair(std::false_type{}, x + k * stride);
  sums.store(col_sums, col_scale);
}

// ---- Pair-major (centred 4.6-bit codes, or raw codes with column sums) ---------------------------

// Per pair of steps and 16, 8 or 4 columns: the two rows (centred if kCentred; the odd one zeros at
// the padding step), interleaved by VST2.8 (16, 8 columns) or VZIP (4).
template <bool kCentred, int kLines>
void pack_full_panel(PairMajor<kLines>, const uint8_t* x, std::ptrdiff_t stride, int depth,
                     uint8_t centre_code, uint8_t* panel, uint32_t* col_sums, uint32_t col_scale) {
  static_assert(kLines % 4 == 0 && kLines <= kMaxPanelColumns, "panels are 4-column chunks");
  constexpr int kChunks = ceil_div(kLines, 16);  // of 16 columns; the last may have 8 or 4
  const uint8x16_t centre = vdupq_n_u8(centre_code);
  ColumnSums<kLines, 2 * 255> sums;
  // kHasOdd false: the padding step, whose odd row is zeros (not read, nothing subtracted).
  auto put_pair = [&](auto has_odd, const uint8_t* even) {
    constexpr bool kHasOdd = decltype(has_odd)::value;
    const uint8_t* odd = kHasOdd ? even + stride : kZeroRow;
    const uint8x16_t odd_centre = kHasOdd ? centre : vdupq_n_u8(0);
    unroll<kChunks>([&](auto c) {
      constexpr int kLeft = kLines - 16 * c;
      constexpr int kWidth = kLeft >= 16 ? 16 : kLeft;
      static_assert(kWidth == 16 || kWidth == 8 || kWidth == 4, "chunks of 16, then 8 or 4");
      uint8_t* dst = panel + 32 * c;
      if constexpr (kWidth == 16) {
        uint8x16_t a = vld1q_u8(even + 16 * c), b = kHasOdd ? vld1q_u8(odd + 16 * c) : vdupq_n_u8(0);
        if constexpr (kCentred) {
          a = vsubq_u8(a, centre);
          b = vsubq_u8(b, odd_centre);
        } else {
          sums.template add<2 * c>(vget_low_u8(a));
          sums.template add<2 * c>(vget_low_u8(b));
          sums.template add<2 * c + 1>(vget_high_u8(a));
          sums.template add<2 * c + 1>(vget_high_u8(b));
        }
        vst2q_u8(dst, (uint8x16x2_t{{a, b}}));
      } else {
        uint8x8_t a = load_chunk<kWidth>(even + 16 * c);
        uint8x8_t b = kHasOdd ? load_chunk<kWidth>(odd + 16 * c) : vdup_n_u8(0);
        if constexpr (kCentred) {
          a = vsub_u8(a, vget_low_u8(centre));
          b = vsub_u8(b, vget_low_u8(odd_centre));
        } else {
          sums.template add<2 * c>(a);
          sums.template add<2 * c>(b);
        }
        if constexpr (kWidth == 8)
          vst2_u8(dst, (uint8x8x2_t{{a, b}}));
        else
          vst1_u8(dst, vzip_u8(a, b).val[0]);
      }
    });
    panel += PairMajor<kLines>::kBlockBytes;
    if constexpr (!kCentred) sums.end_step();
  };
  int k = 0;
  for (; k + 2 <= depth; k += 2) put_pair(std::true_type{}, x + k * stride);
  if (k < depth) put_pair(std::false_type{}, x + k * stride);
  if constexpr (!kCentred) sums.store(col_sums, col_scale);
}

#if defined(__ARM_FEATURE_DOTPROD)
// ---- Dot (raw codes with column sums, or centred bytes) ------------------------------------------

// Per block and 8 columns: the block's 4 rows (centred if kCentred) interleaved by ST4, so that each
// column's 4 steps sit side by side; 4-bit: the block's second 4 rows go into the high nibbles (VSLI
// #4). The last 4 columns: two ZIP1 of bytes, then ZIP1 / ZIP2 of 16-bit pairs. Steps past the depth
// read kZeroRow and subtract nothing.
template <bool kCentred, int kBits, int kLines>
void pack_full_panel(Dot4<kBits, kLines>, const uint8_t* x, std::ptrdiff_t stride, int depth,
                     uint8_t centre_code, uint8_t* panel, uint32_t* col_sums, uint32_t col_scale) {
  static_assert(kLines % 4 == 0 && kLines <= kMaxPanelColumns, "panels are 4-column chunks");
  static_assert(!kCentred || kBits == 8, "centred codes are bytes");
  using Format = Dot4<kBits, kLines>;
  constexpr int kStep = Format::kDepthStep;  // rows of X per block: 4, or 8 for 4-bit
  constexpr int kChunks = ceil_div(kLines, 8);
  ColumnSums<kLines, kStep*((1 << kBits) - 1)> sums;
  const uint8x8_t centre = vdup_n_u8(centre_code), zero = vdup_n_u8(0);
  auto put_block = [&](const uint8_t* const(&rows)[kStep], const uint8x8_t(&centres)[kStep]) {
    unroll<kChunks>([&](auto c) {
      constexpr int kWidth = std::min(8, kLines - 8 * c);
      auto load = [&](int r) {
        const uint8x8_t v = load_chunk<kWidth>(rows[r] + 8 * c);
        if constexpr (kCentred) return vsub_u8(v, centres[r]);
        sums.template add<c>(v);
        return v;
      };
      uint8x8x4_t v;
      unroll<4>([&](auto r) {
        v.val[r] = load(r);
        if constexpr (kBits == 4) v.val[r] = vsli_n_u8(v.val[r], load(4 + r), 4);
      });
      if constexpr (kWidth == 8) {
        vst4_u8(panel + 32 * c, v);
      } else {
        const uint16x4_t r01 = vreinterpret_u16_u8(vzip1_u8(v.val[0], v.val[1]));
        const uint16x4_t r23 = vreinterpret_u16_u8(vzip1_u8(v.val[2], v.val[3]));
        vst1q_u16(reinterpret_cast<uint16_t*>(panel + 32 * c),
                  vcombine_u16(vzip1_u16(r01, r23), vzip2_u16(r01, r23)));
      }
    });
    panel += Format::kBlockBytes;
    if constexpr (!kCentred) sums.end_step();
  };
  uint8x8_t centres[kStep];
  unroll<kStep>([&](auto r) { centres[r] = centre; });
  int k = 0;
  for (; k + kStep <= depth; k += kStep) {
    const uint8_t* rows[kStep];
    unroll<kStep>([&](auto r) { rows[r] = x + (k + r) * stride; });
    put_block(rows, centres);
  }
  if (k < depth) {
    const uint8_t* rows[kStep];
    uint8x8_t tail_centres[kStep];
    unroll<kStep>([&](auto r) {
      const bool valid = k + r < depth;
      rows[r] = valid ? x + (k + r) * stride : kZeroRow;
      tail_centres[r] = valid ? centre : zero;
    });
    put_block(rows, tail_centres);
  }
  if constexpr (!kCentred) sums.store(col_sums, col_scale);
}
#endif

// ---- Any panel ----------------------------------------------------------------------------------

// Packs columns j0..j0+cols-1 of X into `panel` (unused columns: zeros): centred on `centre_code` if
// kCentred, else with their sums times col_scale in col_sums[0..kLines-1] (unused columns: 0).
template <class Format, bool kCentred>
void pack_x_panel(const QuantizedMatrix& x, int j0, int cols, uint8_t centre_code, uint8_t* panel,
                  uint32_t* col_sums, uint32_t col_scale) {
  constexpr int kLines = Format::kLines;
  const uint8_t* origin = x.data + j0;
  if (cols == kLines) {
    pack_full_panel<kCentred>(Format{}, origin, x.stride, x.rows, centre_code, panel, col_sums, col_scale);
    return;
  }
  std::memset(panel, 0, Format::panel_bytes(x.rows));
  for (int n = 0; n < cols; ++n)
    for (int k = 0; k < x.rows; ++k)
      Format::put(panel, n, k, static_cast<uint8_t>(origin[k * x.stride + n] - centre_code));
  if constexpr (!kCentred) {
    for (int n = 0; n < kLines; ++n) col_sums[n] = 0;
    for (int k = 0; k < x.rows; ++k)
      for (int n = 0; n < cols; ++n) col_sums[n] += origin[k * x.stride + n];
    for (int n = 0; n < cols; ++n) col_sums[n] *= col_scale;
  }
}

}  // namespace
}  // namespace lowbit

// What the ARM GEMM paths share: packed formats, operand packing, the loop over tiles and the
// vectorized unpack (zero-point corrections). Included only by kernels/arm/*__neon*.cc.
//
// Structure (gemmlowp's pack -> kernel -> unpack): the weights are packed once into panels of kMR
// rows; each panel of columns of X is packed right before use (so it stays in L1) and multiplied by
// every weight panel; a micro-kernel (a struct with kMR, kNR, the two formats and run()) computes one
// kMR x kNR tile of sum_k q_w q_x and hands each row to store_row(), which applies the corrections.
// A path is Path<Big, Small>: Big covers the full column panels, Small the columns Big leaves over.
//
// Everything here has internal linkage on purpose. Each ISA file is compiled with its own target
// flags (+dotprod for __neondot); an inline function shared by two files could be merged by the
// linker into the copy that uses instructions the other file's CPU lacks.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "lowbit/gemm.h"
#include "lowbit/levels.h"

#define LOWBIT_ALWAYS_INLINE inline __attribute__((always_inline))
// Micro-kernels stay out of line: one call per tile costs nothing, and each is a symbol of its own
// to read in objdump (no spills in the inner loop).
#define LOWBIT_MICRO_KERNEL __attribute__((noinline))
// For inner loops that fill the register file: GCC's scheduling before register allocation (on by
// default for ARM and AArch64) hoists loads there and spills accumulators; the out-of-order cores
// this targets (Cortex-A15, A57 and later) reorder by themselves.
#define LOWBIT_NO_PRE_RA_SCHEDULING __attribute__((optimize("no-schedule-insns")))

namespace lowbit {
namespace {

constexpr int round_up(int n, int m) { return (n + m - 1) / m * m; }

// Calls f(std::integral_constant<int, i>) for i = 0..kCount-1: fully unrolled, and `i` stays a
// constant expression, as lane arguments (vmlal_lane_u16, vdotq_laneq_u32) require.
template <class F, int... kIndex>
LOWBIT_ALWAYS_INLINE void unroll_impl(F& f, std::integer_sequence<int, kIndex...>) {
  (f(std::integral_constant<int, kIndex>{}), ...);
}
template <int kCount, class F>
LOWBIT_ALWAYS_INLINE void unroll(F&& f) {
  unroll_impl(f, std::make_integer_sequence<int, kCount>{});
}

// Returns `p` through an empty asm, so that GCC cannot tell it equals `p`: loads through the result
// happen again instead of reusing values already in registers. The 4-bit kernels read each packed
// byte twice (low nibbles, then high nibbles): a second load is cheaper than keeping the raw bytes
// live in registers the accumulators need.
template <class T>
LOWBIT_ALWAYS_INLINE const T* reload_barrier(const T* p) {
  __asm__("" : "+r"(p));
  return p;
}

// ---- Packed formats -----------------------------------------------------------------------------
// A panel holds kLines lines (rows of W, or columns of X) over the depth, padded with zeros to a
// multiple of kDepthStep (both operands of a kernel use the same step, so padding adds nothing).

// Step-major: for each depth step, the kLines values of that step side by side, one byte each; a
// kernel reads a step as vectors across the lines. 4-bit: two consecutive steps share a byte (low
// nibble = even step), so one load brings two steps.
template <int kBits, int kLinesInPanel>
struct StepMajor {
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = 2;
  static int padded_depth(int depth) { return round_up(depth, kDepthStep); }
  static std::size_t panel_bytes(int depth) {
    return static_cast<std::size_t>(padded_depth(depth)) * kLines * kBits / 8;
  }
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    if (kBits == 8)
      panel[k * kLines + line] = v;
    else
      panel[(k / 2) * kLines + line] |= static_cast<uint8_t>(v << (4 * (k % 2)));
  }
};

#if defined(__ARM_FEATURE_DOTPROD)
// Dot: what UDOT multiplies. Lines in groups of 4; for each block of 4 depth steps a group takes 16
// bytes, line after line, the 4 steps of a line side by side (one 32-bit lane of UDOT). 4-bit: a
// block is 8 steps; the low nibbles hold steps 0-3 and the high nibbles steps 4-7, so one AND and
// one shift give two ready UDOT operands.
template <int kBits, int kLinesInPanel>
struct Dot4 {
  static_assert(kLinesInPanel % 4 == 0, "lines come in groups of 4");
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = kBits == 8 ? 4 : 8;
  static constexpr int kBlockBytes = kLines * 4;  // bytes of one block of kDepthStep steps
  static int padded_depth(int depth) { return round_up(depth, kDepthStep); }
  static std::size_t panel_bytes(int depth) {
    return static_cast<std::size_t>(padded_depth(depth) / kDepthStep) * kBlockBytes;
  }
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    const int step = k % kDepthStep;
    uint8_t& byte = panel[(k / kDepthStep) * kBlockBytes + line * 4 + step % 4];
    byte = kBits == 8 ? v : static_cast<uint8_t>(byte | v << (4 * (step / 4)));
  }
};
#endif

// Any format, any number of lines <= kLines: the plain loop (weights, and X's last panel).
template <class Format, class ValueAt>
void pack_panel_scalar(int lines, int depth, ValueAt value, uint8_t* panel) {
  std::memset(panel, 0, Format::panel_bytes(depth));
  for (int line = 0; line < lines; ++line)
    for (int k = 0; k < depth; ++k) Format::put(panel, line, k, value(line, k));
}

// ---- Packing a full panel of X (kLines columns), with its column sums ---------------------------

// Rows of X past the depth read as zeros (the padding steps).
constexpr int kMaxPanelColumns = 32;
alignas(16) constexpr uint8_t kZeroRow[kMaxPanelColumns] = {};

// 8 or 4 bytes of a row as a d register (a 4-byte chunk has zeros in the upper lanes).
template <int kWidth>
LOWBIT_ALWAYS_INLINE uint8x8_t load_chunk(const uint8_t* p) {
  if (kWidth == 8) return vld1_u8(p);
  uint32_t bytes;
  std::memcpy(&bytes, p, 4);
  return vcreate_u8(bytes);
}
template <int kWidth>
LOWBIT_ALWAYS_INLINE void store_chunk(uint8_t* p, uint8x8_t v) {
  if (kWidth == 8) {
    vst1_u8(p, v);
  } else {
    const uint32_t bytes = vget_lane_u32(vreinterpret_u32_u8(v), 0);
    std::memcpy(p, &bytes, 4);
  }
}

template <int kBits, int kLines>
void pack_full_panel(const StepMajor<kBits, kLines>&, const uint8_t* x, std::ptrdiff_t stride,
                     int depth, uint8_t* panel, uint32_t* col_sums) {
  static_assert(kLines % 4 == 0 && kLines <= kMaxPanelColumns, "panels are 4-column chunks");
  constexpr int kChunks = (kLines + 7) / 8;  // of 8 columns; the last may have 4
  // Column sums in 16-bit lanes, moved to 32 bits before they can wrap: a pair of steps adds at
  // most 2 * 255 (8-bit) or 2 * 15 (4-bit) to a lane.
  constexpr int kPairsPerFlush = kBits == 8 ? 65535 / 510 : 65535 / 30;
  uint16x8_t sums16[kChunks];
  uint32x4_t sums32[2 * kChunks];
  unroll<kChunks>([&](auto c) { sums16[c] = vdupq_n_u16(0); });
  unroll<2 * kChunks>([&](auto c) { sums32[c] = vdupq_n_u32(0); });
  auto flush = [&]() {
    unroll<kChunks>([&](auto c) {
      sums32[2 * c] = vaddw_u16(sums32[2 * c], vget_low_u16(sums16[c]));
      sums32[2 * c + 1] = vaddw_u16(sums32[2 * c + 1], vget_high_u16(sums16[c]));
      sums16[c] = vdupq_n_u16(0);
    });
  };
  for (int k = 0, pairs = 0; k < depth; k += 2) {
    const uint8_t* even = x + k * stride;
    const uint8_t* odd = k + 1 < depth ? even + stride : kZeroRow;
    unroll<kChunks>([&](auto c) {
      constexpr int kWidth = std::min(8, kLines - 8 * c);
      const uint8x8_t a = load_chunk<kWidth>(even + 8 * c);
      const uint8x8_t b = load_chunk<kWidth>(odd + 8 * c);
      sums16[c] = vaddw_u8(vaddw_u8(sums16[c], a), b);
      if (kBits == 8) {
        store_chunk<kWidth>(panel + 8 * c, a);
        store_chunk<kWidth>(panel + kLines + 8 * c, b);
      } else {
        store_chunk<kWidth>(panel + 8 * c, vsli_n_u8(a, b, 4));  // a | b << 4
      }
    });
    panel += kLines * kBits / 4;  // two steps
    if (++pairs == kPairsPerFlush) {
      flush();
      pairs = 0;
    }
  }
  flush();
  alignas(16) uint32_t sums[2 * kChunks * 4];
  unroll<2 * kChunks>([&](auto c) { vst1q_u32(sums + 4 * c, sums32[c]); });
  std::memcpy(col_sums, sums, kLines * sizeof(uint32_t));
}

#if defined(__ARM_FEATURE_DOTPROD)
// 4 rows x 4 columns of X at (row, col), transposed: the 4 steps of each column side by side.
LOWBIT_ALWAYS_INLINE uint8x16_t load_4x4_transposed(const uint8_t* const rows[4], int col) {
  alignas(16) uint32_t words[4];
  for (int r = 0; r < 4; ++r) std::memcpy(&words[r], rows[r] + col, 4);
  alignas(16) static constexpr uint8_t kTranspose[16] = {0, 4, 8, 12, 1, 5, 9, 13,
                                                         2, 6, 10, 14, 3, 7, 11, 15};
  return vqtbl1q_u8(vreinterpretq_u8_u32(vld1q_u32(words)), vld1q_u8(kTranspose));
}

template <int kBits, int kLines>
void pack_full_panel(const Dot4<kBits, kLines>&, const uint8_t* x, std::ptrdiff_t stride, int depth,
                     uint8_t* panel, uint32_t* col_sums) {
  static_assert(kLines <= kMaxPanelColumns, "");
  constexpr int kGroups = kLines / 4;
  constexpr int kStep = Dot4<kBits, kLines>::kDepthStep;
  const uint8x16_t ones = vdupq_n_u8(1);
  uint32x4_t sums[kGroups];  // UDOT by ones: each 32-bit lane sums its column's 4 steps
  unroll<kGroups>([&](auto g) { sums[g] = vdupq_n_u32(0); });
  for (int k0 = 0; k0 < depth; k0 += kStep, panel += kLines * 4) {
    const uint8_t* rows[kStep];
    for (int r = 0; r < kStep; ++r) rows[r] = k0 + r < depth ? x + (k0 + r) * stride : kZeroRow;
    unroll<kGroups>([&](auto g) {
      const uint8x16_t first = load_4x4_transposed(rows, 4 * g);
      sums[g] = vdotq_u32(sums[g], first, ones);
      if (kBits == 8) {
        vst1q_u8(panel + 16 * g, first);
      } else {
        const uint8x16_t second = load_4x4_transposed(rows + 4, 4 * g);
        sums[g] = vdotq_u32(sums[g], second, ones);
        vst1q_u8(panel + 16 * g, vsliq_n_u8(first, second, 4));
      }
    });
  }
  unroll<kGroups>([&](auto g) { vst1q_u32(col_sums + 4 * g, sums[g]); });
}
#endif

// Packs columns j0..j0+cols-1 of X and sums them (unused columns: zeros, sum 0).
template <class Format>
void pack_x_panel(const QuantizedMatrix& x, int j0, int cols, uint8_t* panel, uint32_t* col_sums) {
  const uint8_t* origin = x.data + j0;
  if (cols == Format::kLines) {
    pack_full_panel(Format{}, origin, x.stride, x.rows, panel, col_sums);
    return;
  }
  pack_panel_scalar<Format>(cols, x.rows, [&](int col, int k) { return origin[k * x.stride + col]; },
                            panel);
  for (int n = 0; n < Format::kLines; ++n) col_sums[n] = 0;
  for (int k = 0; k < x.rows; ++k)
    for (int n = 0; n < cols; ++n) col_sums[n] += origin[k * x.stride + n];
}

// ---- Unpack -------------------------------------------------------------------------------------

// Where a tile's results go and the corrections that turn sum_k q_w q_x into R:
//   R[m][n] = sum - z_w colsum[n] - z_x rowsum[m] + D z_w z_x = sum - col_terms[n] + row_terms[m]
// in unsigned arithmetic, so that it wraps modulo 2^32 exactly as the reference does.
struct TileOutput {
  int32_t* data;  // the tile's top-left result
  std::ptrdiff_t stride;
  int rows, cols;  // the valid part of the tile (edge tiles are smaller)
  const uint32_t* row_terms;  // D z_w z_x - z_x rowsum, one per tile row
  const uint32_t* col_terms;  // z_w colsum, one per tile column
};

// Stores row m of a tile from its sums, 4 columns per vector.
template <int kQuads>
LOWBIT_ALWAYS_INLINE void store_row(const TileOutput& out, int m, const uint32x4_t (&sums)[kQuads]) {
  if (m >= out.rows) return;
  const uint32x4_t row_term = vdupq_n_u32(out.row_terms[m]);
  uint32x4_t result[kQuads];
  unroll<kQuads>([&](auto q) {
    result[q] = vaddq_u32(vsubq_u32(sums[q], vld1q_u32(out.col_terms + 4 * q)), row_term);
  });
  int32_t* dst = out.data + m * out.stride;
  if (out.cols == 4 * kQuads) {
    unroll<kQuads>([&](auto q) { vst1q_s32(dst + 4 * q, vreinterpretq_s32_u32(result[q])); });
  } else {
    alignas(16) uint32_t row[4 * kQuads];
    unroll<kQuads>([&](auto q) { vst1q_u32(row + 4 * q, result[q]); });
    std::memcpy(dst, row, out.cols * sizeof(int32_t));
  }
}

// For kernels that sum in 16-bit lanes: widens a tile row's block sums to 32 bits, adds the totals
// of the blocks before (kept in memory: the registers hold the accumulators), and either keeps the
// result for the next block or, after the last block, stores the row.
template <int kVectors>
LOWBIT_ALWAYS_INLINE void finish_u16_block(const TileOutput& out, int m,
                                           const uint16x8_t (&acc)[kVectors], uint32_t* totals,
                                           bool first_block, bool last_block) {
  uint32x4_t sums[2 * kVectors];
  unroll<kVectors>([&](auto v) {
    sums[2 * v] = vmovl_u16(vget_low_u16(acc[v]));
    sums[2 * v + 1] = vmovl_u16(vget_high_u16(acc[v]));
  });
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // totals is read only after a block wrote it
  if (!first_block)
    unroll<2 * kVectors>([&](auto q) { sums[q] = vaddq_u32(sums[q], vld1q_u32(totals + 4 * q)); });
#pragma GCC diagnostic pop
  if (last_block)
    store_row(out, m, sums);
  else
    unroll<2 * kVectors>([&](auto q) { vst1q_u32(totals + 4 * q, sums[q]); });
}

// ---- A path: weights packing and the loop over tiles ---------------------------------------------

template <class Big, class Small>
struct Path {
  static constexpr int kMR = Big::kMR;
  using WFormat = typename Big::WFormat;
  static_assert(Small::kMR == kMR && std::is_same<typename Small::WFormat, WFormat>::value,
                "both kernels read the same packed weights");
  static_assert(Big::XFormat::kDepthStep == WFormat::kDepthStep &&
                    Small::XFormat::kDepthStep == WFormat::kDepthStep,
                "operands padded to the same depth");

  // Packed weights: int32 row sums (height rounded up to kMR), then the panels of kMR rows.
  static std::size_t packed_weights_bytes(int height, int depth) {
    const int rows = round_up(height, kMR);
    return rows * sizeof(int32_t) + static_cast<std::size_t>(rows / kMR) * WFormat::panel_bytes(depth);
  }

  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    const int rows = round_up(w.rows, kMR);
    int32_t* row_sums = static_cast<int32_t*>(packed);
    uint8_t* panels = reinterpret_cast<uint8_t*>(row_sums + rows);
    for (int i = 0; i < rows; ++i) {
      uint32_t sum = 0;
      for (int k = 0; i < w.rows && k < w.cols; ++k) sum += w.data[i * w.stride + k];
      row_sums[i] = static_cast<int32_t>(sum);
    }
    for (int i0 = 0; i0 < w.rows; i0 += kMR) {
      pack_panel_scalar<WFormat>(std::min(kMR, w.rows - i0), w.cols,
                                 [&](int row, int k) { return w.data[(i0 + row) * w.stride + k]; },
                                 panels + (i0 / kMR) * WFormat::panel_bytes(w.cols));
    }
  }

  static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                          Scratch& scratch) {
    const std::size_t x_panel_bytes =
        std::max(Big::XFormat::panel_bytes(w.depth), Small::XFormat::panel_bytes(w.depth));
    const Problem p{w, x, r, static_cast<uint8_t*>(scratch.get(Scratch::kActivationsSlot, x_panel_bytes))};
    int j0 = 0;
    for (; j0 + Big::kNR <= x.cols; j0 += Big::kNR) multiply_panel<Big>(p, j0, Big::kNR);
    for (; j0 < x.cols; j0 += Small::kNR) multiply_panel<Small>(p, j0, std::min(Small::kNR, x.cols - j0));
  }

 private:
  struct Problem {
    const PackedWeights& w;
    const QuantizedMatrix& x;
    const ResultMatrix& r;
    uint8_t* x_panel;
  };

  // Columns j0..j0+cols-1 of R: packs that panel of X, then runs the kernel down the weight panels.
  template <class Kernel>
  static void multiply_panel(const Problem& p, int j0, int cols) {
    const uint32_t zw = static_cast<uint32_t>(p.w.zero_point);
    const uint32_t zx = static_cast<uint32_t>(p.x.zero_point);
    const uint32_t depth_term = static_cast<uint32_t>(p.w.depth) * zw * zx;
    const int32_t* row_sums = static_cast<const int32_t*>(p.w.data);
    const uint8_t* w_panels = reinterpret_cast<const uint8_t*>(row_sums + round_up(p.w.height, kMR));
    const std::size_t w_panel_bytes = WFormat::panel_bytes(p.w.depth);
    const int padded_depth = WFormat::padded_depth(p.w.depth);

    alignas(16) uint32_t col_terms[Kernel::kNR];
    pack_x_panel<typename Kernel::XFormat>(p.x, j0, cols, p.x_panel, col_terms);
    for (uint32_t& term : col_terms) term *= zw;
    for (int i0 = 0; i0 < p.w.height; i0 += kMR) {
      uint32_t row_terms[kMR];
      for (int m = 0; m < kMR; ++m)
        row_terms[m] = depth_term - zx * static_cast<uint32_t>(row_sums[i0 + m]);
      const TileOutput out{p.r.data + i0 * p.r.stride + j0, p.r.stride,
                           std::min(kMR, p.w.height - i0), cols, row_terms, col_terms};
      Kernel::run(w_panels + (i0 / kMR) * w_panel_bytes, p.x_panel, padded_depth, out);
    }
  }
};


// ---- The 4.6-bit scheme (lowbit/levels.h): centred signed bytes ---------------------------------
// Weights are packed as w - z_w (z_w = (N_w-1)/2), activations as x - c_x (c_x = (N_x-1)/2): both
// signed bytes in [-127, 127] whose product is an exact signed byte. A kernel multiplies 16 pairs of
// bytes per instruction into 16 byte products (VMUL.I8 / MUL .16b) and adds adjacent products into
// 16-bit lanes (VPADAL.S8 / SADALP), so the two steps of a pair must sit side by side in both
// operands: the PairMajor format. The 16-bit lanes gain at most 2 * 127 per pair of steps and are
// widened into 32-bit totals every kCentredPairsPerFlush pairs (no depth limit). Unpack is one
// per-row correction: R = acc - (z_x - c_x) sum_k (w - z_w) (the weights are symmetric, so there
// are no column sums).

// Pairs of steps a 16-bit lane can take: 129 * 254 = 32766 <= 32767 (and >= -32768).
constexpr int kCentredPairsPerFlush = 32767 / (2 * kMaxCentredProduct);

// Pair-major: for each pair of depth steps (k, k+1), the kLines lines side by side, two bytes each
// (step k, then step k+1); depth padded to even with centred zeros. One pair of one line is one
// 16-bit lane, so a kernel broadcasts a weight pair with VDUP.16 and reads X straight.
template <int kLinesInPanel>
struct PairMajor {
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = 2;
  static int padded_depth(int depth) { return round_up(depth, kDepthStep); }
  static std::size_t panel_bytes(int depth) { return static_cast<std::size_t>(padded_depth(depth)) * kLines; }
  static void put(uint8_t* panel, int line, int k, uint8_t v) { panel[(k / 2) * 2 * kLines + 2 * line + k % 2] = v; }
};

// Centres and interleaves the two rows of X of a pair of steps, kWidth (16, 8 or 4) columns:
// [even[0]-c, odd[0]-c, even[1]-c, odd[1]-c, ...]. kHasOdd false: the padding step (zeros).
template <int kWidth, bool kHasOdd>
LOWBIT_ALWAYS_INLINE void put_centred_pair(const uint8_t* even, const uint8_t* odd, uint8x16_t centre,
                                           uint8_t* dst) {
  if constexpr (kWidth == 16) {
    const uint8x16_t a = vsubq_u8(vld1q_u8(even), centre);
    const uint8x16_t b = kHasOdd ? vsubq_u8(vld1q_u8(odd), centre) : vdupq_n_u8(0);
    vst2q_u8(dst, (uint8x16x2_t{{a, b}}));
  } else {
    constexpr int kLoad = kWidth == 8 ? 8 : 4;
    const uint8x8_t a = vsub_u8(load_chunk<kLoad>(even), vget_low_u8(centre));
    const uint8x8_t b = kHasOdd ? vsub_u8(load_chunk<kLoad>(odd), vget_low_u8(centre)) : vdup_n_u8(0);
    if constexpr (kWidth == 8)
      vst2_u8(dst, (uint8x8x2_t{{a, b}}));
    else
      vst1_u8(dst, vzip_u8(a, b).val[0]);
  }
}

// A full panel of X (kLines columns, a multiple of 4 up to kMaxPanelColumns), centred, pair-major.
template <int kLines>
void pack_centred_full_panel(const uint8_t* x, std::ptrdiff_t stride, int depth, uint8_t centre_code,
                             uint8_t* panel) {
  static_assert(kLines % 4 == 0 && kLines <= kMaxPanelColumns, "panels are 4-column chunks");
  constexpr int kChunks = (kLines + 15) / 16;  // of 16 columns; the last may have 8 or 4
  const uint8x16_t centre = vdupq_n_u8(centre_code);
  auto put_pair = [&](auto has_odd, const uint8_t* even) {
    unroll<kChunks>([&](auto c) {
      constexpr int kLeft = kLines - 16 * c;
      constexpr int kWidth = kLeft >= 16 ? 16 : kLeft >= 8 ? 8 : 4;
      static_assert(kLeft == kWidth || kLeft >= 16, "chunks of 16, then 8 or 4");
      put_centred_pair<kWidth, decltype(has_odd)::value>(even + 16 * c, even + stride + 16 * c, centre,
                                                         panel + 32 * c);
    });
    panel += 2 * kLines;
  };
  int k = 0;
  for (; k + 2 <= depth; k += 2) put_pair(std::true_type{}, x + k * stride);
  if (k < depth) put_pair(std::false_type{}, x + k * stride);  // the odd row is not read
}

// Packs columns j0..j0+cols-1 of X, centred on `centre_code` (unused columns: zeros).
template <class Format>
void pack_centred_x_panel(const QuantizedMatrix& x, int j0, int cols, int centre_code, uint8_t* panel) {
  const uint8_t* origin = x.data + j0;
  if (cols == Format::kLines) {
    pack_centred_full_panel<Format::kLines>(origin, x.stride, x.rows, static_cast<uint8_t>(centre_code), panel);
    return;
  }
  pack_panel_scalar<Format>(
      cols, x.rows, [&](int col, int k) { return static_cast<uint8_t>(origin[k * x.stride + col] - centre_code); },
      panel);
}

// Where a 4.6-bit tile's results go: R[m][n] = acc[m][n] + row_terms[m] (mod 2^32), with
// row_terms[m] = -(z_x - c_x) sum_k (w - z_w).
struct CentredTileOutput {
  int32_t* data;  // the tile's top-left result
  std::ptrdiff_t stride;
  int rows, cols;  // the valid part of the tile
  const int32_t* row_terms;  // one per tile row
};

// For kernels that sum in signed 16-bit lanes: widens a tile row's block sums (kQuads halves of 4
// lanes) and adds them with VADDW.S16 to the row's correction (first block) or to the totals of the
// blocks before (kept in memory); after the last block stores the row, else keeps the totals.
template <int kQuads>
LOWBIT_ALWAYS_INLINE void finish_s16_block(const CentredTileOutput& out, int m, const int16x4_t (&acc)[kQuads],
                                           int32_t* totals, bool first_block, bool last_block) {
  if (last_block && m >= out.rows) return;
  int32x4_t sums[kQuads];
  const int32x4_t row_term = vdupq_n_s32(out.row_terms[m]);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // totals is read only after a block wrote it
  unroll<kQuads>([&](auto q) {
    sums[q] = vaddw_s16(first_block ? row_term : vld1q_s32(totals + 4 * q), acc[q]);
  });
#pragma GCC diagnostic pop
  if (!last_block) {
    unroll<kQuads>([&](auto q) { vst1q_s32(totals + 4 * q, sums[q]); });
    return;
  }
  int32_t* dst = out.data + m * out.stride;
  if (out.cols == 4 * kQuads) {
    unroll<kQuads>([&](auto q) { vst1q_s32(dst + 4 * q, sums[q]); });
  } else {
    alignas(16) int32_t row[4 * kQuads];
    unroll<kQuads>([&](auto q) { vst1q_s32(row + 4 * q, sums[q]); });
    std::memcpy(dst, row, out.cols * sizeof(int32_t));
  }
}

// A full tile summed in one block, stored: R[m][.] = row_terms[m] + acc[m][.] (VADDW.S16). The
// fields are read into locals first: the int32 stores could alias `out` as far as GCC knows.
template <int kRows, int kVectors>
LOWBIT_ALWAYS_INLINE void store_full_s16_tile(const CentredTileOutput& out, const int16x8_t (&acc)[kRows][kVectors]) {
  int32_t* dst = out.data;
  const std::ptrdiff_t stride = out.stride;
  const int32_t* row_terms = out.row_terms;
  unroll<kRows>([&](auto m) {
    const int32x4_t row_term = vld1q_dup_s32(row_terms + m);
    unroll<kVectors>([&](auto v) {
      vst1q_s32(dst + 8 * v, vaddw_s16(row_term, vget_low_s16(acc[m][v])));
      vst1q_s32(dst + 8 * v + 4, vaddw_s16(row_term, vget_high_s16(acc[m][v])));
    });
    dst += stride;
  });
}

// The 16-bit accumulators of a tile row as halves of 4 lanes (what finish_s16_block takes).
template <int kVectors>
LOWBIT_ALWAYS_INLINE void split_halves(const int16x8_t (&acc)[kVectors], int16x4_t (&halves)[2 * kVectors]) {
  unroll<kVectors>([&](auto v) {
    halves[2 * v] = vget_low_s16(acc[v]);
    halves[2 * v + 1] = vget_high_s16(acc[v]);
  });
}

// kMR (4 or 8) rows of centred weights, 8 pairs of steps each (one int16x8 per row, a pair per
// lane), stored pair-major: for each pair, the kMR rows' lanes side by side (4 rows: VST4.16).
template <int kRows>
LOWBIT_ALWAYS_INLINE void store_pair_major_rows(const int16x8_t (&rows)[kRows], int16_t* dst) {
  static_assert(kRows == 4 || kRows == 8, "panels of 4 or 8 rows");
  if constexpr (kRows == 4) {
    vst4q_s16(dst, (int16x8x4_t{{rows[0], rows[1], rows[2], rows[3]}}));
  } else {
    // An 8 x 8 transpose of 16-bit lanes: zip rows at 16, then 32, then 64 bits.
    int16x8_t by2[8];  // [2r][lo/hi] ...
    for (int r = 0; r < 8; r += 2) {
      const int16x8x2_t z = vzipq_s16(rows[r], rows[r + 1]);
      by2[r] = z.val[0];      // pairs 0-3 of rows r, r+1
      by2[r + 1] = z.val[1];  // pairs 4-7
    }
    int32x4_t by4[8];  // rows 0-3 (j < 4) or 4-7, two pairs per vector
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
      vst1q_s32(reinterpret_cast<int32_t*>(dst) + 8 * j + 4, vcombine_s32(vget_high_s32(a), vget_high_s32(b)));
    }
  }
}

// ---- A 4.6-bit path: weights packing and the loop over tiles -------------------------------------

template <class Big, class Small>
struct CentredPath {
  static constexpr int kMR = Big::kMR;
  using WFormat = PairMajor<kMR>;
  static_assert(Small::kMR == kMR, "both kernels read the same packed weights");
  static_assert(std::is_same<typename Big::WFormat, WFormat>::value &&
                    std::is_same<typename Small::WFormat, WFormat>::value,
                "weights are pair-major");

  // Packed weights: int32 sum_k (w - z_w) per row (height rounded up to kMR), then the panels.
  static std::size_t packed_weights_bytes(int height, int depth) {
    const int rows = round_up(height, kMR);
    return rows * sizeof(int32_t) + static_cast<std::size_t>(rows / kMR) * WFormat::panel_bytes(depth);
  }

  // 16 steps of kMR rows at a time: centre (VSUB.I8), sum (VPADDL.S8, VPADAL.S16), interleave the
  // rows' pairs (store_pair_major_rows). Rows past the height and steps past the depth are zeros.
  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    check_symmetric_weights(w.levels, w.zero_point);
    const int rows = round_up(w.rows, kMR);
    const int depth = w.cols;
    const int padded_depth = WFormat::padded_depth(depth);
    const std::size_t panel_bytes = WFormat::panel_bytes(depth);
    const uint8x16_t centre = vdupq_n_u8(static_cast<uint8_t>(w.zero_point));
    int32_t* row_sums = static_cast<int32_t*>(packed);
    uint8_t* panel = reinterpret_cast<uint8_t*>(row_sums + rows);
    for (int i0 = 0; i0 < rows; i0 += kMR, panel += panel_bytes) {
      int32x4_t sums[kMR];
      unroll<kMR>([&](auto m) { sums[m] = vdupq_n_s32(0); });
      for (int k0 = 0; k0 < depth; k0 += 16) {
        int16x8_t centred[kMR];
        unroll<kMR>([&](auto m) {
          const int i = i0 + m;
          int8x16_t v = vdupq_n_s8(0);
          if (i < w.rows) {
            const uint8_t* src = w.data + i * w.stride + k0;
            alignas(16) uint8_t padded[16];
            if (k0 + 16 > depth) {  // the last steps, padded with the zero point (centred: 0)
              std::memset(padded, w.zero_point, sizeof padded);
              std::memcpy(padded, src, depth - k0);
              src = padded;
            }
            v = vreinterpretq_s8_u8(vsubq_u8(vld1q_u8(src), centre));
          }
          sums[m] = vpadalq_s16(sums[m], vpaddlq_s8(v));
          centred[m] = vreinterpretq_s16_s8(v);
        });
        int16_t* dst = reinterpret_cast<int16_t*>(panel + static_cast<std::size_t>(k0) * kMR);
        if (k0 + 16 <= padded_depth) {
          store_pair_major_rows(centred, dst);
        } else {
          alignas(16) int16_t last[8 * kMR];
          store_pair_major_rows(centred, last);
          std::memcpy(dst, last, static_cast<std::size_t>(padded_depth - k0) * kMR);
        }
      }
      unroll<kMR>([&](auto m) {
        const int64x2_t halves = vpaddlq_s32(sums[m]);
        row_sums[i0 + m] = static_cast<int32_t>(vgetq_lane_s64(halves, 0) + vgetq_lane_s64(halves, 1));
      });
    }
  }

  static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                          Scratch& scratch) {
    check_level_pair({x.levels, w.levels});
    const std::size_t x_panel_bytes =
        std::max(Big::XFormat::panel_bytes(w.depth), Small::XFormat::panel_bytes(w.depth));
    const int rows = round_up(w.height, kMR);
    // The per-row corrections, once per product: -(z_x - c_x) sum_k (w - z_w), wrapping mod 2^32.
    int32_t* row_terms = static_cast<int32_t*>(scratch.get(kRowTermsSlot, rows * sizeof(int32_t)));
    const int32_t* row_sums = static_cast<const int32_t*>(w.data);
    const uint32_t factor = 0u - static_cast<uint32_t>(x.zero_point - centre_code(x.levels));
    for (int i = 0; i < rows; ++i)
      row_terms[i] = static_cast<int32_t>(factor * static_cast<uint32_t>(row_sums[i]));
    const Problem p{w, x, r, static_cast<uint8_t*>(scratch.get(Scratch::kActivationsSlot, x_panel_bytes)),
                    row_terms};
    int j0 = 0;
    for (; j0 + Big::kNR <= x.cols; j0 += Big::kNR) multiply_panel<Big>(p, j0, Big::kNR);
    for (; j0 < x.cols; j0 += Small::kNR) multiply_panel<Small>(p, j0, std::min(Small::kNR, x.cols - j0));
  }

 private:
  static constexpr int kRowTermsSlot = 2;
  static_assert(kRowTermsSlot != Scratch::kWeightsSlot && kRowTermsSlot != Scratch::kActivationsSlot &&
                    kRowTermsSlot < Scratch::kSlots,
                "a scratch slot of its own");

  struct Problem {
    const PackedWeights& w;
    const QuantizedMatrix& x;
    const ResultMatrix& r;
    uint8_t* x_panel;
    const int32_t* row_terms;
  };

  // Columns j0..j0+cols-1 of R: packs that panel of X, then runs the kernel down the weight panels.
  template <class Kernel>
  static void multiply_panel(const Problem& p, int j0, int cols) {
    const uint8_t* w_panels =
        reinterpret_cast<const uint8_t*>(static_cast<const int32_t*>(p.w.data) + round_up(p.w.height, kMR));
    const std::size_t w_panel_bytes = WFormat::panel_bytes(p.w.depth);
    const int padded_depth = WFormat::padded_depth(p.w.depth);
    pack_centred_x_panel<typename Kernel::XFormat>(p.x, j0, cols, centre_code(p.x.levels), p.x_panel);
    for (int i0 = 0; i0 < p.w.height; i0 += kMR) {
      const CentredTileOutput out{p.r.data + i0 * p.r.stride + j0, p.r.stride, std::min(kMR, p.w.height - i0),
                                  cols, p.row_terms + i0};
      Kernel::run(w_panels + (i0 / kMR) * w_panel_bytes, p.x_panel, padded_depth, out);
    }
  }
};

}  // namespace
}  // namespace lowbit

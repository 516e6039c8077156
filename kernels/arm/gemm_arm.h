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

// A 4-bit kernel that sums in unsigned 16-bit lanes, around an ISA's inner loop. Loop provides kMR,
// kNR, kVectors (8-lane accumulators per row), WFormat, XFormat (both StepMajor<4, .>) and
//   static void accumulate(const uint8_t* w, const uint8_t* x, int bytes, uint16x8_t (&acc)[kMR][kVectors])
// (always inline): `bytes` packed bytes (two steps each) into fresh accumulators. A lane gains two
// products of at most 15 * 15 per byte, so blocks of kU4FlushBytes = 145 bytes are widened into
// 32-bit totals kept in memory (finish_u16_block).
constexpr int kU4FlushBytes = kMaxU4ProductsPerU16Lane / 2;

template <class Loop>
struct U16BlockKernel {
  static constexpr int kMR = Loop::kMR;
  static constexpr int kNR = Loop::kNR;
  static constexpr int kVectors = Loop::kVectors;
  using WFormat = typename Loop::WFormat;
  using XFormat = typename Loop::XFormat;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w, const uint8_t* x, int depth, const TileOutput& out) {
    const int bytes = depth / 2;  // per line; each holds two steps
    alignas(16) uint32_t totals[kMR][kNR];
    for (int b0 = 0; b0 < bytes; b0 += kU4FlushBytes) {
      const int block = std::min(kU4FlushBytes, bytes - b0);
      uint16x8_t acc[kMR][kVectors];
      accumulate(w + b0 * kMR, x + b0 * kNR, block, acc);
      unroll<kMR>([&](auto m) { finish_u16_block(out, m, acc[m], totals[m], b0 == 0, b0 + block == bytes); });
    }
  }

  // The inner loop out of line, so that the register allocator sees only the loop (the epilogue
  // around it made GCC spill).
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void accumulate(const uint8_t* w, const uint8_t* x,
                                                                         int bytes,
                                                                         uint16x8_t (&result)[kMR][kVectors]) {
    uint16x8_t acc[kMR][kVectors];
    Loop::accumulate(w, x, bytes, acc);
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { result[m][v] = acc[m][v]; }); });
  }
};

// ---- A path: weights packing and the loop over tiles ---------------------------------------------

// What the two kernels of a path (Path, CentredPath) agree on, and the size of its packed weights:
// one int32 per row (height rounded up to kMR), then the panels of kMR rows.
template <class Big, class Small>
struct PathBase {
  static constexpr int kMR = Big::kMR;
  using WFormat = typename Big::WFormat;
  static_assert(Small::kMR == kMR && std::is_same<typename Small::WFormat, WFormat>::value,
                "both kernels read the same packed weights");
  static_assert(Big::XFormat::kDepthStep == WFormat::kDepthStep &&
                    Small::XFormat::kDepthStep == WFormat::kDepthStep,
                "operands padded to the same depth");

  static std::size_t packed_weights_bytes(int height, int depth) {
    const int rows = round_up(height, kMR);
    return rows * sizeof(int32_t) + static_cast<std::size_t>(rows / kMR) * WFormat::panel_bytes(depth);
  }
};

// Packed weights: int32 row sums, then the panels.
template <class Big, class Small>
struct Path : PathBase<Big, Small> {
  using PathBase<Big, Small>::kMR;
  using typename PathBase<Big, Small>::WFormat;

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
void pack_centred_full_panel(const PairMajor<kLines>&, const uint8_t* x, std::ptrdiff_t stride, int depth,
                             uint8_t centre_code, uint8_t* panel) {
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
    pack_centred_full_panel(Format{}, origin, x.stride, x.rows, static_cast<uint8_t>(centre_code), panel);
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

// Stores row m (a valid row) of a tile from its results, 4 columns per vector.
template <int kQuads>
LOWBIT_ALWAYS_INLINE void store_centred_row(const CentredTileOutput& out, int m, const int32x4_t (&sums)[kQuads]) {
  int32_t* dst = out.data + m * out.stride;
  if (out.cols == 4 * kQuads) {
    unroll<kQuads>([&](auto q) { vst1q_s32(dst + 4 * q, sums[q]); });
  } else {
    alignas(16) int32_t row[4 * kQuads];
    unroll<kQuads>([&](auto q) { vst1q_s32(row + 4 * q, sums[q]); });
    std::memcpy(dst, row, out.cols * sizeof(int32_t));
  }
}

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
  store_centred_row(out, m, sums);
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

// ---- 4.6-bit kernels that sum in signed 16-bit lanes (VPADAL.S8 / SADALP) -----------------------

// A kMR x kNR tile (kNR a multiple of 8) around an ISA's inner loop. Loop provides kMR, kNR and
//   static void accumulate(const int8_t* w, const int8_t* x, int pairs, int16x8_t (&acc)[kMR][kNR / 8])
// (always inline): `pairs` pairs of steps (at most kCentredPairsPerFlush, so that no lane overflows)
// into fresh accumulators.
template <class Loop>
struct CentredS16Kernel {
  static constexpr int kMR = Loop::kMR;
  static constexpr int kNR = Loop::kNR;
  static constexpr int kVectors = kNR / 8;  // 8-lane accumulators per row
  using WFormat = PairMajor<kMR>;
  using XFormat = PairMajor<kNR>;

  // The common case, one block (depth <= 258: every depth of the paper) and a tile whose rows and
  // columns are all valid: the accumulators go from the loop straight to R. Otherwise run_blocks.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w, const uint8_t* x, int depth,
                                                                  const CentredTileOutput& out) {
    const int pairs = depth / 2;
    if (pairs > kCentredPairsPerFlush || out.rows != kMR || out.cols != kNR) {
      run_blocks(w, x, pairs, out);
      return;
    }
    int16x8_t acc[kMR][kVectors];
    Loop::accumulate(reinterpret_cast<const int8_t*>(w), reinterpret_cast<const int8_t*>(x), pairs, acc);
    store_full_s16_tile(out, acc);
  }

  // Any tile at any depth: blocks of at most 129 pairs, their 32-bit totals kept in memory.
  LOWBIT_MICRO_KERNEL static void run_blocks(const uint8_t* w, const uint8_t* x, int pairs,
                                             const CentredTileOutput& out) {
    alignas(16) int32_t totals[kMR][kNR];
    for (int p0 = 0; p0 == 0 || p0 < pairs; p0 += kCentredPairsPerFlush) {
      const int block = std::min(kCentredPairsPerFlush, pairs - p0);
      int16x8_t acc[kMR][kVectors];
      accumulate(reinterpret_cast<const int8_t*>(w) + p0 * 2 * kMR,
                 reinterpret_cast<const int8_t*>(x) + p0 * 2 * kNR, block, acc);
      unroll<kMR>([&](auto m) {
        int16x4_t halves[2 * kVectors];
        split_halves(acc[m], halves);
        finish_s16_block(out, m, halves, totals[m], p0 == 0, p0 + block >= pairs);
      });
    }
  }

  // The inner loop out of line, so that the register allocator sees only the loop.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void accumulate(const int8_t* w, const int8_t* x,
                                                                         int pairs,
                                                                         int16x8_t (&result)[kMR][kVectors]) {
    int16x8_t acc[kMR][kVectors];
    Loop::accumulate(w, x, pairs, acc);
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { result[m][v] = acc[m][v]; }); });
  }
};

// The weight pairs of kRows rows at one pair of steps: 4 rows in a d register, 8 in a q register.
template <int kRows>
LOWBIT_ALWAYS_INLINE auto load_row_pairs(const int8_t* w) {
  static_assert(kRows == 4 || kRows == 8, "panels of 4 or 8 rows");
  if constexpr (kRows == 4)
    return vld1_s16(reinterpret_cast<const int16_t*>(w));
  else
    return vld1q_s16(reinterpret_cast<const int16_t*>(w));
}
// One row's pair in the 4 lanes of a d register (VDUP.16 d, d[m] / DUP v.4h, v.h[m]).
template <int kLane>
LOWBIT_ALWAYS_INLINE int8x8_t broadcast_row_pair(int16x4_t ws) {
  return vreinterpret_s8_s16(vdup_lane_s16(ws, kLane));
}
#if defined(__aarch64__)
template <int kLane>
LOWBIT_ALWAYS_INLINE int8x8_t broadcast_row_pair(int16x8_t ws) {
  return vreinterpret_s8_s16(vdup_laneq_s16(ws, kLane));
}
#endif

// The last 4 columns (width 100 = 6 x 16 + 4): X is one 8-byte vector per pair (4 columns x 2
// steps), the products and accumulators are 8-byte vectors (VMUL.I8 d + VPADAL.S8 d / MUL .8b +
// SADALP .4h). Any tile, any depth: blocks of 129 pairs.
template <int kRows>
struct CentredS16Kernel4 {
  static constexpr int kMR = kRows;
  static constexpr int kNR = 4;
  using WFormat = PairMajor<kMR>;
  using XFormat = PairMajor<kNR>;

  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w8, const uint8_t* x8,
                                                                  int depth, const CentredTileOutput& out) {
    const int pairs = depth / 2;
    const int8_t* w = reinterpret_cast<const int8_t*>(w8);
    const int8_t* x = reinterpret_cast<const int8_t*>(x8);
    alignas(16) int32_t totals[kMR][kNR];
    for (int p0 = 0; p0 == 0 || p0 < pairs; p0 += kCentredPairsPerFlush) {
      const int block = std::min(kCentredPairsPerFlush, pairs - p0);
      int16x4_t acc[kMR];
      unroll<kMR>([&](auto m) { acc[m] = vdup_n_s16(0); });
      for (int p = block; p > 0; --p, w += 2 * kMR, x += 2 * kNR) {
        const auto ws = load_row_pairs<kMR>(w);
        const int8x8_t xs = vld1_s8(x);
        unroll<kMR>([&](auto m) {
          constexpr int kLane = m;
          acc[m] = vpadal_s8(acc[m], vmul_s8(broadcast_row_pair<kLane>(ws), xs));
        });
      }
      unroll<kMR>([&](auto m) {
        const int16x4_t halves[1] = {acc[m]};
        finish_s16_block(out, m, halves, totals[m], p0 == 0, p0 + block >= pairs);
      });
    }
  }
};

// kRows (4 or 8) rows of centred weights, 16 steps each (one vector per row: 8 pairs of steps),
// stored in the panel's format; here pair-major: for each pair, the kRows rows' lanes side by side
// (4 rows: VST4.16).
template <int kRows>
LOWBIT_ALWAYS_INLINE void store_centred_rows(const PairMajor<kRows>&, const int16x8_t (&rows)[kRows], int16_t* dst) {
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

#if defined(__ARM_FEATURE_DOTPROD)
// The Dot4<8, .> format with centred signed bytes (what SDOT multiplies): for each block of 4 steps,
// the lines in groups of 4, each line's 4 steps side by side.

// kRows (a multiple of 4) rows of centred weights, 16 steps each (4 blocks: one 32-bit lane per
// block), stored as 4 blocks: a 4 x 4 transpose of 32-bit lanes per group of 4 rows.
template <int kRows>
LOWBIT_ALWAYS_INLINE void store_centred_rows(const Dot4<8, kRows>&, const int16x8_t (&rows)[kRows], int16_t* dst16) {
  int32_t* dst = reinterpret_cast<int32_t*>(dst16);
  unroll<kRows / 4>([&](auto group) {
    const int32x4x2_t t01 = vtrnq_s32(vreinterpretq_s32_s16(rows[4 * group]), vreinterpretq_s32_s16(rows[4 * group + 1]));
    const int32x4x2_t t23 =
        vtrnq_s32(vreinterpretq_s32_s16(rows[4 * group + 2]), vreinterpretq_s32_s16(rows[4 * group + 3]));
    const int32x4_t blocks[4] = {vcombine_s32(vget_low_s32(t01.val[0]), vget_low_s32(t23.val[0])),
                                 vcombine_s32(vget_low_s32(t01.val[1]), vget_low_s32(t23.val[1])),
                                 vcombine_s32(vget_high_s32(t01.val[0]), vget_high_s32(t23.val[0])),
                                 vcombine_s32(vget_high_s32(t01.val[1]), vget_high_s32(t23.val[1]))};
    unroll<4>([&](auto b) { vst1q_s32(dst + b * kRows + 4 * group, blocks[b]); });
  });
}

// A full panel of X (kLines columns, a multiple of 4 up to kMaxPanelColumns), centred, in Dot4
// order: per block of 4 steps, the 4 rows' bytes interleaved (VST4.8 for 8 columns; two ZIPs for the
// last 4). Steps past the depth are centred zeros.
template <int kLines>
void pack_centred_full_panel(const Dot4<8, kLines>&, const uint8_t* x, std::ptrdiff_t stride, int depth,
                             uint8_t centre_code, uint8_t* panel) {
  static_assert(kLines % 4 == 0 && kLines <= kMaxPanelColumns, "panels are 4-column chunks");
  constexpr int kChunks = (kLines + 7) / 8;  // of 8 columns; the last may have 4
  const uint8x8_t centre = vdup_n_u8(centre_code);
  // rows[r] minus centres[r]: the padding steps read kZeroRow and subtract 0.
  auto put_block = [&](const uint8_t* const (&rows)[4], const uint8x8_t (&centres)[4]) {
    unroll<kChunks>([&](auto c) {
      constexpr int kWidth = std::min(8, kLines - 8 * c);
      uint8x8x4_t v;
      unroll<4>([&](auto r) { v.val[r] = vsub_u8(load_chunk<kWidth>(rows[r] + 8 * c), centres[r]); });
      if constexpr (kWidth == 8) {
        vst4_u8(panel + 32 * c, v);
      } else {
        const uint16x4_t r01 = vreinterpret_u16_u8(vzip1_u8(v.val[0], v.val[1]));
        const uint16x4_t r23 = vreinterpret_u16_u8(vzip1_u8(v.val[2], v.val[3]));
        vst1q_u16(reinterpret_cast<uint16_t*>(panel + 32 * c), vcombine_u16(vzip1_u16(r01, r23), vzip2_u16(r01, r23)));
      }
    });
    panel += 4 * kLines;
  };
  const uint8x8_t centres[4] = {centre, centre, centre, centre};
  int k = 0;
  for (; k + 4 <= depth; k += 4) {
    const uint8_t* const rows[4] = {x + k * stride, x + (k + 1) * stride, x + (k + 2) * stride,
                                    x + (k + 3) * stride};
    put_block(rows, centres);
  }
  if (k < depth) {
    const uint8x8_t zero = vdup_n_u8(0);
    const bool has[4] = {true, k + 1 < depth, k + 2 < depth, false};
    const uint8_t* const rows[4] = {x + k * stride, has[1] ? x + (k + 1) * stride : kZeroRow,
                                    has[2] ? x + (k + 2) * stride : kZeroRow, kZeroRow};
    const uint8x8_t tail_centres[4] = {centre, has[1] ? centre : zero, has[2] ? centre : zero, zero};
    put_block(rows, tail_centres);
  }
}

// Stores a tile of 32-bit sums: R[m][.] = acc[m][.] + row_terms[m] (mod 2^32). A full tile goes
// straight to R with the fields of `out` read into locals first (the int32 stores could alias `out`
// as far as GCC knows); an edge tile row by row.
template <int kRows, int kQuads>
LOWBIT_ALWAYS_INLINE void store_s32_tile(const CentredTileOutput& out, const int32x4_t (&acc)[kRows][kQuads]) {
  if (out.rows == kRows && out.cols == 4 * kQuads) {
    int32_t* dst = out.data;
    const std::ptrdiff_t stride = out.stride;
    const int32_t* row_terms = out.row_terms;
    unroll<kRows>([&](auto m) {
      const int32x4_t row_term = vld1q_dup_s32(row_terms + m);
      unroll<kQuads>([&](auto q) { vst1q_s32(dst + 4 * q, vaddq_s32(acc[m][q], row_term)); });
      dst += stride;
    });
    return;
  }
  unroll<kRows>([&](auto m) {
    if (m >= out.rows) return;
    const int32x4_t row_term = vdupq_n_s32(out.row_terms[m]);
    int32x4_t sums[kQuads];
    unroll<kQuads>([&](auto q) { sums[q] = vaddq_s32(acc[m][q], row_term); });
    store_centred_row(out, m, sums);
  });
}
#endif

// ---- Signed-byte weight panels (4-bit pair-major, 4.6-bit) and the 4.6-bit path -------------------

// Weights as signed bytes w - offset (offset = z_w: centred 4.6-bit weights; 0: raw 4-bit codes,
// which fit a signed byte) in `WFormat` panels of kMR rows, after int32 row sums of those bytes.
// 16 steps of kMR rows at a time: VSUB.I8, sums by VPADDL.S8 + VPADAL.S16, the format's order by
// store_centred_rows. Rows past the height and steps past the depth are zeros.
template <class WFormat, int kMR>
void pack_weight_panels(const QuantizedMatrix& w, int32_t offset, void* packed) {
  const int rows = round_up(w.rows, kMR);
  const int depth = w.cols;
  const int padded_depth = WFormat::padded_depth(depth);
  const std::size_t panel_bytes = WFormat::panel_bytes(depth);
  const uint8x16_t centre = vdupq_n_u8(static_cast<uint8_t>(offset));
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
          if (k0 + 16 > depth) {  // the last steps, padded with the offset (0 once subtracted)
            std::memset(padded, offset, sizeof padded);
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
        store_centred_rows(WFormat{}, centred, dst);
      } else {
        alignas(16) int16_t last[8 * kMR];
        store_centred_rows(WFormat{}, centred, last);
        std::memcpy(dst, last, static_cast<std::size_t>(padded_depth - k0) * kMR);
      }
    }
    unroll<kMR>([&](auto m) {
      const int64x2_t halves = vpaddlq_s32(sums[m]);
      row_sums[i0 + m] = static_cast<int32_t>(vgetq_lane_s64(halves, 0) + vgetq_lane_s64(halves, 1));
    });
  }
}

// Packed weights: int32 sum_k (w - z_w) per row, then the panels (WFormat: PairMajor<kMR> or, for
// SDOT, Dot4<8, kMR>).
template <class Big, class Small>
struct CentredPath : PathBase<Big, Small> {
  using PathBase<Big, Small>::kMR;
  using typename PathBase<Big, Small>::WFormat;

  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    check_symmetric_weights(w.levels, w.zero_point);
    pack_weight_panels<WFormat, kMR>(w, w.zero_point, packed);
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

// ---- 4-bit kernels on pair-major operands (VMUL.I8 + VPADAL.U8 / MUL .16b + UADALP) -------------
// The structure of the 4.6-bit kernels with raw 4-bit codes (0..15): W is PairMajor<kMR> (one byte
// per code, a row's pair of steps in one 16-bit lane, broadcast with VDUP.16), X is PairNibbles<kNR>
// (half a byte per code): one 16-byte load per pair of steps and 16 columns, and VAND #0x0F / VSHR #4
// give exactly the two pair-major q registers of X the 4.6-bit kernel loads. A product is at most
// 15 * 15 = 225 (an unsigned byte: VMUL.I8 is exact), VPADAL.U8 adds two of them to an unsigned
// 16-bit lane: at most 450 per pair, so blocks of kU4FlushBytes = 145 pairs (65250 <= 65535). The
// zero points are arbitrary, so the unpack is the column- and row-sum correction of TileOutput.

// Pair-major nibbles, kLines a multiple of 16: per pair of steps (k, k+1) and group of 16 lines,
// 16 bytes; byte 2n + s (n = 0..7, s = 0, 1) holds line n at step k+s in its low nibble and line n+8
// at step k+s in its high nibble. Depth padded to even with zeros.
template <int kLinesInPanel>
struct PairNibbles {
  static_assert(kLinesInPanel % 16 == 0, "groups of 16 lines");
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = 2;
  static int padded_depth(int depth) { return round_up(depth, kDepthStep); }
  static std::size_t panel_bytes(int depth) { return static_cast<std::size_t>(padded_depth(depth)) / 2 * kLines; }
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    const int c = line % 16;
    panel[(k / 2) * kLines + (line / 16) * 16 + 2 * (c % 8) + k % 2] |= static_cast<uint8_t>(v << (4 * (c / 8)));
  }
};

// A full panel of X in PairNibbles order, with its column sums. Per pair of steps and 16 columns:
// two 16-byte loads, VSLI packs columns n and n+8 of each row into one byte, VST2.8 interleaves the
// two rows; the sums: VADD.I8 of the two rows (<= 30) and two VADDW.U8 into 16-bit lanes.
template <int kLines>
void pack_full_panel(const PairNibbles<kLines>&, const uint8_t* x, std::ptrdiff_t stride, int depth,
                     uint8_t* panel, uint32_t* col_sums) {
  static_assert(kLines <= kMaxPanelColumns, "");
  constexpr int kGroups = kLines / 16;
  constexpr int kPairsPerFlush = 65535 / 30;
  uint16x8_t sums16[2 * kGroups];
  uint32x4_t sums32[4 * kGroups];
  unroll<2 * kGroups>([&](auto c) { sums16[c] = vdupq_n_u16(0); });
  unroll<4 * kGroups>([&](auto c) { sums32[c] = vdupq_n_u32(0); });
  auto flush = [&]() {
    unroll<2 * kGroups>([&](auto c) {
      sums32[2 * c] = vaddw_u16(sums32[2 * c], vget_low_u16(sums16[c]));
      sums32[2 * c + 1] = vaddw_u16(sums32[2 * c + 1], vget_high_u16(sums16[c]));
      sums16[c] = vdupq_n_u16(0);
    });
  };
  for (int k = 0, pairs = 0; k < depth; k += 2) {
    const uint8_t* even = x + k * stride;
    const uint8_t* odd = k + 1 < depth ? even + stride : kZeroRow;
    unroll<kGroups>([&](auto g) {
      const uint8x16_t a = vld1q_u8(even + 16 * g);
      const uint8x16_t b = vld1q_u8(odd + 16 * g);
      const uint8x16_t s = vaddq_u8(a, b);
      sums16[2 * g] = vaddw_u8(sums16[2 * g], vget_low_u8(s));
      sums16[2 * g + 1] = vaddw_u8(sums16[2 * g + 1], vget_high_u8(s));
      vst2_u8(panel + 16 * g, (uint8x8x2_t{{vsli_n_u8(vget_low_u8(a), vget_high_u8(a), 4),
                                            vsli_n_u8(vget_low_u8(b), vget_high_u8(b), 4)}}));
    });
    panel += kLines;
    if (++pairs == kPairsPerFlush) {
      flush();
      pairs = 0;
    }
  }
  flush();
  unroll<4 * kGroups>([&](auto c) { vst1q_u32(col_sums + 4 * c, sums32[c]); });
}

// A full 4-column panel of X, raw codes, pair-major (PairMajor<4>: 8 bytes per pair, VZIP of the
// two rows' 4 bytes), with its column sums.
template <int kLines>
void pack_full_panel(const PairMajor<kLines>&, const uint8_t* x, std::ptrdiff_t stride, int depth,
                     uint8_t* panel, uint32_t* col_sums) {
  static_assert(kLines == 4, "the 4-column panel");
  constexpr int kPairsPerFlush = 65535 / 510;  // any 8-bit codes
  uint16x8_t sums16 = vdupq_n_u16(0);
  uint32x4_t sums32 = vdupq_n_u32(0);
  for (int k = 0, pairs = 0; k < depth; k += 2) {
    const uint8_t* even = x + k * stride;
    const uint8_t* odd = k + 1 < depth ? even + stride : kZeroRow;
    const uint8x8_t a = load_chunk<4>(even);
    const uint8x8_t b = load_chunk<4>(odd);
    sums16 = vaddw_u8(vaddw_u8(sums16, a), b);
    vst1_u8(panel, vzip_u8(a, b).val[0]);
    panel += 2 * kLines;
    if (++pairs == kPairsPerFlush) {
      sums32 = vaddw_u16(sums32, vget_low_u16(sums16));
      sums16 = vdupq_n_u16(0);
      pairs = 0;
    }
  }
  sums32 = vaddw_u16(sums32, vget_low_u16(sums16));
  vst1q_u32(col_sums, sums32);
}

// A full tile summed in one block, stored: R[m][n] = (row_terms[m] - col_terms[n]) + acc[m][n]
// (VSUB.I32 + VADDW.U16 per 4 results, mod 2^32). The fields of `out` are read into locals first.
template <int kRows, int kVectors>
LOWBIT_ALWAYS_INLINE void store_full_u16_tile(const TileOutput& out, const uint16x8_t (&acc)[kRows][kVectors]) {
  int32_t* dst = out.data;
  const std::ptrdiff_t stride = out.stride;
  const uint32_t* row_terms = out.row_terms;
  uint32x4_t col_terms[2 * kVectors];
  unroll<2 * kVectors>([&](auto q) { col_terms[q] = vld1q_u32(out.col_terms + 4 * q); });
  unroll<kRows>([&](auto m) {
    const uint32x4_t row_term = vld1q_dup_u32(row_terms + m);
    unroll<kVectors>([&](auto v) {
      vst1q_s32(dst + 8 * v, vreinterpretq_s32_u32(vaddw_u16(vsubq_u32(row_term, col_terms[2 * v]),
                                                             vget_low_u16(acc[m][v]))));
      vst1q_s32(dst + 8 * v + 4, vreinterpretq_s32_u32(vaddw_u16(vsubq_u32(row_term, col_terms[2 * v + 1]),
                                                                 vget_high_u16(acc[m][v]))));
    });
    dst += stride;
  });
}

// A kMR x kNR 4-bit tile on pair-major operands around an ISA's inner loop. Loop provides kMR, kNR,
// kVectors (8-lane accumulators per row), WFormat (PairMajor<kMR>), XFormat (PairNibbles<kNR>) and
//   static void accumulate(const uint8_t* w, const uint8_t* x, int pairs, uint16x8_t (&acc)[kMR][kVectors])
// (always inline): `pairs` pairs of steps (at most kU4FlushBytes) into fresh accumulators.
template <class Loop>
struct U16PairKernel {
  static constexpr int kMR = Loop::kMR;
  static constexpr int kNR = Loop::kNR;
  static constexpr int kVectors = Loop::kVectors;
  using WFormat = typename Loop::WFormat;
  using XFormat = typename Loop::XFormat;
  static constexpr std::size_t kWPairBytes = 2 * kMR;
  static constexpr std::size_t kXPairBytes = kNR;

  // The common case, one block (depth <= 290: every depth of the paper) and a full tile: from the
  // loop straight to R. Otherwise run_blocks.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w, const uint8_t* x, int depth,
                                                                  const TileOutput& out) {
    const int pairs = depth / 2;
    if (pairs > kU4FlushBytes || out.rows != kMR || out.cols != kNR) {
      run_blocks(w, x, pairs, out);
      return;
    }
    uint16x8_t acc[kMR][kVectors];
    accumulate(w, x, pairs, acc);  // out of line: inlined here, GCC copies accumulators in the loop
    store_full_u16_tile(out, acc);
  }

  // Any tile at any depth: blocks of at most 145 pairs, their 32-bit totals kept in memory.
  LOWBIT_MICRO_KERNEL static void run_blocks(const uint8_t* w, const uint8_t* x, int pairs, const TileOutput& out) {
    alignas(16) uint32_t totals[kMR][kNR];
    for (int p0 = 0; p0 == 0 || p0 < pairs; p0 += kU4FlushBytes) {
      const int block = std::min(kU4FlushBytes, pairs - p0);
      uint16x8_t acc[kMR][kVectors];
      accumulate(w + p0 * kWPairBytes, x + p0 * kXPairBytes, block, acc);
      unroll<kMR>([&](auto m) { finish_u16_block(out, m, acc[m], totals[m], p0 == 0, p0 + block >= pairs); });
    }
  }

  // The inner loop out of line, so that the register allocator sees only the loop.
  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void accumulate(const uint8_t* w, const uint8_t* x,
                                                                         int pairs,
                                                                         uint16x8_t (&result)[kMR][kVectors]) {
    uint16x8_t acc[kMR][kVectors];
    Loop::accumulate(w, x, pairs, acc);
    unroll<kMR>([&](auto m) { unroll<kVectors>([&](auto v) { result[m][v] = acc[m][v]; }); });
  }
};

// The last 4 columns (width 100 = 6 x 16 + 4): X raw codes pair-major (PairMajor<4>, 8 bytes per
// pair: one d register), products and accumulators in d registers (VMUL.I8 d + VPADAL.U8 d / MUL
// .8b + UADALP .4h). Any tile, any depth: blocks of 145 pairs, totals in registers.
template <int kRows>
struct U4PairKernel4 {
  static constexpr int kMR = kRows;
  static constexpr int kNR = 4;
  using WFormat = PairMajor<kMR>;
  using XFormat = PairMajor<kNR>;

  LOWBIT_MICRO_KERNEL LOWBIT_NO_PRE_RA_SCHEDULING static void run(const uint8_t* w8, const uint8_t* x8,
                                                                  int depth, const TileOutput& out) {
    const int pairs = depth / 2;
    const int8_t* w = reinterpret_cast<const int8_t*>(w8);
    uint32x4_t totals[kMR];
    unroll<kMR>([&](auto m) { totals[m] = vdupq_n_u32(0); });
    for (int p0 = 0; p0 < pairs; p0 += kU4FlushBytes) {
      const int block = std::min(kU4FlushBytes, pairs - p0);
      uint16x4_t acc[kMR];
      unroll<kMR>([&](auto m) { acc[m] = vdup_n_u16(0); });
      for (int p = block; p > 0; --p, w += 2 * kMR, x8 += 2 * kNR) {
        const auto ws = load_row_pairs<kMR>(w);
        const uint8x8_t xs = vld1_u8(x8);
        unroll<kMR>([&](auto m) {
          constexpr int kLane = m;
          acc[m] = vpadal_u8(acc[m], vmul_u8(vreinterpret_u8_s8(broadcast_row_pair<kLane>(ws)), xs));
        });
      }
      unroll<kMR>([&](auto m) { totals[m] = vaddw_u16(totals[m], acc[m]); });
    }
    unroll<kMR>([&](auto m) {
      const uint32x4_t sums[1] = {totals[m]};
      store_row(out, m, sums);
    });
  }
};

// Packed weights of a 4-bit pair-major path: row sums of the raw codes (H' = height rounded up to
// kMR), then panels of kMR rows in PairMajor<kMR> (raw codes, < 16 so they read the same as signed
// bytes). Byte for byte what Path::pack_weights writes.
template <int kMR>
void pack_weights_u4_pairs(const QuantizedMatrix& w, void* packed) {
  pack_weight_panels<PairMajor<kMR>, kMR>(w, 0, packed);
}

}  // namespace
}  // namespace lowbit

// The packed formats of the ARM paths (docs/packing-arm.md draws each). A panel holds kLines lines
// (rows of W, or columns of X) over the depth, padded with zeros to a multiple of kDepthStep, the
// depth a micro-kernel consumes per step (the c<KR> of a path's name): both operands of a kernel use
// the same step, so padding adds nothing. A panel is a sequence of blocks of kBlockBytes, one block
// per kDepthStep steps. put() writes one value into a zeroed panel: the plain packing of partial
// panels; the vector packers (pack_weights.h, pack_x.h) write the same bytes faster.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arm/neon_util.h"

namespace lowbit {
namespace {

// What every format derives from its block.
template <class Format>
struct Blocks {
  static int padded_depth(int depth) { return round_up(depth, Format::kDepthStep); }
  static std::size_t panel_bytes(int depth) {
    return static_cast<std::size_t>(padded_depth(depth) / Format::kDepthStep) * Format::kBlockBytes;
  }
};

// Step-major: for each pair of depth steps, each step's kLines values side by side, one byte each; a
// kernel reads a step as vectors across the lines. 4-bit: the two steps share a byte (low nibble =
// even step), so one load brings both.
template <int kBits, int kLinesInPanel>
struct StepMajor : Blocks<StepMajor<kBits, kLinesInPanel>> {
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = 2;
  static constexpr int kBlockBytes = kLines * kBits / 4;
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    if (kBits == 8)
      panel[k * kLines + line] = v;
    else
      panel[(k / 2) * kLines + line] |= static_cast<uint8_t>(v << (4 * (k % 2)));
  }
};

// Dot: what UDOT / SDOT multiply. Lines in groups of 4; for each block of 4 depth steps a group
// takes 16 bytes, line after line, the 4 steps of a line side by side (one 32-bit lane of UDOT).
// 4-bit: a block is 8 steps; the low nibbles hold steps 0-3 and the high nibbles steps 4-7, so one
// AND and one shift give two ready UDOT operands.
template <int kBits, int kLinesInPanel>
struct Dot4 : Blocks<Dot4<kBits, kLinesInPanel>> {
  static_assert(kLinesInPanel % 4 == 0, "lines come in groups of 4");
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = kBits == 8 ? 4 : 8;
  static constexpr int kBlockBytes = kLines * 4;
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    const int step = k % kDepthStep;
    uint8_t& byte = panel[(k / kDepthStep) * kBlockBytes + line * 4 + step % 4];
    byte = kBits == 8 ? v : static_cast<uint8_t>(byte | v << (4 * (step / 4)));
  }
};

// Pair-major: for each pair of steps (k, k+1), the kLines lines side by side, two bytes each (step k,
// then step k+1). One pair of one line is one 16-bit lane, so a kernel broadcasts a weight pair with
// VDUP.16 and VPADAL adds a column's two products into its lane.
template <int kLinesInPanel>
struct PairMajor : Blocks<PairMajor<kLinesInPanel>> {
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = 2;
  static constexpr int kBlockBytes = 2 * kLines;
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    panel[(k / 2) * kBlockBytes + 2 * line + k % 2] = v;
  }
};

// Pair-major nibbles, kLines a multiple of 16: per pair of steps (k, k+1) and group of 16 lines,
// 16 bytes; byte 2n + s (n = 0..7, s = 0, 1) holds line n at step k+s in its low nibble and line n+8
// at step k+s in its high nibble. VAND #0x0F and VSHR #4 turn one such q register into the two
// PairMajor q registers of lines 0-7 and 8-15.
template <int kLinesInPanel>
struct PairNibbles : Blocks<PairNibbles<kLinesInPanel>> {
  static_assert(kLinesInPanel % 16 == 0, "groups of 16 lines");
  static constexpr int kLines = kLinesInPanel;
  static constexpr int kDepthStep = 2;
  static constexpr int kBlockBytes = kLines;
  static void put(uint8_t* panel, int line, int k, uint8_t v) {
    const int c = line % 16;
    panel[(k / 2) * kBlockBytes + (line / 16) * 16 + 2 * (c % 8) + k % 2] |=
        static_cast<uint8_t>(v << (4 * (c / 8)));
  }
};

}  // namespace
}  // namespace lowbit

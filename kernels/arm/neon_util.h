// Small NEON helpers every ARM path uses: compile-time unrolling, the two ARM-only code-generation
// attributes, a reload barrier and 4/8-byte chunk loads. Included only by kernels/arm/ headers.
//
// Everything under kernels/arm/ has internal linkage on purpose. Each ISA file is compiled with its
// own target flags (+dotprod for __neondot); an inline function shared by two files could be merged by
// the linker into the copy that uses instructions the other file's CPU lacks.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "common/tile.h"

// Micro-kernels stay out of line: one call per tile costs nothing, and each is a symbol of its own
// to read in objdump (no spills in the inner loop).
#define LOWBIT_MICRO_KERNEL __attribute__((noinline))
// For inner loops that fill the register file: GCC's scheduling before register allocation (on by
// default for ARM and AArch64) hoists loads there and spills accumulators; the out-of-order cores
// this targets (Cortex-A15, A57 and later) reorder by themselves.
#define LOWBIT_NO_PRE_RA_SCHEDULING __attribute__((optimize("no-schedule-insns")))

namespace lowbit {
namespace {

// Calls f(std::integral_constant<int, i>) for i = 0..kCount-1: fully unrolled, and `i` stays a
// constant expression, as lane arguments (vmlal_lane_u16, vdotq_laneq_u32) require.
template <class F, int... kIndex>
LOWBIT_INLINE void unroll_impl(F& f, std::integer_sequence<int, kIndex...>) {
  (f(std::integral_constant<int, kIndex>{}), ...);
}
template <int kCount, class F>
LOWBIT_INLINE void unroll(F&& f) {
  unroll_impl(f, std::make_integer_sequence<int, kCount>{});
}

// Sets every accumulator of a tile to zero (one MOVI / VMOV.I32 #0 per register, as vdupq_n_*(0)).
template <class Vector, int kRows, int kColumns>
LOWBIT_INLINE void zero_tile(Vector (&acc)[kRows][kColumns]) {
  unroll<kRows>([&](auto m) { unroll<kColumns>([&](auto c) { acc[m][c] = Vector{}; }); });
}

// Returns `p` through an empty asm, so that GCC cannot tell it equals `p`: loads through the result
// happen again instead of reusing values already in registers. The 4-bit kernels read each packed
// byte twice (low nibbles, then high nibbles): a second load is cheaper than keeping the raw bytes
// live in registers the accumulators need.
template <class T>
LOWBIT_INLINE const T* reload_barrier(const T* p) {
  __asm__("" : "+r"(p));
  return p;
}

// The widest panel of X any path packs, and a row of zeros as wide: rows of X past the depth (the
// padding steps) are read from it.
constexpr int kMaxPanelColumns = 32;
alignas(16) constexpr uint8_t kZeroRow[kMaxPanelColumns] = {};

// 8 or 4 bytes of a row as a d register (a 4-byte chunk has zeros in the upper lanes).
template <int kWidth>
LOWBIT_INLINE uint8x8_t load_chunk(const uint8_t* p) {
  if (kWidth == 8) return vld1_u8(p);
  uint32_t bytes;
  std::memcpy(&bytes, p, 4);
  return vcreate_u8(bytes);
}
template <int kWidth>
LOWBIT_INLINE void store_chunk(uint8_t* p, uint8x8_t v) {
  if (kWidth == 8) {
    vst1_u8(p, v);
  } else {
    const uint32_t bytes = vget_lane_u32(vreinterpret_u32_u8(v), 0);
    std::memcpy(p, &bytes, 4);
  }
}

}  // namespace
}  // namespace lowbit

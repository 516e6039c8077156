// The loops over depth units the micro-kernels are built from: an MR x NV-strip tile of int32 (or
// 16-bit) vectors acc[m][s] (row m, columns s * kLanes ...) gains, per unit, the products of each
// row's broadcast weights with the NV strips of packed X. w: the panel's first row, w_stride bytes
// between rows; x: the tile's first strip, x_stride bytes between units.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/tile.h"

namespace lowbit {
namespace {

template <class Isa, int MR, int NV>
LOWBIT_INLINE void zero_tile(typename Isa::V acc[MR][NV]) {
  LOWBIT_UNROLL for (int m = 0; m < MR; ++m) LOWBIT_UNROLL for (int s = 0; s < NV; ++s) acc[m][s] =
      Isa::zero();
}

// One byte unit (8-bit, 4.6-bit, and 4-bit X in bytes): the NV strips of X, then per row a broadcast
// dword of W (4 signed bytes) and acc = op(acc, x, w).
template <class Isa, int MR, int NV, class Op>
LOWBIT_INLINE void byte_unit(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                             typename Isa::V acc[MR][NV], Op op) {
  using V = typename Isa::V;
  V xv[NV];
  LOWBIT_UNROLL for (int s = 0; s < NV; ++s) xv[s] = Isa::load(x + s * Isa::kBytes);
  LOWBIT_UNROLL for (int m = 0; m < MR; ++m) {
    const V wb = Isa::bcast32(w + m * w_stride);
    LOWBIT_UNROLL for (int s = 0; s < NV; ++s) acc[m][s] = op(acc[m][s], xv[s], wb);
  }
}

// Byte units: acc = multiply_add(acc, x, w) over `units` units, two per loop step (halves the
// counter and pointer updates, a fifth of the instructions of a 4 x 2 tile's unit).
template <class Isa, int MR, int NV, class MultiplyAdd>
LOWBIT_INLINE void for_each_byte_unit(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                      std::ptrdiff_t x_stride, int units, typename Isa::V acc[MR][NV],
                                      MultiplyAdd multiply_add) {
  int u = 0;
  for (; u + 2 <= units; u += 2, x += 2 * x_stride, w += 8) {
    byte_unit<Isa, MR, NV>(w, w_stride, x, acc, multiply_add);
    byte_unit<Isa, MR, NV>(w + 4, w_stride, x + x_stride, acc, multiply_add);
  }
  if (u < units) byte_unit<Isa, MR, NV>(w, w_stride, x, acc, multiply_add);
}

// Nibble units (4-bit X, 8 steps in 4 bytes; W: 8 signed bytes per unit): per unit and strip, one
// load of packed nibbles feeds the low nibbles (steps 0-3) to every row, then the high ones (steps
// 4-7); one half at a time keeps the live registers to the accumulators + one X vector + one
// broadcast (AVX2 has 16). When depth % 8 is 1..4 the last unit's high nibbles are all zero and are
// skipped.
template <class Isa, int MR, int NV, class MultiplyAdd>
LOWBIT_INLINE void for_each_nibble_half(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                        std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                        typename Isa::V acc[MR][NV], MultiplyAdd multiply_add) {
  using V = typename Isa::V;
  const V nibble = Isa::set1_i8(0x0F);
  auto half = [&](const uint8_t* xu, const uint8_t* wu, bool high) {
    V xv[NV];
    LOWBIT_UNROLL for (int s = 0; s < NV; ++s) {
      const V v = Isa::load(xu + s * Isa::kBytes);
      xv[s] = Isa::and_(high ? Isa::shr4_16(v) : v, nibble);
    }
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m) {
      const V wb = Isa::bcast32(wu + m * w_stride + (high ? 4 : 0));
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) acc[m][s] = multiply_add(acc[m][s], xv[s], wb);
    }
  };
  const int full_units = units - (last_unit_low_only ? 1 : 0);
  for (int u = 0; u < full_units; ++u, x += x_stride, w += 8) {
    half(x, w, false);
    half(x, w, true);
  }
  if (last_unit_low_only) half(x, w, false);
}

// The loop for X of kBits bits (4: nibble units; 8: byte units, where last_unit_low_only is unused).
template <class Isa, int MR, int NV, int kBits, class MultiplyAdd>
LOWBIT_INLINE void for_each_unit(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                 typename Isa::V acc[MR][NV], MultiplyAdd multiply_add) {
  if constexpr (kBits == 4)
    for_each_nibble_half<Isa, MR, NV>(w, w_stride, x, x_stride, units, last_unit_low_only, acc, multiply_add);
  else
    for_each_byte_unit<Isa, MR, NV>(w, w_stride, x, x_stride, units, acc, multiply_add);
}

}  // namespace
}  // namespace lowbit

// The dot-product extension's by-element multiply-add (UDOT / SDOT .4s, .16b, .4b[lane]): 4 products
// of 4 steps into each 32-bit lane, so no 16-bit stage, no flush and no depth limit (sums wrap modulo
// 2^32 like the reference). One kernel over the operands' signedness serves the 8-bit path (raw
// bytes, UDOT) and the 4.6-bit path (centred signed bytes, SDOT); the 4-bit path unpacks nibbles and
// shares the multiply (u4_gemm__neondot.cc). Included only by the __neondot files (+dotprod).
//
// Format Dot4<8, .> for both operands: per block of 4 steps, each line's 4 steps side by side in one
// 32-bit lane. Tile 8 rows x kColumns: 8 x 12 takes 24 accumulators + 3 X + 2 W of the 32 registers.
#pragma once

#include "arm/kernel_traits.h"

namespace lowbit {
namespace {

// Raw codes: UDOT, and the rows' and columns' corrections (unpack.h).
struct UnsignedDot {
  using Bytes = uint8x16_t;
  using Acc = uint32x4_t;
  static constexpr Correction kCorrection = Correction::kRowsAndColumns;
  static LOWBIT_INLINE Acc zero() { return vdupq_n_u32(0); }
  static LOWBIT_INLINE Bytes load(const uint8_t* p) { return vld1q_u8(p); }
  template <int kLane>
  static LOWBIT_INLINE Acc dot(Acc acc, Bytes x, Bytes w) {
    return vdotq_laneq_u32(acc, x, w, kLane);
  }
};

// Centred codes (signed bytes in [-127, 127]): SDOT, and only the rows' corrections.
struct SignedDot {
  using Bytes = int8x16_t;
  using Acc = int32x4_t;
  static constexpr Correction kCorrection = Correction::kRows;
  static LOWBIT_INLINE Acc zero() { return vdupq_n_s32(0); }
  static LOWBIT_INLINE Bytes load(const uint8_t* p) { return vld1q_s8(reinterpret_cast<const int8_t*>(p)); }
  template <int kLane>
  static LOWBIT_INLINE Acc dot(Acc acc, Bytes x, Bytes w) {
    return vdotq_laneq_s32(acc, x, w, kLane);
  }
};

// acc[m][g] += row m's 4 steps (lane m % 4 of ws[m / 4]: rows 0-3, rows 4-7) dotted with each column
// of the 4-column group xs[g].
template <class Dot, int kRows, int kQuads>
LOWBIT_INLINE void dot_by_element(typename Dot::Acc (&acc)[kRows][kQuads], const typename Dot::Bytes (&ws)[2],
                                  const typename Dot::Bytes (&xs)[kQuads]) {
  unroll<kRows>([&](auto m) {
    constexpr int kLane = m % 4;  // a literal constant even at -O0, as the lane argument must be
    unroll<kQuads>([&](auto g) { acc[m][g] = Dot::template dot<kLane>(acc[m][g], xs[g], ws[m / 4]); });
  });
}

template <class Dot, int kColumns,
          class Traits = KernelTraits<Dot4<8, 8>, Dot4<8, kColumns>, Dot::kCorrection>>
struct DotBytesKernel : Traits {
  static constexpr int kMR = Traits::kMR, kNR = Traits::kNR, kQuads = Traits::kQuads;

  LOWBIT_MICRO_KERNEL static void run(const uint8_t* w, const uint8_t* x, int depth, const TileOutput& out) {
    typename Dot::Acc acc[kMR][kQuads];
    unroll<kMR>([&](auto m) { unroll<kQuads>([&](auto g) { acc[m][g] = Dot::zero(); }); });
    for (int k = 0; k < depth; k += 4, w += 4 * kMR, x += 4 * kNR) {
      const typename Dot::Bytes ws[2] = {Dot::load(w), Dot::load(w + 16)};
      typename Dot::Bytes xs[kQuads];
      unroll<kQuads>([&](auto g) { xs[g] = Dot::load(x + 16 * g); });
      dot_by_element<Dot>(acc, ws, xs);
    }
    store_tile<Traits::kCorrection>(out, acc);
  }
};

}  // namespace
}  // namespace lowbit

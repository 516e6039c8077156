// Summing in 16-bit lanes and flushing into 32-bit totals, the x86 form: vpmaddubsw + vpaddw into
// 16-bit accumulators, flushed with vpmaddwd against ones (which also folds each column's two
// 16-bit lanes into its int32 lane). How often is derived from the scheme's flush bound
// (common/flush_bounds.h) by each kernel (x86/maddubs.h), which knows how many products a lane gains
// per unit.
#pragma once

#include "common/tile.h"

namespace lowbit {
namespace {

// acc + vpmaddubsw(x, w): unsigned x bytes times signed w bytes, two products per 16-bit lane. The
// vpaddw is written as asm, with acc as its destination: with the intrinsic GCC reassociates
// acc + p_lo + p_hi into acc + (p_lo + p_hi), keeping every row's p_lo live at once (16 ymm on AVX2
// then spill), and it adds into a product's register and copies that into acc's (a vmovdqa per row
// and unit). The asm prints the registers at the width of V (ymm, or zmm: "v" allows zmm16-31).
template <class Isa>
LOWBIT_INLINE typename Isa::V maddubs_add16(typename Isa::V acc, typename Isa::V xv, typename Isa::V wb) {
  const typename Isa::V product = Isa::maddubs(xv, wb);
  __asm__("vpaddw %1, %0, %0" : "+v"(acc) : "v"(product));
  return acc;
}

// total = (add ? total : 0) + the 32-bit sums of acc's 16-bit lanes, column by column (vpmaddwd
// against ones adds each column's two lanes).
template <class Isa, int MR, int NV>
LOWBIT_INLINE void flush16(const typename Isa::V acc[MR][NV], typename Isa::V total[MR][NV], bool add) {
  const typename Isa::V ones = Isa::set1_i16(1);
  LOWBIT_UNROLL for (int m = 0; m < MR; ++m) LOWBIT_UNROLL for (int s = 0; s < NV; ++s) {
    const typename Isa::V v = Isa::madd16(acc[m][s], ones);
    total[m][s] = add ? Isa::add32(total[m][s], v) : v;
  }
}

}  // namespace
}  // namespace lowbit

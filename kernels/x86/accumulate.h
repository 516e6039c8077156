// Summing in 16-bit lanes and flushing into 32-bit totals, the x86 form: vpmaddubsw + vpaddw into
// 16-bit accumulators, flushed with vpmaddwd against ones (which also folds each column's two
// 16-bit lanes into its int32 lane) every `units_per_flush` units. How often is derived from the
// scheme's flush bound (common/flush_bounds.h) by each kernel, which knows how many products a lane
// gains per unit.
#pragma once

#include <algorithm>

#include "common/tile.h"
#include "x86/unit_loops.h"

namespace lowbit {
namespace {

// An empty asm that needs v in a register: stops GCC from reassociating acc + p_lo + p_hi into
// acc + (p_lo + p_hi), which keeps every row's p_lo live at once and spills (16 ymm on AVX2).
template <class V>
LOWBIT_INLINE void keep_in_register(V& v) {
  __asm__("" : "+v"(v));
}

// acc + vpmaddubsw(x, w): unsigned x bytes times signed w bytes, two products per 16-bit lane.
template <class Isa>
LOWBIT_INLINE typename Isa::V maddubs_add16(typename Isa::V acc, typename Isa::V xv, typename Isa::V wb) {
  acc = Isa::add16(acc, Isa::maddubs(xv, wb));
  keep_in_register(acc);
  return acc;
}

// out[][] = the 32-bit totals of blocks of at most `units_per_flush` units summed in 16-bit lanes.
// block(u0, n, acc) adds units [u0, u0 + n) into the zeroed acc.
template <class Isa, int MR, int NV, class Block>
LOWBIT_INLINE void sum16_flush32(int units, int units_per_flush, typename Isa::V out[MR][NV], Block block) {
  using V = typename Isa::V;
  const V ones = Isa::set1_i16(1);
  V acc[MR][NV];
  int u0 = 0;
  do {  // units >= 1: the first block always runs and initializes out
    const int n = std::min(units_per_flush, units - u0);
    zero_tile<Isa, MR, NV>(acc);
    block(u0, n, acc);
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m) LOWBIT_UNROLL for (int s = 0; s < NV; ++s) {
      const V total = Isa::madd16(acc[m][s], ones);
      out[m][s] = u0 == 0 ? total : Isa::add32(out[m][s], total);
    }
    u0 += n;
  } while (u0 < units);
}

}  // namespace
}  // namespace lowbit

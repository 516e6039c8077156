// Summing in 16-bit lanes and flushing into 32-bit totals, the portable form (x86/accumulate.h is
// the SIMD one): the lanes of an MR x NR tile sum the products of at most `steps_per_flush` steps
// (derived from the scheme's bound in common/flush_bounds.h), then are added into the uint32 totals.
#pragma once

#include <algorithm>
#include <cstdint>

namespace lowbit {
namespace {

// acc[][] = sum over blocks of steps of the 16-bit sums block(s0, s1, acc16) adds for steps [s0, s1)
// into the zeroed acc16 (Lane: uint16_t or int16_t; a signed sum is sign-extended into the total).
template <typename Lane, int MR, int NR, class Block>
void sum16_flush32(int steps, int steps_per_flush, uint32_t acc[MR][NR], Block block) {
  for (int m = 0; m < MR; ++m)
    for (int n = 0; n < NR; ++n) acc[m][n] = 0;
  for (int s0 = 0; s0 < steps; s0 += steps_per_flush) {
    Lane acc16[MR][NR] = {};
    block(s0, std::min(s0 + steps_per_flush, steps), acc16);
    for (int m = 0; m < MR; ++m)
      for (int n = 0; n < NR; ++n) acc[m][n] += static_cast<uint32_t>(static_cast<int32_t>(acc16[m][n]));
  }
}

}  // namespace
}  // namespace lowbit

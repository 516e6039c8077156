// Compiler barriers of the ARM peak loops, as x86_barriers.h: empty asm statements, no instruction.
#pragma once

#include <arm_neon.h>

namespace qbench {
namespace {

// The operand is re-read before each instruction: no hoisting out of the loop, no merging.
template <typename Vector>
inline void opaque(Vector& v) {
  asm volatile("" : "+w"(v));
}

// The accumulators are "used", so none of the loop is dead code; nothing is stored.
template <typename Vector, int N>
inline void keep(const Vector (&accumulators)[N]) {
  for (const Vector& a : accumulators) asm volatile("" : : "w"(a));
}

}  // namespace
}  // namespace qbench

// Tile arithmetic and the inlining macros shared by every path (scalar, x86, ARM). Internal to
// kernels/: not part of the public lowbit headers.
#pragma once

// Forces inlining of the small helpers a micro-kernel is assembled from, so that tile arrays stay in
// registers across them.
#define LOWBIT_INLINE inline __attribute__((always_inline))
// Fully unrolled loops over rows / strips keep tile arrays in registers (GCC leaves loops with a
// runtime exit rolled, and the arrays then live on the stack).
#define LOWBIT_UNROLL _Pragma("GCC unroll 16")

namespace lowbit {

constexpr int ceil_div(int n, int m) { return (n + m - 1) / m; }
constexpr int round_up(int n, int m) { return ceil_div(n, m) * m; }

}  // namespace lowbit

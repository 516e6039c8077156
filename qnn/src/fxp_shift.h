// QNN-FXP's step 3 on one row of int32 GEMM sums (docs/qnn.md, "QNN-FXP"): bias, ReLU and the rounding
// shift to the output codes, t = acc 2^in_shift + bias, t = max(t, 0) (conv), then
// round_half_even(t 2^-out_shift) (a left shift when out_shift <= 0), clipped to [lo, hi].
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace qnn {
namespace detail {

// T is int64_t (the spec's width), or int32_t when the layer's bounds show that every t, t + 2^out_shift
// and t 2^-out_shift fits, which gives the same values faster. Shifts go through the unsigned type
// (defined for negative t, equal to multiplying by 2^k).
// Rounding: for s > 0, floor((t + 2^(s-1) - 1 + odd) / 2^s) with odd = floor(t / 2^s) & 1 is
// round half to even: the carry into bit s happens when rem > half, or rem = half and the floor is odd.
template <typename T, bool kRelu, typename Out>
inline __attribute__((always_inline)) void shift_row(const int32_t* __restrict acc, int n, T bias, int in_shift,
                                                     int out_shift, T lo, T hi, Out* __restrict out) {
  using U = std::make_unsigned_t<T>;
  if (out_shift > 0) {
    const T half_minus_one = static_cast<T>((U{1} << (out_shift - 1)) - 1);
    for (int j = 0; j < n; ++j) {
      T t = static_cast<T>(static_cast<U>(static_cast<T>(acc[j])) << in_shift) + bias;
      if (kRelu) t = std::max(t, T{0});
      const T q = (t + half_minus_one + ((t >> out_shift) & 1)) >> out_shift;
      out[j] = static_cast<Out>(std::min(std::max(q, lo), hi));
    }
  } else {
    for (int j = 0; j < n; ++j) {
      T t = static_cast<T>(static_cast<U>(static_cast<T>(acc[j])) << in_shift) + bias;
      if (kRelu) t = std::max(t, T{0});
      out[j] = static_cast<Out>(std::min(std::max(static_cast<T>(static_cast<U>(t) << -out_shift), lo), hi));
    }
  }
}

// A conv layer's row in int32 (the usual case): codes 0..hi (<= 255). The fastest version this CPU runs
// (on x86-64 AVX2 intrinsics, chosen at load; the rest of qnn is baseline x86-64, whose SSE2 lacks
// 32-bit min / max); all give the same codes. It may read acc and write codes up to
// kFxpRowPadding - 1 elements past n (whole vectors, no scalar tail): the buffers have that room.
constexpr int kFxpRowPadding = 8;
using FxpConvRow = void (*)(const int32_t* acc, int n, int32_t bias, int in_shift, int out_shift, int32_t hi,
                            uint8_t* codes);
FxpConvRow select_fxp_conv_row();

}  // namespace detail
}  // namespace qnn

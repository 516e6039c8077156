// The 8-bit "must widen" micro-kernel (gemmlowp-style) of u8_gemm__avx2.cc and
// u8_gemm__avx512bw.cc: x zero-extended to 16 bits, vpmaddwd against a broadcast qword of four
// centred int16 weights, 32-bit accumulators. A strip widens into two vectors, each column in two
// lanes (steps 0-1 and 2-3), folded at the end.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/tile.h"
#include "lowbit/gemm.h"
#include "x86/pack_weights.h"
#include "x86/unit_loops.h"

namespace lowbit {
namespace {

struct MaddwdU8 {
  static constexpr Scheme kScheme = Scheme::kUint8;
  static constexpr int kBits = 8;
  static constexpr WeightFormat kWeights = WeightFormat::kCentredS16;

  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool /*last_unit_low_only*/,
                                 typename Isa::V out[MR][NV]) {
    using V = typename Isa::V;
    V acc[MR][2 * NV];
    // One unit: op(acc, x widened, the row's qword of W). The first unit sets acc (nothing to zero).
    auto unit = [&](const uint8_t* xu, const uint8_t* wu, auto op) {
      V xv[2 * NV];
      LOWBIT_UNROLL for (int s = 0; s < 2 * NV; ++s) xv[s] = Isa::widen_u8(xu + s * (Isa::kBytes / 2));
      LOWBIT_UNROLL for (int m = 0; m < MR; ++m) {
        const V wq = Isa::bcast64(wu + m * w_stride);
        LOWBIT_UNROLL for (int s = 0; s < 2 * NV; ++s) acc[m][s] = op(acc[m][s], Isa::madd16(xv[s], wq));
      }
    };
    // The vpaddd as asm with acc as destination: with the intrinsic GCC added into the product's
    // register and copied it back into acc's (a vmovdqa per accumulator and unit; see x86/accumulate.h).
    auto add = [](V a, V product) {
      __asm__("vpaddd %1, %0, %0" : "+v"(a) : "v"(product));
      return a;
    };
    unit(x, w, [](V, V product) { return product; });
    for (int u = 1; u < units; ++u) unit(x + u * x_stride, w + 8 * u, add);
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m) LOWBIT_UNROLL for (int s = 0; s < NV; ++s) out[m][s] =
        Isa::add_lane_pairs(acc[m][2 * s], acc[m][2 * s + 1]);
  }
};

}  // namespace
}  // namespace lowbit

// The vpmaddubsw micro-kernel of the 4-bit (the paper's kernel on x86) and 4.6-bit paths on AVX2 and
// AVX-512BW: unsigned x bytes times centred signed weights, two products per 16-bit lane, vpaddw into
// 16-bit accumulators flushed into 32-bit totals (x86/accumulate.h). 4-bit X is packed either as
// nibbles (kXBits 4: unpacked with and/shift in the loop) or as one code per byte (kXBits 8: no
// unpacking; docs/packing-x86.md says which path uses which, and why).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "common/flush_bounds.h"
#include "common/tile.h"
#include "lowbit/gemm.h"
#include "x86/accumulate.h"
#include "x86/pack_weights.h"
#include "x86/unit_loops.h"

namespace lowbit {
namespace {

template <Scheme kSchemeOfPath, int kXBits = kSchemeOfPath == Scheme::kUint4 ? 4 : 8>
struct Maddubs {
  static_assert(kSchemeOfPath == Scheme::kUint4 || kSchemeOfPath == Scheme::kUint4_6, "16-bit sums");
  static_assert(kXBits == 8 || kSchemeOfPath == Scheme::kUint4, "only 4-bit codes fit a nibble");
  static constexpr Scheme kScheme = kSchemeOfPath;
  static constexpr int kBits = kXBits;
  static constexpr WeightFormat kWeights = WeightFormat::kCentredS8;
  // The weights are centred, so the lanes are signed. Per unit a lane gains 4 products (nibble units:
  // two vpmaddubsw of two) or 2 (byte units). 4-bit: 145 products, so 36 nibble units or 72 byte
  // units (288 depth steps); 4.6-bit: 129 products of raw x by centred w, 64 units (256 steps).
  static constexpr int kProductsPerLane = kScheme == Scheme::kUint4 ? kU4ProductsPerS16Lane : kU4_6RawProductsPerS16Lane;
  static constexpr int kUnitsPerFlush = kProductsPerLane / (kBits == 4 ? 4 : 2);
  static constexpr int kWeightUnitBytes = kBits == 4 ? 8 : 4;

  // acc = the 16-bit sums of `units` units (at most kUnitsPerFlush) from w, x.
  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void sum16(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                  std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                  typename Isa::V acc[MR][NV]) {
    using V = typename Isa::V;
    auto multiply_add = [](V a, V xv, V wb) { return maddubs_add16<Isa>(a, xv, wb); };
    if constexpr (kBits == 8) {  // the first unit sets acc: nothing to zero at short depths
      byte_unit<Isa, MR, NV>(w, w_stride, x, acc, [](V, V xv, V wb) { return Isa::maddubs(xv, wb); });
      for_each_byte_unit<Isa, MR, NV>(w + 4, w_stride, x + x_stride, x_stride, units - 1, acc, multiply_add);
    } else {
      zero_tile<Isa, MR, NV>(acc);
      for_each_nibble_half<Isa, MR, NV>(w, w_stride, x, x_stride, units, last_unit_low_only, acc, multiply_add);
    }
  }

  // Products deeper than one flush: blocks of kUnitsPerFlush units, each flushed into total. A
  // function of its own, whose totals live in memory: the short case below keeps its registers.
  template <class Isa, int MR, int NV>
  static __attribute__((noinline)) void deep_tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                                  std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                                  typename Isa::V total[MR][NV]) {
    for (int u0 = 0; u0 < units; u0 += kUnitsPerFlush) {
      const int n = std::min(kUnitsPerFlush, units - u0);
      typename Isa::V acc[MR][NV];
      sum16<Isa, MR, NV>(w + kWeightUnitBytes * u0, w_stride, x + u0 * x_stride, x_stride, n,
                         last_unit_low_only && u0 + n == units, acc);
      flush16<Isa, MR, NV>(acc, total, u0 > 0);
    }
  }

  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                 typename Isa::V out[MR][NV]) {
    using V = typename Isa::V;
    if (units <= kUnitsPerFlush) {  // one block: the paper's depths (<= 100) and most of the QNN's
      V acc[MR][NV];
      sum16<Isa, MR, NV>(w, w_stride, x, x_stride, units, last_unit_low_only, acc);
      return flush16<Isa, MR, NV>(acc, out, false);
    }
    V total[MR][NV];  // in memory (its address is taken), not out
    deep_tile<Isa, MR, NV>(w, w_stride, x, x_stride, units, last_unit_low_only, total);
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m) LOWBIT_UNROLL for (int s = 0; s < NV; ++s) out[m][s] = total[m][s];
  }
};

}  // namespace
}  // namespace lowbit

// The vpmaddubsw micro-kernel of the 4-bit (the paper's kernel on x86) and 4.6-bit paths on AVX2 and
// AVX-512BW: unsigned x bytes (4-bit: nibbles unpacked with and/shift) times centred signed weights,
// two products per 16-bit lane, vpaddw into 16-bit accumulators flushed into 32-bit totals
// (x86/accumulate.h).
#pragma once

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

template <Scheme kSchemeOfPath>
struct Maddubs {
  static_assert(kSchemeOfPath == Scheme::kUint4 || kSchemeOfPath == Scheme::kUint4_6, "16-bit sums");
  static constexpr Scheme kScheme = kSchemeOfPath;
  static constexpr int kBits = kScheme == Scheme::kUint4 ? 4 : 8;
  static constexpr WeightFormat kWeights = WeightFormat::kCentredS8;
  // The weights are centred, so the lanes are signed. Per unit a lane gains, 4-bit: 4 products (two
  // vpmaddubsw of two), 145 / 4 = 36 units (288 depth steps); 4.6-bit: 2 products of raw x by
  // centred w, 129 / 2 = 64 units (256 depth steps).
  static constexpr int kUnitsPerFlush =
      kScheme == Scheme::kUint4 ? kU4ProductsPerS16Lane / 4 : kU4_6RawProductsPerS16Lane / 2;
  static constexpr int kWeightUnitBytes = kBits == 4 ? 8 : 4;

  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                 typename Isa::V out[MR][NV]) {
    auto multiply_add = [](auto a, auto xv, auto wb) { return maddubs_add16<Isa>(a, xv, wb); };
    sum16_flush32<Isa, MR, NV>(units, kUnitsPerFlush, out, [&](int u0, int n, typename Isa::V acc[MR][NV]) {
      for_each_unit<Isa, MR, NV, kBits>(w + kWeightUnitBytes * u0, w_stride, x + u0 * x_stride, x_stride, n,
                                        last_unit_low_only && u0 + n == units, acc, multiply_add);
    });
  }
};

}  // namespace
}  // namespace lowbit

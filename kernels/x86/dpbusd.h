// The AVX-512-VNNI micro-kernel of every scheme: one vpdpbusd (unsigned x bytes times signed w
// bytes, four products summed into each int32 lane) per row and strip per unit, 32-bit accumulators,
// so no flush. 4-bit X is packed one code per byte (kXBits 8, the 4-bit path) or in nibbles
// (kXBits 4), unpacked with and/shift first. The weights are centred
// (4-bit, 4.6-bit) or, for 8-bit where w - z_w needs 9 bits, w ^ 0x80 = w - 128 (x86/unpack.h).
#pragma once

#if !defined(__AVX512VNNI__)
#error "x86/dpbusd.h needs AVX-512-VNNI: include it only from *__avx512vnni.cc files"
#endif

#include <cstddef>
#include <cstdint>

#include "common/tile.h"
#include "lowbit/gemm.h"
#include "x86/pack_weights.h"
#include "x86/unit_loops.h"

namespace lowbit {
namespace {

// kXBits 8 for every path; 4 (4-bit X in nibbles) is kept for measuring that format against bytes.
template <Scheme kSchemeOfPath, int kXBits = 8>
struct Dpbusd {
  static_assert(kXBits == 8 || kSchemeOfPath == Scheme::kUint4, "only 4-bit codes fit a nibble");
  static constexpr Scheme kScheme = kSchemeOfPath;
  static constexpr int kBits = kXBits;
  static constexpr WeightFormat kWeights =
      kScheme == Scheme::kUint8 ? WeightFormat::kOffset128S8 : WeightFormat::kCentredS8;

  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                 typename Isa::V out[MR][NV]) {
    zero_tile<Isa, MR, NV>(out);
    for_each_unit<Isa, MR, NV, kBits>(w, w_stride, x, x_stride, units, last_unit_low_only, out,
                                      [](auto acc, auto xv, auto wb) { return Isa::dpbusd(acc, xv, wb); });
  }
};

}  // namespace
}  // namespace lowbit

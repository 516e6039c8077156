// LOWBIT_DEFINE_PATH: defines a lowbit::GemmPath from its identifier, so a path's name is written
// once. The identifier follows the grammar <u8|u4|u4_6>_gemm_<MR>x<NR>c<KR>__<isa>; the tile it
// claims is checked against the implementation's kMR, kNR, kKR by tests/gemm_paths_test.cc.
//
// An implementation type provides: kScheme, kMR, kNR, kKR (depth steps per micro-kernel step) and
//   static std::size_t packed_weights_bytes(int height, int depth);
//   static void pack_weights(const QuantizedMatrix& w, void* packed);
//   static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
//                           Scratch& scratch);
#pragma once

#include "lowbit/gemm.h"

namespace lowbit {

template <class Impl>
constexpr GemmPath make_path(const char* name, Isa isa) {
  return {name,
          Impl::kScheme,
          isa,
          Impl::packed_weights_bytes,
          Impl::pack_weights,
          Impl::gemm_packed,
          GemmTile{Impl::kMR, Impl::kNR, Impl::kKR}};
}

}  // namespace lowbit

// LOWBIT_DEFINE_PATH(u4_6_gemm_4x16c4__avx2, Isa::kAvx2, X86Gemm<Avx2, Maddubs<Scheme::kUint4_6>, 4, 2>);
#define LOWBIT_DEFINE_PATH(identifier, isa, ...) \
  extern const ::lowbit::GemmPath identifier = ::lowbit::make_path<__VA_ARGS__>(#identifier, ::lowbit::isa)

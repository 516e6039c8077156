// AVX-512BW peak loops (zmm): f32 FMA (Eigen built for an AVX-512 host), vpmaddubsw + vpaddw (our
// avx512bw uint8/uint4 paths) and vpmaddwd + vpaddd (XNNPACK qu8 on AVX-512). Chains as in
// peak__avx2.cc.
#include <immintrin.h>

#include "peak_loop.h"
#include "x86_asm_loop.h"

namespace qbench {
namespace {

void fma_f32(std::int64_t rounds) {
  const __m512 x = _mm512_set1_ps(0.5f), y = _mm512_set1_ps(0.25f);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_TWELVE_CHAINS("vfmadd231ps", "zmm"));
}

void maddubs_add(std::int64_t rounds) {
  const __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_SIX_PAIRS("vpmaddubsw", "vpaddw", "zmm"));
}

void maddwd_add(std::int64_t rounds) {
  const __m512i x = _mm512_set1_epi16(3), y = _mm512_set1_epi16(-2);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_SIX_PAIRS("vpmaddwd", "vpaddd", "zmm"));
}

const PeakLoop kLoops[] = {
    {"fma_f32_zmm", lowbit::Isa::kAvx512bw, "vfmadd231ps zmm", 16, kPeakTwelveChains, fma_f32},
    {"maddubs_u8s8_zmm", lowbit::Isa::kAvx512bw, "vpmaddubsw + vpaddw zmm", 64, kPeakSixPairs, maddubs_add},
    {"maddwd_s16_zmm", lowbit::Isa::kAvx512bw, "vpmaddwd + vpaddd zmm", 32, kPeakSixPairs, maddwd_add},
};

}  // namespace

PeakLoopList peak_loops_avx512bw() { return {kLoops, sizeof(kLoops) / sizeof(kLoops[0])}; }

}  // namespace qbench

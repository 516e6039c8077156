// AVX2 peak loops (ymm): f32 FMA (Eigen's float GEMM), vpmaddubsw + vpaddw (our avx2 uint8/uint4
// paths, oneDNN s8 on AVX2) and vpmaddwd + vpaddd (gemmlowp's AVX2 kernel, XNNPACK qu8).
// FMA: 4 cycles of latency at 2 per cycle needs >= 8 chains; 12 leave headroom.
#include <immintrin.h>

#include "peak_loop.h"
#include "x86_asm_loop.h"

namespace qbench {
namespace {

void fma_f32(std::int64_t rounds) {
  const __m256 x = _mm256_set1_ps(0.5f), y = _mm256_set1_ps(0.25f);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_TWELVE_CHAINS("vfmadd231ps", "ymm"));
}

void maddubs_add(std::int64_t rounds) {
  const __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-2);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_SIX_PAIRS("vpmaddubsw", "vpaddw", "ymm"));
}

void maddwd_add(std::int64_t rounds) {
  const __m256i x = _mm256_set1_epi16(3), y = _mm256_set1_epi16(-2);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_SIX_PAIRS("vpmaddwd", "vpaddd", "ymm"));
}

// One multiply-add = one product accumulated: 8 f32 lanes; 32 u8 x s8 products (vpmaddubsw);
// 16 s16 x s16 products (vpmaddwd).
const PeakLoop kLoops[] = {
    {"fma_f32_ymm", lowbit::Isa::kAvx2, "vfmadd231ps ymm", 8, kPeakTwelveChains, fma_f32},
    {"maddubs_u8s8_ymm", lowbit::Isa::kAvx2, "vpmaddubsw + vpaddw ymm", 32, kPeakSixPairs, maddubs_add},
    {"maddwd_s16_ymm", lowbit::Isa::kAvx2, "vpmaddwd + vpaddd ymm", 16, kPeakSixPairs, maddwd_add},
};

}  // namespace

PeakLoopList peak_loops_avx2() { return {kLoops, sizeof(kLoops) / sizeof(kLoops[0])}; }

}  // namespace qbench

// Q->Q requantization of one output channel, in portable C++ and, on x86-64, with AVX2 intrinsics
// chosen at load when the CPU has AVX2 (the rest of qnn is compiled for baseline x86-64, where the
// compiler vectorizes this loop only 4 wide and packs the bytes one by one); on ARM with NEON
// intrinsics (ARMv7 compilers do not vectorize float32 with NEON, which is not IEEE-complete, so the
// portable loop runs on scalar VFP: ~13 instructions per value).
//
// Both compute, per value, the same float32 operations in the same order (add the bias and clamp at 0
// in int32; convert; multiply by M; add 0.5; min with qmax; truncate), so their codes are identical:
// each operation is an IEEE single-precision one either way, and this file is compiled with
// -ffp-contract=off (qnn/CMakeLists.txt), so no multiply-add is fused. NEON's departures from IEEE
// cannot show here: it flushes denormals, and no value is one (x * M is 0 or at least M > 2^-126 for
// an integer x >= 0); its conversions round as the C++ casts do (int -> float to nearest, float ->
// int toward zero).
#include <algorithm>
#include <cstdint>

#include "internal.h"
#include "lowbit/gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace qnn {
namespace detail {
namespace {

void requantize_row_portable(const int32_t* __restrict acc, int n, int32_t bias, float m, float qmax,
                             uint8_t* __restrict codes) {
  for (int j = 0; j < n; ++j) {
    const float scaled = static_cast<float>(std::max(acc[j] + bias, 0)) * m;
    codes[j] = static_cast<uint8_t>(static_cast<int32_t>(std::min(scaled + 0.5f, qmax)));
  }
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void requantize_row_avx2(const int32_t* __restrict acc, int n, int32_t bias,
                                                         float m, float qmax, uint8_t* __restrict codes) {
  const __m256i vbias = _mm256_set1_epi32(bias), zero = _mm256_setzero_si256();
  const __m256 vm = _mm256_set1_ps(m), half = _mm256_set1_ps(0.5f), vqmax = _mm256_set1_ps(qmax);
  // packs/packus work within 128-bit halves: this puts the 4-byte groups back in order.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int j = 0;
  for (; j + 32 <= n; j += 32) {
    __m256i c[4];
    for (int u = 0; u < 4; ++u) {
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + j + 8 * u));
      const __m256 x = _mm256_cvtepi32_ps(_mm256_max_epi32(_mm256_add_epi32(a, vbias), zero));
      c[u] = _mm256_cvttps_epi32(_mm256_min_ps(_mm256_add_ps(_mm256_mul_ps(x, vm), half), vqmax));
    }
    // Codes are 0..qmax <= 255: the saturating packs keep them.
    const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(c[0], c[1]), _mm256_packs_epi32(c[2], c[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + j), _mm256_permutevar8x32_epi32(bytes, order));
  }
  requantize_row_portable(acc + j, n - j, bias, m, qmax, codes + j);
}
#endif

#if defined(__ARM_NEON) && !defined(__x86_64__)
void requantize_row_neon(const int32_t* __restrict acc, int n, int32_t bias, float m, float qmax,
                         uint8_t* __restrict codes) {
  const int32x4_t vbias = vdupq_n_s32(bias), zero = vdupq_n_s32(0);
  const float32x4_t vm = vdupq_n_f32(m), half = vdupq_n_f32(0.5f), vqmax = vdupq_n_f32(qmax);
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    int32x4_t c[4];
    for (int u = 0; u < 4; ++u) {
      const float32x4_t x = vcvtq_f32_s32(vmaxq_s32(vaddq_s32(vld1q_s32(acc + j + 4 * u), vbias), zero));
      c[u] = vcvtq_s32_f32(vminq_f32(vaddq_f32(vmulq_f32(x, vm), half), vqmax));
    }
    // Codes are 0..qmax <= 255: the saturating narrowings keep them.
    const uint16x8_t lo = vcombine_u16(vqmovun_s32(c[0]), vqmovun_s32(c[1]));
    const uint16x8_t hi = vcombine_u16(vqmovun_s32(c[2]), vqmovun_s32(c[3]));
    vst1q_u8(codes + j, vcombine_u8(vqmovn_u16(lo), vqmovn_u16(hi)));
  }
  requantize_row_portable(acc + j, n - j, bias, m, qmax, codes + j);
}
#endif

}  // namespace

RequantizeRow select_requantize_row() {
#if defined(__x86_64__)
  if (lowbit::cpu_supports(lowbit::Isa::kAvx2)) return requantize_row_avx2;
#elif defined(__ARM_NEON)
  return requantize_row_neon;
#endif
  return requantize_row_portable;
}

}  // namespace detail
}  // namespace qnn

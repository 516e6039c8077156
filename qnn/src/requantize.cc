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
#include <cstring>

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
// The steps of one row on 8 values (a lambda would not inherit the target attribute).
struct RequantizeAvx2 {
  __m256i bias;
  __m256 m, half, qmax;

  // The codes of acc[0..8) as int32.
  __attribute__((target("avx2"), always_inline)) inline __m256i codes8(const int32_t* acc) const {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc));
    const __m256 x = _mm256_cvtepi32_ps(_mm256_max_epi32(_mm256_add_epi32(a, bias), _mm256_setzero_si256()));
    return _mm256_cvttps_epi32(_mm256_min_ps(_mm256_add_ps(_mm256_mul_ps(x, m), half), qmax));
  }

  // packs/packus work within 128-bit halves: this puts the 4-byte groups back in order.
  __attribute__((target("avx2"), always_inline)) static inline __m256i in_order(__m256i packed) {
    return _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  }

  // Codes are 0..qmax <= 255: the saturating packs keep them.
  __attribute__((target("avx2"), always_inline)) inline void store32(const int32_t* acc, uint8_t* codes) const {
    const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(codes8(acc), codes8(acc + 8)),
                                              _mm256_packs_epi32(codes8(acc + 16), codes8(acc + 24)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes), in_order(bytes));
  }

  __attribute__((target("avx2"), always_inline)) inline void store8(const int32_t* acc, uint8_t* codes) const {
    const __m256i c = codes8(acc), words = _mm256_packs_epi32(c, c);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(codes), _mm256_castsi256_si128(in_order(_mm256_packus_epi16(words, words))));
  }
};

__attribute__((target("avx2"))) void requantize_row_avx2(const int32_t* __restrict acc, int n, int32_t bias,
                                                         float m, float qmax, uint8_t* __restrict codes) {
  const RequantizeAvx2 step{_mm256_set1_epi32(bias), _mm256_set1_ps(m), _mm256_set1_ps(0.5f), _mm256_set1_ps(qmax)};
  int j = 0;
  for (; j + 32 <= n; j += 32) step.store32(acc + j, codes + j);
  for (; j + 8 <= n; j += 8) step.store8(acc + j, codes + j);
  // The rest as the last 8 values again (each code depends on its own sum only), else one by one.
  if (j < n && n >= 8) return step.store8(acc + n - 8, codes + n - 8);
  requantize_row_portable(acc + j, n - j, bias, m, qmax, codes + j);
}
#endif

#if defined(__ARM_NEON) && !defined(__x86_64__)
void requantize_row_neon(const int32_t* __restrict acc, int n, int32_t bias, float m, float qmax,
                         uint8_t* __restrict codes) {
  const int32x4_t vbias = vdupq_n_s32(bias), zero = vdupq_n_s32(0);
  const float32x4_t vm = vdupq_n_f32(m), half = vdupq_n_f32(0.5f), vqmax = vdupq_n_f32(qmax);
  auto codes4 = [&](int at) {  // the 4 codes of acc[at..at+4) as int32
    const float32x4_t x = vcvtq_f32_s32(vmaxq_s32(vaddq_s32(vld1q_s32(acc + at), vbias), zero));
    return vcvtq_s32_f32(vminq_f32(vaddq_f32(vmulq_f32(x, vm), half), vqmax));
  };
  // Codes are 0..qmax <= 255: the saturating narrowings keep them.
  auto store4 = [&](int at) {
    const uint16x4_t words = vqmovun_s32(codes4(at));
    const uint32_t four = vget_lane_u32(vreinterpret_u32_u8(vqmovn_u16(vcombine_u16(words, words))), 0);
    std::memcpy(codes + at, &four, 4);  // codes + at may be unaligned: no 32-bit lane store
  };
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    const uint16x8_t lo = vcombine_u16(vqmovun_s32(codes4(j)), vqmovun_s32(codes4(j + 4)));
    const uint16x8_t hi = vcombine_u16(vqmovun_s32(codes4(j + 8)), vqmovun_s32(codes4(j + 12)));
    vst1q_u8(codes + j, vcombine_u8(vqmovn_u16(lo), vqmovn_u16(hi)));
  }
  for (; j + 4 <= n; j += 4) store4(j);
  // The rest as the last 4 values again (each code depends on its own sum only), else one by one.
  if (j < n && n >= 4) return store4(n - 4);
  requantize_row_portable(acc + j, n - j, bias, m, qmax, codes + j);
}
#endif

}  // namespace

RequantizeRow select_requantize_row() {
#if defined(__x86_64__)
  if (lowbit::cpu_supports(lowbit::Isa::kAvx2)) return requantize_row_avx2;
#elif defined(__aarch64__)
  return requantize_row_neon;
#elif defined(__ARM_NEON)  // 32-bit ARM: this file alone is compiled with -mfpu=neon (qnn/CMakeLists.txt)
  if (lowbit::cpu_supports(lowbit::Isa::kNeon)) return requantize_row_neon;
#endif
  return requantize_row_portable;
}

}  // namespace detail
}  // namespace qnn

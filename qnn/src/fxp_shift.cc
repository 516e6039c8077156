// The conv rows of QNN-FXP's rounding shift (fxp_shift.h): the portable loop and, on x86-64, AVX2
// intrinsics doing the same integer operations on whole vectors.
#include "fxp_shift.h"

#include "lowbit/gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace qnn {
namespace detail {
namespace {

void fxp_conv_row_portable(const int32_t* acc, int n, int32_t bias, int in_shift, int out_shift, int32_t hi,
                           uint8_t* codes) {
  shift_row<int32_t, true>(acc, n, bias, in_shift, out_shift, 0, hi, codes);
}

#if defined(__x86_64__)
// Step 3 on 8 sums (the constants as fxp_conv_row_avx2 sets them): int32 codes 0..hi.
struct ShiftAvx2 {
  __m128i left, right;
  __m256i bias, zero, one, half_minus_one, top;
  __attribute__((target("avx2"), always_inline)) inline __m256i codes(const int32_t* at) const {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i t = _mm256_max_epi32(_mm256_add_epi32(_mm256_sll_epi32(a, left), bias), zero);
    const __m256i odd = _mm256_and_si256(_mm256_srl_epi32(t, right), one);  // t >= 0: logical shifts
    const __m256i sum = _mm256_add_epi32(_mm256_add_epi32(t, half_minus_one), odd);
    return _mm256_min_epi32(_mm256_srl_epi32(sum, right), top);
  }
};

// The same operations on 8 values at a time, over whole vectors (n rounded up: see fxp_shift.h).
__attribute__((target("avx2"))) void fxp_conv_row_avx2(const int32_t* acc, int n, int32_t bias, int in_shift,
                                                       int out_shift, int32_t hi, uint8_t* codes) {
  if (out_shift <= 0) {  // an exact left shift: not in the committed network, the portable loop does it
    shift_row<int32_t, true>(acc, n, bias, in_shift, out_shift, 0, hi, codes);
    return;
  }
  const ShiftAvx2 f{_mm_cvtsi32_si128(in_shift),        _mm_cvtsi32_si128(out_shift),
                    _mm256_set1_epi32(bias),             _mm256_setzero_si256(),
                    _mm256_set1_epi32(1),                _mm256_set1_epi32((1 << (out_shift - 1)) - 1),
                    _mm256_set1_epi32(hi)};
  // Codes are 0..hi <= 255: the saturating packs keep them. packs / packus work within 128-bit
  // halves: the permutation puts the 4-byte groups back in order.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int j = 0;
  for (; j + 32 <= n; j += 32) {
    const __m256i low = _mm256_packs_epi32(f.codes(acc + j), f.codes(acc + j + 8));
    const __m256i high = _mm256_packs_epi32(f.codes(acc + j + 16), f.codes(acc + j + 24));
    const __m256i bytes = _mm256_packus_epi16(low, high);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + j), _mm256_permutevar8x32_epi32(bytes, order));
  }
  for (; j < n; j += kFxpRowPadding) {  // whole vectors of 8, past n into the padding
    const __m256i q = f.codes(acc + j);
    const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(codes + j), _mm_packus_epi16(words, words));
  }
}
#endif

}  // namespace

FxpConvRow select_fxp_conv_row() {
#if defined(__x86_64__)
  if (lowbit::cpu_supports(lowbit::Isa::kAvx2)) return fxp_conv_row_avx2;
#endif
  return fxp_conv_row_portable;
}

}  // namespace detail
}  // namespace qnn

// The AVX-512 (F + BW + VL, and VNNI where compiled with it) instruction-set wrapper: x86/avx2.h's
// operations at 512 bits. Only the *__avx512bw.cc and *__avx512vnni.cc files include it.
#pragma once

#if !defined(__AVX512BW__)
#error "x86/avx512.h needs AVX-512BW: include it only from *__avx512bw.cc or *__avx512vnni.cc files"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "common/tile.h"
#include "x86/avx2.h"

namespace lowbit {
namespace {

struct Avx512 {
  using V = __m512i;
  static constexpr int kBytes = 64;
  static constexpr int kLanes = 16;

  static LOWBIT_INLINE V zero() { return _mm512_setzero_si512(); }
  static LOWBIT_INLINE V load(const void* p) { return _mm512_load_si512(p); }
  static LOWBIT_INLINE V loadu(const void* p) { return _mm512_loadu_si512(p); }
  static LOWBIT_INLINE void store(void* p, V v) { _mm512_store_si512(p, v); }
  static LOWBIT_INLINE void storeu(void* p, V v) { _mm512_storeu_si512(p, v); }
  static LOWBIT_INLINE V load_prefix(const uint8_t* p, int n) {
    return _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, n), p);
  }
  static LOWBIT_INLINE V load_prefix_within(const uint8_t* p, int n, std::ptrdiff_t /*readable*/) {
    return load_prefix(p, n);  // a masked load reads nothing past p + n
  }
  static LOWBIT_INLINE void store_prefix_i32(int32_t* p, V v, int n) {
    _mm512_mask_storeu_epi32(p, static_cast<__mmask16>(_bzhi_u32(0xffff, n)), v);
  }
  static LOWBIT_INLINE V set1_i8(int8_t v) { return _mm512_set1_epi8(v); }
  static LOWBIT_INLINE V set1_i16(int16_t v) { return _mm512_set1_epi16(v); }
  static LOWBIT_INLINE V set1_i32(int32_t v) { return _mm512_set1_epi32(v); }
  static LOWBIT_INLINE V bcast32(const void* p) { return _mm512_set1_epi32(load_i32(p)); }
  static LOWBIT_INLINE V bcast64(const void* p) { return _mm512_set1_epi64(load_i64(p)); }
  static LOWBIT_INLINE V and_(V a, V b) { return _mm512_and_si512(a, b); }
  static LOWBIT_INLINE V or_(V a, V b) { return _mm512_or_si512(a, b); }
  static LOWBIT_INLINE V shl4_16(V a) { return _mm512_slli_epi16(a, 4); }
  static LOWBIT_INLINE V shr4_16(V a) { return _mm512_srli_epi16(a, 4); }
  static LOWBIT_INLINE V add16(V a, V b) { return _mm512_add_epi16(a, b); }
  static LOWBIT_INLINE V add32(V a, V b) { return _mm512_add_epi32(a, b); }
  static LOWBIT_INLINE V sub32(V a, V b) { return _mm512_sub_epi32(a, b); }
  static LOWBIT_INLINE V mul32(V a, V b) { return _mm512_mullo_epi32(a, b); }
  static LOWBIT_INLINE V maddubs(V u8, V s8) { return _mm512_maddubs_epi16(u8, s8); }
  static LOWBIT_INLINE V madd16(V a, V b) { return _mm512_madd_epi16(a, b); }
  static LOWBIT_INLINE V widen_u8(const uint8_t* p) {
    return _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static LOWBIT_INLINE V add_lane_pairs(V a, V b) {
    const V even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const V odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    return _mm512_add_epi32(_mm512_permutex2var_epi32(a, even, b), _mm512_permutex2var_epi32(a, odd, b));
  }
  static LOWBIT_INLINE void interleave4(const V row[4], V out[4]) {
    const V spread = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    V p[4];
    // (maskz form: GCC 12 warns about the unmasked one's undefined pass-through)
    LOWBIT_UNROLL for (int t = 0; t < 4; ++t) p[t] = _mm512_maskz_permutexvar_epi32(0xFFFF, spread, row[t]);
    const V a = _mm512_unpacklo_epi8(p[0], p[1]), b = _mm512_unpackhi_epi8(p[0], p[1]);
    const V c = _mm512_unpacklo_epi8(p[2], p[3]), d = _mm512_unpackhi_epi8(p[2], p[3]);
    out[0] = _mm512_unpacklo_epi16(a, c);
    out[1] = _mm512_unpackhi_epi16(a, c);
    out[2] = _mm512_unpacklo_epi16(b, d);
    out[3] = _mm512_unpackhi_epi16(b, d);
  }
#if defined(__AVX512VNNI__)
  static LOWBIT_INLINE V dpbusd(V acc, V u8, V s8) { return _mm512_dpbusd_epi32(acc, u8, s8); }
#endif
};

}  // namespace
}  // namespace lowbit

// The AVX2 instruction-set wrapper: the vector operations the x86 paths are written in, under the
// same names as x86/avx512.h's, so that packing, micro-kernels and the driver are written once.
// Internal linkage throughout (see x86/driver.h).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/tile.h"

namespace lowbit {
namespace {

LOWBIT_INLINE int32_t load_i32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
LOWBIT_INLINE int64_t load_i64(const void* p) {
  int64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

struct Avx2 {
  using V = __m256i;
  static constexpr int kBytes = 32;
  static constexpr int kLanes = 8;

  static LOWBIT_INLINE V zero() { return _mm256_setzero_si256(); }
  static LOWBIT_INLINE V load(const void* p) { return _mm256_load_si256(static_cast<const V*>(p)); }
  static LOWBIT_INLINE V loadu(const void* p) { return _mm256_loadu_si256(static_cast<const V*>(p)); }
  static LOWBIT_INLINE void store(void* p, V v) { _mm256_store_si256(static_cast<V*>(p), v); }
  static LOWBIT_INLINE void storeu(void* p, V v) { _mm256_storeu_si256(static_cast<V*>(p), v); }
  // The first n (< kBytes) bytes at p, the rest zero; reads nothing past p + n.
  static LOWBIT_INLINE V load_prefix(const uint8_t* p, int n) {
    alignas(32) uint8_t tmp[kBytes] = {};
    std::memcpy(tmp, p, n);
    return load(tmp);
  }
  // load_prefix(p, n) when fewer than kBytes bytes at p may be read (readable); otherwise one load
  // and a mask: the copy through memory costs tens of instructions per row of a short operand.
  static LOWBIT_INLINE V load_prefix_within(const uint8_t* p, int n, std::ptrdiff_t readable) {
    if (readable < kBytes) return load_prefix(p, n);
    const V index = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                     22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    return _mm256_and_si256(loadu(p), _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(n)), index));
  }
  // Stores the first n (< kLanes) int32 lanes.
  static LOWBIT_INLINE void store_prefix_i32(int32_t* p, V v, int n) {
    const V mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_epi32(p, mask, v);
  }
  static LOWBIT_INLINE V set1_i8(int8_t v) { return _mm256_set1_epi8(v); }
  static LOWBIT_INLINE V set1_i16(int16_t v) { return _mm256_set1_epi16(v); }
  static LOWBIT_INLINE V set1_i32(int32_t v) { return _mm256_set1_epi32(v); }
  static LOWBIT_INLINE V bcast32(const void* p) { return _mm256_set1_epi32(load_i32(p)); }
  static LOWBIT_INLINE V bcast64(const void* p) { return _mm256_set1_epi64x(load_i64(p)); }
  static LOWBIT_INLINE V and_(V a, V b) { return _mm256_and_si256(a, b); }
  static LOWBIT_INLINE V or_(V a, V b) { return _mm256_or_si256(a, b); }
  static LOWBIT_INLINE V shl4_16(V a) { return _mm256_slli_epi16(a, 4); }
  static LOWBIT_INLINE V shr4_16(V a) { return _mm256_srli_epi16(a, 4); }
  static LOWBIT_INLINE V add16(V a, V b) { return _mm256_add_epi16(a, b); }
  static LOWBIT_INLINE V add32(V a, V b) { return _mm256_add_epi32(a, b); }
  static LOWBIT_INLINE V sub32(V a, V b) { return _mm256_sub_epi32(a, b); }
  static LOWBIT_INLINE V mul32(V a, V b) { return _mm256_mullo_epi32(a, b); }
  static LOWBIT_INLINE V maddubs(V u8, V s8) { return _mm256_maddubs_epi16(u8, s8); }
  static LOWBIT_INLINE V madd16(V a, V b) { return _mm256_madd_epi16(a, b); }
  // kBytes / 2 bytes at p, zero-extended to 16 bits.
  static LOWBIT_INLINE V widen_u8(const uint8_t* p) {
    return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  // [a0 + a1, a2 + a3, ..., b0 + b1, ...]: folds the two partial sums of each column.
  static LOWBIT_INLINE V add_lane_pairs(V a, V b) {
    return _mm256_permute4x64_epi64(_mm256_hadd_epi32(a, b), 0xD8);
  }
  // Byte-interleaves four rows of kBytes columns into four strips, column order kept:
  // out[q] byte 4c + t = row t, column q * kLanes + c. The dword spread lets in-lane unpacks
  // produce whole strips.
  static LOWBIT_INLINE void interleave4(const V row[4], V out[4]) {
    const V spread = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    V p[4];
    LOWBIT_UNROLL for (int t = 0; t < 4; ++t) p[t] = _mm256_permutevar8x32_epi32(row[t], spread);
    const V a = _mm256_unpacklo_epi8(p[0], p[1]), b = _mm256_unpackhi_epi8(p[0], p[1]);
    const V c = _mm256_unpacklo_epi8(p[2], p[3]), d = _mm256_unpackhi_epi8(p[2], p[3]);
    out[0] = _mm256_unpacklo_epi16(a, c);
    out[1] = _mm256_unpackhi_epi16(a, c);
    out[2] = _mm256_unpacklo_epi16(b, d);
    out[3] = _mm256_unpackhi_epi16(b, d);
  }
};

}  // namespace
}  // namespace lowbit

// Packing W into exactly the bytes the micro-kernels read, once per set of weights: with weights
// prepacked, a call does no weight work. One row at a time, with AVX2 (every x86 path has it);
// each row function may write up to 32 bytes past the row (the next row overwrites them, and
// X86Gemm::packed_weights_bytes() leaves slack after the last). docs/packing-x86.md draws them.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "common/tile.h"
#include "x86/avx2.h"

namespace lowbit {
namespace {

// What one weight is in a packed row.
enum class WeightFormat {
  kCentredS8,    // w - z_w as a signed byte (4-bit, 4.6-bit)
  kOffset128S8,  // w - 128 = w ^ 0x80 as a signed byte (8-bit on VNNI: w - z_w needs 9 bits)
  kCentredS16,   // w - z_w as int16 (8-bit, widening to vpmaddwd)
};

constexpr int weight_bytes(WeightFormat format) { return format == WeightFormat::kCentredS16 ? 2 : 1; }

// The sum of the four uint64 lanes, modulo 2^32.
LOWBIT_INLINE uint32_t sum_u64_lanes(__m256i v) {
  const __m128i pair = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return static_cast<uint32_t>(_mm_cvtsi128_si64(pair) + _mm_extract_epi64(pair, 1));
}

// Each row function packs one row of `depth` weights in depth order and returns sum_k w[k] (modulo
// 2^32), taken with vpsadbw from the vectors it packs (the padding loaded past the depth is zero).
// `readable`: how many bytes from w on belong to the matrix (a short row is loaded whole and masked
// when the next row follows it).

// Signed bytes w - offset (modulo 256).
LOWBIT_INLINE uint32_t pack_weight_row_s8(const uint8_t* w, int depth, std::ptrdiff_t readable, int32_t offset,
                                          uint8_t* out) {
  const __m256i off = _mm256_set1_epi8(static_cast<char>(offset));
  __m256i sums = _mm256_setzero_si256();
  for (int k = 0; k < depth; k += 32) {
    const __m256i v = depth - k >= 32 ? Avx2::loadu(w + k) : Avx2::load_prefix_within(w + k, depth - k, readable - k);
    sums = _mm256_add_epi64(sums, _mm256_sad_epu8(v, _mm256_setzero_si256()));
    Avx2::storeu(out + k, _mm256_sub_epi8(v, off));
  }
  return sum_u64_lanes(sums);
}

// int16 w - z_w.
LOWBIT_INLINE uint32_t pack_weight_row_s16(const uint8_t* w, int depth, std::ptrdiff_t readable, int32_t zw,
                                           uint8_t* out) {
  const __m256i zero_point = _mm256_set1_epi16(static_cast<int16_t>(zw));
  __m128i sums = _mm_setzero_si128();
  for (int k = 0; k < depth; k += 16) {
    const __m128i v = depth - k >= 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + k))
                                      : _mm256_castsi256_si128(Avx2::load_prefix_within(w + k, depth - k, readable - k));
    sums = _mm_add_epi64(sums, _mm_sad_epu8(v, _mm_setzero_si128()));
    Avx2::storeu(out + 2 * k, _mm256_sub_epi16(_mm256_cvtepu8_epi16(v), zero_point));
  }
  return static_cast<uint32_t>(_mm_cvtsi128_si64(sums) + _mm_extract_epi64(sums, 1));
}

// One row in `format`. The steps of a depth unit stay in depth order (for 4-bit units of 8: steps
// 0-3, the half the kernel multiplies by the low nibbles of X, then 4-7), so the row is the plain
// sequence; its padding past the depth meets zero padding in X.
template <WeightFormat kFormat>
LOWBIT_INLINE uint32_t pack_weight_row(const uint8_t* w, int depth, std::ptrdiff_t readable, int32_t zw,
                                       uint8_t* out) {
  if constexpr (kFormat == WeightFormat::kCentredS16)
    return pack_weight_row_s16(w, depth, readable, zw, out);
  else
    return pack_weight_row_s8(w, depth, readable, kFormat == WeightFormat::kCentredS8 ? zw : 128, out);
}

}  // namespace
}  // namespace lowbit

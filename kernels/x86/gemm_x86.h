// The x86 SIMD paths (AVX2, AVX-512BW, AVX-512-VNNI) of the 8-bit and 4-bit products: one driver
// (pack W -> pack a block of X -> micro-kernel -> unpack) templated over an instruction-set wrapper
// (Avx2, Avx512) and a micro-kernel. docs/packing-x86.md draws the packed layouts.
//
// Everything here has internal linkage (unnamed namespace): each kernels/x86/*__<isa>.cc file compiles
// its own copy with its own flags, so the linker can never hand an AVX-512 instantiation to an AVX2
// path (which inline templates with external linkage would allow).
//
// Layouts (kLanes = int32 lanes per vector = columns per strip: 8 for AVX2, 16 for AVX-512):
//   - a depth "unit" is 4 steps for 8-bit operands, 8 steps for 4-bit ones;
//   - packed X: per column, one dword per unit. 8-bit: byte t = x[4u + t]; 4-bit: byte t =
//     x[8u + t] | x[8u + 4 + t] << 4 (two values per byte). A strip is kLanes such dwords, one
//     vector; a block of up to kBlockColumns columns is stored unit by unit, strips innermost.
//   - packed W: row-major, one row per filter, depth padded to whole units, rows padded to kPanelRows.
//     The micro-kernel broadcasts a dword (or qword) of one row per unit.
//   - X's padding (depth past the end) is always zero, so W's padding never matters.
//
// 4.6-bit (uint4_6, lowbit/levels.h) uses the 8-bit layouts: X bytes as they are (codes < N_x), W
// as centred signed bytes w - z_w. vpmaddubsw multiplies unsigned by signed bytes, so x need not be
// centred: |x (w - z_w)| <= (N_x - 1)(N_w - 1) / 2 <= 254, a 16-bit lane gains <= 508 per
// instruction, and the 16-bit lanes are flushed every 32767 / 508 = 64 units (256 depth steps).
//
// Zero points. 4-bit, 4.6-bit and widening 8-bit paths multiply the *centred* weights w - z_w (they fit s8 /
// s16) by the raw x, so R = acc - z_x * sum_k (w - z_w): only a per-row correction, no column sums.
// The VNNI 8-bit path cannot centre (w - z_w needs 9 bits); vpdpbusd takes x unsigned and w ^ 0x80
// = w - 128 signed, and R = acc - z_x sum_k (w - z_w) - (z_w - 128) sum_k x, with the column sums
// taken while packing X. All corrections are uint32 arithmetic: they wrap modulo 2^32 like the
// reference.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lowbit/gemm.h"
#include "lowbit/levels.h"

#define LOWBIT_INLINE inline __attribute__((always_inline))
// Fully unrolled loops over rows / strips keep tile arrays in registers (GCC leaves loops with a
// runtime exit, like `m < rows`, rolled, and the arrays then live on the stack).
#define LOWBIT_UNROLL _Pragma("GCC unroll 16")

namespace lowbit {
namespace {

constexpr int kPanelRows = 8;        // W rows are padded to a multiple of this (the largest MR)
constexpr int kBlockColumns = 256;   // X columns packed at once: a packed block stays in L1
constexpr int kWeightsPrepSlot = 2;  // scratch for per-call row terms, column terms, expanded W

// 4-bit with vpmaddubsw: a 16-bit lane gets two products (|w - z_w| x <= 15 * 15 = 225) per
// instruction and two instructions per unit, so |lane| grows by <= 900 per unit; lanes are signed
// (centred weights), so flush every 32767 / 900 = 36 units (288 depth steps, 72 instructions).
constexpr int kU4UnitsPerFlush = 32767 / (2 * 2 * 15 * 15);
static_assert(kU4UnitsPerFlush == 36, "flush bound");
constexpr int kU46UnitsPerFlush = 32767 / (2 * 2 * kMaxCentredProduct);
static_assert(kU46UnitsPerFlush == 64, "flush bound");

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
// An empty asm that needs v in a register: stops GCC from reassociating acc + p_lo + p_hi into
// acc + (p_lo + p_hi), which keeps every row's p_lo live at once and spills (16 ymm on AVX2).
template <class V>
LOWBIT_INLINE void keep_in_register(V& v) {
  __asm__("" : "+v"(v));
}
constexpr int ceil_div(int n, int m) { return (n + m - 1) / m; }
constexpr int round_up(int n, int m) { return ceil_div(n, m) * m; }

// ---------------------------------------------------------------------------------------------
// Instruction-set wrappers: the same names at 256 and 512 bits.

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

#if defined(__AVX512BW__)
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
#endif  // __AVX512BW__

// ---------------------------------------------------------------------------------------------
// Packing W (once per call in gemm(), so it must be fast too). One row at a time, 32 values per
// AVX2 vector; every function may write up to 32 bytes past the row (the next row overwrites it,
// packed_weights_bytes() has slack after the last).

LOWBIT_INLINE uint32_t sum_bytes(const uint8_t* p, int n) {
  __m256i acc = _mm256_setzero_si256();
  int k = 0;
  for (; k + 32 <= n; k += 32)
    acc = _mm256_add_epi64(acc, _mm256_sad_epu8(Avx2::loadu(p + k), _mm256_setzero_si256()));
  uint32_t sum = 0;
  for (; k < n; ++k) sum += p[k];
  alignas(32) uint64_t lanes[4];
  Avx2::store(lanes, acc);
  return sum + static_cast<uint32_t>(lanes[0] + lanes[1] + lanes[2] + lanes[3]);
}

// Signed bytes w - offset (modulo 256): offset 128 for the VNNI 8-bit path (w ^ 0x80), z_w for the
// 4.6-bit paths (centred weights).
LOWBIT_INLINE void pack_weight_row_s8(const uint8_t* w, int depth, int32_t offset, uint8_t* out) {
  const __m256i off = _mm256_set1_epi8(static_cast<char>(offset));
  for (int k = 0; k < depth; k += 32) {
    const __m256i v = depth - k >= 32 ? Avx2::loadu(w + k) : Avx2::load_prefix(w + k, depth - k);
    Avx2::storeu(out + k, _mm256_sub_epi8(v, off));
  }
}

// 8-bit, for vpmaddwd: w - z_w as int16.
LOWBIT_INLINE void pack_weight_row_u8_centred16(const uint8_t* w, int depth, int32_t zw, uint8_t* out) {
  const __m256i zero_point = _mm256_set1_epi16(static_cast<int16_t>(zw));
  for (int k = 0; k < depth; k += 16) {
    const __m128i v = depth - k >= 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + k))
                                      : _mm256_castsi256_si128(Avx2::load_prefix(w + k, depth - k));
    Avx2::storeu(out + 2 * k, _mm256_sub_epi16(_mm256_cvtepu8_epi16(v), zero_point));
  }
}

// 4-bit: each unit of 8 values becomes 4 bytes, byte t = w[t] | w[4 + t] << 4 (as packed X).
// For a qword q of 8 values < 16, q | q >> 28 holds exactly those bytes in its low dword.
LOWBIT_INLINE void pack_weight_row_u4(const uint8_t* w, int depth, uint8_t* out) {
  const __m256i low_dwords = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  for (int k = 0; k < depth; k += 32) {
    const __m256i v = depth - k >= 32 ? Avx2::loadu(w + k) : Avx2::load_prefix(w + k, depth - k);
    const __m256i merged = _mm256_or_si256(v, _mm256_srli_epi64(v, 28));
    const __m256i packed = _mm256_permutevar8x32_epi32(merged, low_dwords);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k / 2), _mm256_castsi256_si128(packed));
  }
}

// 4-bit, once per call: nibbles -> signed bytes w - z_w, 8 per unit (the layout the kernels
// broadcast from). `units` units of 4 packed bytes in, 8 bytes out.
LOWBIT_INLINE void expand_weight_row_u4(const uint8_t* packed, int units, int32_t zw, int8_t* out) {
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i zero_point = _mm_set1_epi8(static_cast<char>(zw));
  for (int u = 0; u < units; u += 4) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed + 4 * u));
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(v, nibble), zero_point);
    const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), nibble), zero_point);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 8 * u), _mm_unpacklo_epi32(lo, hi));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 8 * u + 16), _mm_unpackhi_epi32(lo, hi));
  }
}

// ---------------------------------------------------------------------------------------------
// Packing X: columns [j0, j0 + cols) over the whole depth, strips padded to a multiple of 4 (one
// row load of kBytes columns makes 4 strips). With kColumnTerms, also col_terms[c] =
// column_factor * sum_k x[k][c] (taken with vpdpbusd against ones, one instruction per strip).
template <class Isa, int kBits, bool kColumnTerms>
void pack_x_block(const QuantizedMatrix& x, int j0, int cols, int strips_padded, uint8_t* out,
                  int32_t column_factor, int32_t* col_terms) {
  using V = typename Isa::V;
  constexpr int kRows = kBits == 4 ? 8 : 4;  // rows of X per unit
  const int depth = x.rows;
  const int units = ceil_div(depth, kRows);
  const std::ptrdiff_t unit_bytes = static_cast<std::ptrdiff_t>(strips_padded) * Isa::kBytes;
  const int whole_units = depth / kRows;  // units whose rows all exist
  for (int c = 0; c < cols; c += Isa::kBytes) {
    const int n = std::min(Isa::kBytes, cols - c);
    const uint8_t* column = x.data + j0 + c;
    uint8_t* dst = out + (c / Isa::kLanes) * Isa::kBytes;
    [[maybe_unused]] V sums[4] = {Isa::zero(), Isa::zero(), Isa::zero(), Isa::zero()};
    // One unit: kRows rows (merged into 4 for 4-bit), interleaved into 4 strips.
    auto pack_unit = [&](int u, auto row) {
      const int k0 = u * kRows;
      V rows[4];
      LOWBIT_UNROLL for (int t = 0; t < 4; ++t)
        rows[t] = kBits == 4 ? Isa::or_(row(k0 + t), Isa::shl4_16(row(k0 + 4 + t))) : row(k0 + t);
      V strips[4];
      Isa::interleave4(rows, strips);
      uint8_t* unit_dst = dst + u * unit_bytes;
      LOWBIT_UNROLL for (int q = 0; q < 4; ++q) Isa::store(unit_dst + q * Isa::kBytes, strips[q]);
      if constexpr (kColumnTerms) {
        LOWBIT_UNROLL for (int q = 0; q < 4; ++q) sums[q] = Isa::dpbusd(sums[q], strips[q], Isa::set1_i8(1));
      }
    };
    int u = 0;
    if (n == Isa::kBytes) {  // the common case, without a test per row
      for (; u < whole_units; ++u) pack_unit(u, [&](int k) { return Isa::loadu(column + k * x.stride); });
    }
    for (; u < units; ++u) {  // the last unit (rows past the depth are zero) or a partial chunk
      pack_unit(u, [&](int k) {
        if (k >= depth) return Isa::zero();
        const uint8_t* p = column + k * x.stride;
        return n == Isa::kBytes ? Isa::loadu(p) : Isa::load_prefix(p, n);
      });
    }
    if constexpr (kColumnTerms) {
      LOWBIT_UNROLL for (int q = 0; q < 4; ++q)
        Isa::store(col_terms + c + q * Isa::kLanes, Isa::mul32(sums[q], Isa::set1_i32(column_factor)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Micro-kernels: an MR x (NV strips) tile of sum_k w' x over `units` depth units, as int32 vectors
// out[m][s] (row m, columns s * kLanes ...). w: first row of the panel, w_stride bytes between rows;
// x: the tile's first strip in the packed block, x_stride bytes between units.

// 8-bit, AVX-512-VNNI: one vpdpbusd per row and strip per unit.
// Byte-unit loop shared by the 8-bit VNNI and 4.6-bit kernels: per unit, the NV strips of X, then
// per row a broadcast dword of W and acc = multiply_add(acc, x, w).
template <class Isa, int MR, int NV, class MultiplyAdd>
LOWBIT_INLINE void for_each_byte_unit(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                      std::ptrdiff_t x_stride, int units, typename Isa::V acc[MR][NV],
                                      MultiplyAdd multiply_add) {
  using V = typename Isa::V;
  for (int u = 0; u < units; ++u, x += x_stride, w += 4) {
    V xv[NV];
    LOWBIT_UNROLL for (int s = 0; s < NV; ++s) xv[s] = Isa::load(x + s * Isa::kBytes);
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m) {
      const V wb = Isa::bcast32(w + m * w_stride);
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) acc[m][s] = multiply_add(acc[m][s], xv[s], wb);
    }
  }
}

struct DotU8 {
  static constexpr Scheme kScheme = Scheme::kUint8;
  static constexpr int kBits = 8;
  static constexpr int kWeightUnitBytes = 4;   // packed and as the kernel reads them
  static constexpr bool kColumnTerms = true;
  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool /*last_unit_low_only*/,
                                 typename Isa::V out[MR][NV]) {
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m)
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) out[m][s] = Isa::zero();
    for_each_byte_unit<Isa, MR, NV>(w, w_stride, x, x_stride, units, out,
                                    [](auto acc, auto xv, auto wb) { return Isa::dpbusd(acc, xv, wb); });
  }
};

// 4-bit micro-kernels share the loop: per unit and strip, one load of packed nibbles feeds the low
// nibbles (steps 0-3 of the unit) to every row, then the high ones (steps 4-7); one half at a time
// keeps the live registers to the accumulators + one X vector + one broadcast (AVX2 has 16).
// When depth % 8 is 1..4 the last unit's high nibbles are all zero and are skipped.
template <class Isa, int MR, int NV, class MultiplyAdd>
LOWBIT_INLINE void for_each_nibble_half(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                        std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                        typename Isa::V acc[MR][NV], MultiplyAdd multiply_add) {
  using V = typename Isa::V;
  const V nibble = Isa::set1_i8(0x0F);
  auto half = [&](const uint8_t* xu, const uint8_t* wu, bool high) {
    V xv[NV];
    LOWBIT_UNROLL for (int s = 0; s < NV; ++s) {
      const V v = Isa::load(xu + s * Isa::kBytes);
      xv[s] = Isa::and_(high ? Isa::shr4_16(v) : v, nibble);
    }
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m) {
      const V wb = Isa::bcast32(wu + m * w_stride + (high ? 4 : 0));
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) acc[m][s] = multiply_add(acc[m][s], xv[s], wb);
    }
  };
  const int full_units = units - (last_unit_low_only ? 1 : 0);
  for (int u = 0; u < full_units; ++u, x += x_stride, w += 8) {
    half(x, w, false);
    half(x, w, true);
  }
  if (last_unit_low_only) half(x, w, false);
}

// 4-bit, AVX-512-VNNI: nibbles expanded with and/shift, then vpdpbusd against centred weights.
// 32-bit accumulators: no flush.
struct DotU4 {
  static constexpr Scheme kScheme = Scheme::kUint4;
  static constexpr int kBits = 4;
  static constexpr int kWeightUnitBytes = 4;  // packed; expanded to 8 signed bytes per call
  static constexpr bool kColumnTerms = false;
  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                 typename Isa::V out[MR][NV]) {
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m)
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) out[m][s] = Isa::zero();
    for_each_nibble_half<Isa, MR, NV>(w, w_stride, x, x_stride, units, last_unit_low_only, out,
                                      [](auto acc, auto xv, auto wb) { return Isa::dpbusd(acc, xv, wb); });
  }
};

// Sums in 16-bit lanes over blocks of at most `units_per_flush` units, each block flushed into the
// 32-bit totals out[][] (vpmaddwd against ones, which also folds a column's two 16-bit lanes).
// block(u0, n, acc) adds units [u0, u0 + n) into the zeroed acc.
template <class Isa, int MR, int NV, class Block>
LOWBIT_INLINE void sum16_flush32(int units, int units_per_flush, typename Isa::V out[MR][NV], Block block) {
  using V = typename Isa::V;
  const V ones = Isa::set1_i16(1);
  V acc[MR][NV];
  int u0 = 0;
  do {  // units >= 1: the first block always runs and initializes out
    const int n = std::min(units_per_flush, units - u0);
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m)
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) acc[m][s] = Isa::zero();
    block(u0, n, acc);
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m)
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) {
        const V total = Isa::madd16(acc[m][s], ones);
        out[m][s] = u0 == 0 ? total : Isa::add32(out[m][s], total);
      }
    u0 += n;
  } while (u0 < units);
}

// acc + vpmaddubsw(x, w): unsigned x bytes times signed w bytes, two products per 16-bit lane.
template <class Isa>
LOWBIT_INLINE typename Isa::V maddubs_add16(typename Isa::V acc, typename Isa::V xv, typename Isa::V wb) {
  acc = Isa::add16(acc, Isa::maddubs(xv, wb));
  keep_in_register(acc);
  return acc;
}

// 4-bit, the paper's kernel on x86: vpmaddubsw (8-bit multiplies, two products per 16-bit lane)
// + vpaddw into 16-bit accumulators, flushed into 32-bit totals every kU4UnitsPerFlush units.
struct MaddubsU4 {
  static constexpr Scheme kScheme = Scheme::kUint4;
  static constexpr int kBits = 4;
  static constexpr int kWeightUnitBytes = 4;
  static constexpr bool kColumnTerms = false;

  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool last_unit_low_only,
                                 typename Isa::V out[MR][NV]) {
    sum16_flush32<Isa, MR, NV>(units, kU4UnitsPerFlush, out, [&](int u0, int n, typename Isa::V acc[MR][NV]) {
      for_each_nibble_half<Isa, MR, NV>(w + 8 * u0, w_stride, x + u0 * x_stride, x_stride, n,
                                        last_unit_low_only && u0 + n == units, acc,
                                        [](auto a, auto xv, auto wb) { return maddubs_add16<Isa>(a, xv, wb); });
    });
  }
};

// 8-bit "must widen" kernel (gemmlowp-style): x zero-extended to 16 bits, vpmaddwd against a
// broadcast qword of four centred int16 weights, 32-bit accumulators. A strip widens into two
// vectors, each column in two lanes (steps 0-1 and 2-3), folded at the end.
struct MaddwdU8 {
  static constexpr Scheme kScheme = Scheme::kUint8;
  static constexpr int kBits = 8;
  static constexpr int kWeightUnitBytes = 8;  // four int16
  static constexpr bool kColumnTerms = false;
  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool /*last_unit_low_only*/,
                                 typename Isa::V out[MR][NV]) {
    using V = typename Isa::V;
    V acc[MR][2 * NV];
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m)
      LOWBIT_UNROLL for (int s = 0; s < 2 * NV; ++s) acc[m][s] = Isa::zero();
    for (int u = 0; u < units; ++u, x += x_stride, w += 8) {
      V xv[2 * NV];
      LOWBIT_UNROLL for (int s = 0; s < 2 * NV; ++s) xv[s] = Isa::widen_u8(x + s * (Isa::kBytes / 2));
      LOWBIT_UNROLL for (int m = 0; m < MR; ++m) {
        const V wq = Isa::bcast64(w + m * w_stride);
        LOWBIT_UNROLL for (int s = 0; s < 2 * NV; ++s) acc[m][s] = Isa::add32(acc[m][s], Isa::madd16(xv[s], wq));
      }
    }
    LOWBIT_UNROLL for (int m = 0; m < MR; ++m)
      LOWBIT_UNROLL for (int s = 0; s < NV; ++s) out[m][s] = Isa::add_lane_pairs(acc[m][2 * s], acc[m][2 * s + 1]);
  }
};

// 4.6-bit, AVX-512-VNNI: DotU8's loop on raw x and centred weights; no column terms.
struct DotU46 : DotU8 {
  static constexpr Scheme kScheme = Scheme::kUint4_6;
  static constexpr bool kColumnTerms = false;
};

// 4.6-bit with vpmaddubsw: raw x (unsigned) times centred w (signed), two products per 16-bit lane
// per unit, vpaddw into 16-bit accumulators flushed into 32-bit totals every kU46UnitsPerFlush units.
struct MaddubsU46 {
  static constexpr Scheme kScheme = Scheme::kUint4_6;
  static constexpr int kBits = 8;
  static constexpr int kWeightUnitBytes = 4;
  static constexpr bool kColumnTerms = false;

  template <class Isa, int MR, int NV>
  static LOWBIT_INLINE void tile(const uint8_t* w, std::ptrdiff_t w_stride, const uint8_t* x,
                                 std::ptrdiff_t x_stride, int units, bool /*last_unit_low_only*/,
                                 typename Isa::V out[MR][NV]) {
    sum16_flush32<Isa, MR, NV>(units, kU46UnitsPerFlush, out, [&](int u0, int n, typename Isa::V acc[MR][NV]) {
      for_each_byte_unit<Isa, MR, NV>(w + 4 * u0, w_stride, x + u0 * x_stride, x_stride, n, acc,
                                      [](auto a, auto xv, auto wb) { return maddubs_add16<Isa>(a, xv, wb); });
    });
  }
};

// ---------------------------------------------------------------------------------------------
// The driver: one GemmPath from an instruction set, a micro-kernel and its main tile (MR rows x NV
// strips). Edge tiles use MR / 2 rows (a last panel of <= MR / 2 rows) and fewer strips; a partial
// strip is stored with a mask.
template <class Isa, class Kernel, int MR, int NV>
struct X86Gemm {
  using V = typename Isa::V;
  static_assert(MR <= kPanelRows && kPanelRows % MR == 0, "row panels tile the padded rows");
  static constexpr Scheme kScheme = Kernel::kScheme;
  static constexpr int kBits = Kernel::kBits;
  static constexpr int kUnitDepth = kBits == 4 ? 8 : 4;
  static constexpr int kExpandedUnitBytes = kBits == 4 ? 8 : Kernel::kWeightUnitBytes;
  static constexpr int kSlack = 64;  // vector over-reads / over-writes past the last row

  static int padded_rows(int height) { return round_up(height, kPanelRows); }
  static std::size_t row_bytes(int depth) {
    return static_cast<std::size_t>(ceil_div(depth, kUnitDepth)) * Kernel::kWeightUnitBytes;
  }

  // [int32 row sums of the raw weights, padded_rows][rows of row_bytes]
  static std::size_t packed_weights_bytes(int height, int depth) {
    const std::size_t rows = padded_rows(height);
    return rows * sizeof(int32_t) + rows * row_bytes(depth) + kSlack;
  }

  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    if constexpr (kScheme == Scheme::kUint4_6) check_symmetric_weights(w.levels, w.zero_point);
    const int rows = padded_rows(w.rows);
    int32_t* row_sums = static_cast<int32_t*>(packed);
    uint8_t* out = reinterpret_cast<uint8_t*>(row_sums + rows);
    const std::size_t stride = row_bytes(w.cols);
    for (int i = 0; i < w.rows; ++i, out += stride) {
      const uint8_t* src = w.data + i * w.stride;
      row_sums[i] = static_cast<int32_t>(sum_bytes(src, w.cols));
      if constexpr (kBits == 4) pack_weight_row_u4(src, w.cols, out);
      else if constexpr (kScheme == Scheme::kUint4_6) pack_weight_row_s8(src, w.cols, w.zero_point, out);
      else if constexpr (Kernel::kColumnTerms) pack_weight_row_s8(src, w.cols, 128, out);
      else pack_weight_row_u8_centred16(src, w.cols, w.zero_point, out);
    }
    std::memset(out, 0, (rows - w.rows) * stride);
    std::fill(row_sums + w.rows, row_sums + rows, 0);
  }

  struct Problem {
    const uint8_t* w;           // weight rows as the kernel reads them
    std::ptrdiff_t w_stride;    // bytes between them
    const uint8_t* x;           // the packed block
    std::ptrdiff_t x_stride;    // bytes between its units
    int units;
    bool last_unit_low_only;    // 4-bit: depth % 8 in 1..4
    const uint32_t* row_terms;  // subtracted from row i
    const int32_t* col_terms;   // subtracted from block column c (VNNI 8-bit only)
    int32_t* r;                 // the block's top-left result
    std::ptrdiff_t r_stride;
  };

  template <int TM, int TN>
  static LOWBIT_INLINE void run_tile(const Problem& p, int i0, int rows, int s0, int cols) {
    V out[TM][TN];
    Kernel::template tile<Isa, TM, TN>(p.w + i0 * p.w_stride, p.w_stride, p.x + s0 * Isa::kBytes,
                                       p.x_stride, p.units, p.last_unit_low_only, out);
    // Locals: the int32 stores below may alias *p as far as the compiler knows.
    const std::ptrdiff_t r_stride = p.r_stride;
    const uint32_t* row_terms = p.row_terms + i0;
    const int32_t* col_terms = p.col_terms + s0 * Isa::kLanes;
    int32_t* r = p.r + i0 * r_stride + s0 * Isa::kLanes;
    LOWBIT_UNROLL for (int m = 0; m < TM; ++m, r += r_stride) {
      if (m >= rows) break;
      const V row_term = Isa::set1_i32(static_cast<int32_t>(row_terms[m]));
      LOWBIT_UNROLL for (int s = 0; s < TN; ++s) {
        V v = Isa::sub32(out[m][s], row_term);
        if constexpr (Kernel::kColumnTerms) v = Isa::sub32(v, Isa::load(col_terms + s * Isa::kLanes));
        const int n = cols - s * Isa::kLanes;
        if (n >= Isa::kLanes) Isa::storeu(r + s * Isa::kLanes, v);
        else if (n > 0) Isa::store_prefix_i32(r + s * Isa::kLanes, v, n);
      }
    }
  }

  // All row panels for strips [s0, s0 + TN): main tile, or MR / 2 rows for a short last panel.
  template <int TN>
  static LOWBIT_INLINE void run_panels(const Problem& p, int height, int s0, int cols) {
    int i0 = 0;
    for (; i0 + MR <= height; i0 += MR) run_tile<MR, TN>(p, i0, MR, s0, cols);
    const int rows = height - i0;
    if (rows == 0) return;
    if constexpr (MR > 1) {
      if (rows <= MR / 2) return run_tile<MR / 2, TN>(p, i0, rows, s0, cols);
    }
    run_tile<MR, TN>(p, i0, rows, s0, cols);
  }

  // The last strips of a block: fewer than NV, picked at compile time.
  template <int TN>
  static LOWBIT_INLINE void run_remainder(const Problem& p, int height, int s0, int strips, int cols) {
    if constexpr (TN >= 1) {
      if (strips == TN) return run_panels<TN>(p, height, s0, cols);
      run_remainder<TN - 1>(p, height, s0, strips, cols);
    }
  }

  // Every tile of a packed block, in one function: tiles of NV strips, then the remainder.
  static void run_block(const Problem& p, int height, int strips, int cols) {
    int s0 = 0;
    for (; s0 + NV <= strips; s0 += NV) run_panels<NV>(p, height, s0, cols - s0 * Isa::kLanes);
    if (s0 < strips) run_remainder<NV - 1>(p, height, s0, strips - s0, cols - s0 * Isa::kLanes);
  }

  static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                          Scratch& scratch) {
    if constexpr (kScheme == Scheme::kUint4_6) check_level_pair({x.levels, w.levels});
    const int height = w.height, depth = w.depth, width = x.cols;
    const int rows = padded_rows(height);
    const int units = ceil_div(depth, kUnitDepth);
    const int32_t* row_sums = static_cast<const int32_t*>(w.data);
    const uint8_t* w_rows = reinterpret_cast<const uint8_t*>(row_sums + rows);
    const std::ptrdiff_t w_stride = static_cast<std::ptrdiff_t>(units) * kExpandedUnitBytes;

    // Per call: column terms of a block, row terms, and 4-bit weights expanded to signed bytes.
    const std::size_t terms_bytes = round_up(kBlockColumns * 4 + rows * 4, 64);
    uint8_t* prep = static_cast<uint8_t*>(
        scratch.get(kWeightsPrepSlot, terms_bytes + (kBits == 4 ? rows * w_stride + kSlack : 0)));
    int32_t* col_terms = reinterpret_cast<int32_t*>(prep);  // 64-byte aligned
    uint32_t* row_terms = reinterpret_cast<uint32_t*>(prep + kBlockColumns * 4);
    const uint32_t zx = static_cast<uint32_t>(x.zero_point), zw = static_cast<uint32_t>(w.zero_point);
    // R = acc - z_x sum_k (w - z_w) [- (z_w - 128) sum_k x on the VNNI 8-bit path]
    for (int i = 0; i < rows; ++i)
      row_terms[i] = zx * (static_cast<uint32_t>(row_sums[i]) - static_cast<uint32_t>(depth) * zw);
    if constexpr (kBits == 4) {
      int8_t* expanded = reinterpret_cast<int8_t*>(prep + terms_bytes);
      for (int i = 0; i < rows; ++i)
        expand_weight_row_u4(w_rows + i * row_bytes(depth), units, w.zero_point, expanded + i * w_stride);
      w_rows = reinterpret_cast<const uint8_t*>(expanded);
    }

    constexpr int kStripsPerLoad = Isa::kBytes / Isa::kLanes;  // 4
    const std::ptrdiff_t max_unit_bytes = static_cast<std::ptrdiff_t>(kBlockColumns / Isa::kLanes) * Isa::kBytes;
    uint8_t* packed_x = static_cast<uint8_t*>(scratch.get(Scratch::kActivationsSlot, units * max_unit_bytes));

    for (int j0 = 0; j0 < width; j0 += kBlockColumns) {
      const int cols = std::min(kBlockColumns, width - j0);
      const int strips = ceil_div(cols, Isa::kLanes);
      const int strips_padded = round_up(strips, kStripsPerLoad);
      pack_x_block<Isa, kBits, Kernel::kColumnTerms>(x, j0, cols, strips_padded, packed_x,
                                                    w.zero_point - 128, col_terms);
      const Problem p{w_rows, w_stride, packed_x, static_cast<std::ptrdiff_t>(strips_padded) * Isa::kBytes,
                      units, kBits == 4 && depth % 8 != 0 && depth % 8 <= 4, row_terms, col_terms,
                      r.data + j0, r.stride};
      run_block(p, height, strips, cols);
    }
  }
};

// A GemmPath for X86Gemm<...>.
template <class Gemm>
constexpr GemmPath make_path(const char* name, Isa isa) {
  return {name, Gemm::kScheme, isa, Gemm::packed_weights_bytes, Gemm::pack_weights, Gemm::gemm_packed};
}

}  // namespace
}  // namespace lowbit

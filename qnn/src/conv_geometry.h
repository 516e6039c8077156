// A valid (unpadded) convolution as one GEMM: its geometry, the stride-2 phase split and im2col,
// for float and uint8 activations (the MRZ network and LeNet-5 share them).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace qnn {
namespace detail {

// One convolution. The GEMM runs over `width()` columns: output row oy occupies columns
// [oy * pw, oy * pw + ow), where pw is the width of the plane the kernel slides over (the input, or
// for stride 2 one of its four phases); the pw - ow columns in between are computed and dropped.
// That way each row of X (one (c, dy, dx)) is a single contiguous copy of the plane.
struct Geometry {
  int cin, cout, k, stride, ih, iw, oh, ow;
  int ph, pw;  // plane seen by the kernel: (ih, iw) for stride 1, (ceil(ih/2), ceil(iw/2)) for stride 2
  int depth() const { return cin * k * k; }
  int pixels() const { return oh * ow; }
  int width() const { return (oh - 1) * pw + ow; }
  int planes() const { return stride == 1 ? cin : 4 * cin; }
};

// The geometry of a valid k x k convolution with `stride` (1 or 2) of cin ih x iw planes.
inline Geometry conv_geometry(int cin, int cout, int k, int stride, int ih, int iw) {
  Geometry g;
  g.cin = cin;
  g.cout = cout;
  g.k = k;
  g.stride = stride;
  g.ih = ih;
  g.iw = iw;
  g.oh = (ih - k) / stride + 1;
  g.ow = (iw - k) / stride + 1;
  g.ph = stride == 1 ? ih : (ih + 1) / 2;
  g.pw = stride == 1 ? iw : (iw + 1) / 2;
  return g;
}

// e[x] = s[2x], o[x] = s[2x + 1] for x < pairs.
template <typename T>
inline void deal_pairs(const T* __restrict s, int pairs, T* __restrict e, T* __restrict o) {
  for (int x = 0; x < pairs; ++x) {
    e[x] = s[2 * x];
    o[x] = s[2 * x + 1];
  }
}

#if defined(__SSE2__) || defined(__aarch64__)
// e[x + i] = s[2 (x + i)], o[x + i] = s[2 (x + i) + 1] for i < kPairs (8 or 4).
template <int kPairs>
inline void deal_group(const uint8_t* __restrict s, int x, uint8_t* __restrict e, uint8_t* __restrict o) {
#if defined(__SSE2__)
  const __m128i* from = reinterpret_cast<const __m128i*>(s + 2 * x);
  const __m128i v = kPairs == 8 ? _mm_loadu_si128(from) : _mm_loadl_epi64(from);
  // the even bytes into the low half, the odd ones into the high half
  const __m128i both = _mm_packus_epi16(_mm_and_si128(v, _mm_set1_epi16(0xff)), _mm_srli_epi16(v, 8));
  if constexpr (kPairs == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(e + x), both);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(o + x), _mm_unpackhi_epi64(both, both));
  } else {
    const uint32_t even = static_cast<uint32_t>(_mm_cvtsi128_si32(both));
    const uint32_t odd = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(both, both)));
    std::memcpy(e + x, &even, 4);
    std::memcpy(o + x, &odd, 4);
  }
#else
  if constexpr (kPairs == 8) {
    const uint8x8x2_t v = vld2_u8(s + 2 * x);
    vst1_u8(e + x, v.val[0]);
    vst1_u8(o + x, v.val[1]);
  } else {
    const uint8x8_t v = vld1_u8(s + 2 * x);
    const uint8x8x2_t both = vuzp_u8(v, v);  // val[0]: the 4 evens twice; val[1]: the odds
    const uint32_t even = vget_lane_u32(vreinterpret_u32_u8(both.val[0]), 0);
    const uint32_t odd = vget_lane_u32(vreinterpret_u32_u8(both.val[1]), 0);
    std::memcpy(e + x, &even, 4);  // e + x may be unaligned: no 32-bit lane store
    std::memcpy(o + x, &odd, 4);
  }
#endif
}

template <int kPairs>
inline void deal_groups(const uint8_t* __restrict s, int pairs, uint8_t* __restrict e, uint8_t* __restrict o) {
  int x = 0;
  for (; x + kPairs <= pairs; x += kPairs) deal_group<kPairs>(s, x, e, o);
  if (x < pairs) deal_group<kPairs>(s, pairs - kPairs, e, o);  // overlaps the group before
}
#endif

// Codes: the rows are short (13 and 5 pairs in the MRZ network), too short for the compiler's vector
// loop, so 8 or 4 pairs at a time by hand (the stride-2 layers' split took ~2x fewer instructions on
// x86): SSE2 (every x86-64) or AArch64's Advanced SIMD. 32-bit ARM keeps the scalar loop: qnn is built
// there with the compiler's defaults, which have no NEON (only requantize.cc gets -mfpu=neon).
inline void deal_pairs(const uint8_t* __restrict s, int pairs, uint8_t* __restrict e, uint8_t* __restrict o) {
#if defined(__SSE2__) || defined(__aarch64__)
  if (pairs >= 8) return deal_groups<8>(s, pairs, e, o);
  if (pairs >= 4) return deal_groups<4>(s, pairs, e, o);
#endif
  deal_pairs<uint8_t>(s, pairs, e, o);
}

// Stride 2: splits each input channel into its four phases (even/odd rows x even/odd columns), each
// ph x pw (zero-filled where a phase is shorter), so that the stride-2 kernel slides with stride 1.
// Each input row is read once and dealt to its two column phases.
template <typename T>
const T* phase_split(const T* in, const Geometry& g, T* phases) {
  if (g.stride == 1) return in;
  const int cin = g.cin, ih = g.ih, iw = g.iw, ph = g.ph, pw = g.pw, pairs = iw / 2;
  const size_t plane = static_cast<size_t>(ph) * pw;
  for (int c = 0; c < cin; ++c) {
    const T* __restrict src = in + static_cast<size_t>(c) * ih * iw;
    for (int py = 0; py < 2; ++py) {
      T* __restrict even = phases + (static_cast<size_t>(c) * 4 + py * 2) * plane;
      T* __restrict odd = even + plane;
      const int rows = (ih - py + 1) / 2;  // <= ph
      for (int y = 0; y < ph; ++y) {
        T* __restrict e = even + y * pw;
        T* __restrict o = odd + y * pw;
        if (y >= rows) {
          std::fill(e, e + pw, T(0));
          std::fill(o, o + pw, T(0));
          continue;
        }
        const T* __restrict s = src + (2 * y + py) * iw;
        deal_pairs(s, pairs, e, o);
        if (iw % 2 != 0) e[pairs] = s[iw - 1];
        std::fill(e + (iw + 1) / 2, e + pw, T(0));
        std::fill(o + pairs, o + pw, T(0));
      }
    }
  }
  return phases;
}

// One output channel: the oh x ow valid codes of its GEMM row (oh rows of pw columns, the pw - ow
// between them computed and dropped) into dst, row after row.
inline void keep_valid_columns(const uint8_t* __restrict row, const Geometry& g, uint8_t* __restrict dst) {
  if (g.pw == g.ow) {
    std::memcpy(dst, row, static_cast<size_t>(g.oh) * g.ow);
    return;
  }
  for (int oy = 0; oy < g.oh; ++oy) std::memcpy(dst + oy * g.ow, row + oy * g.pw, g.ow);
}

// X (depth x width, row-major); rows ordered (c, dy, dx) as PyTorch's OIHW weights.
template <typename In, typename Out>
void im2col(const In* planes, const Geometry& g, Out* col) {
  const int W = g.width(), cin = g.cin, k = g.k, pw = g.pw, stride = g.stride;
  const size_t plane = static_cast<size_t>(g.ph) * pw;
  for (int c = 0; c < cin; ++c) {
    for (int dy = 0; dy < k; ++dy) {
      for (int dx = 0; dx < k; ++dx) {
        const In* __restrict src =
            stride == 1 ? planes + c * plane + dy * pw + dx
                        : planes + (static_cast<size_t>(c) * 4 + (dy % 2) * 2 + dx % 2) * plane +
                              (dy / 2) * pw + dx / 2;
        Out* __restrict dst = col + static_cast<size_t>((c * k + dy) * k + dx) * W;
        if (sizeof(In) == sizeof(Out)) {
          std::memcpy(dst, src, W * sizeof(Out));
        } else {
          for (int j = 0; j < W; ++j) dst[j] = static_cast<Out>(src[j]);
        }
      }
    }
  }
}

}  // namespace detail
}  // namespace qnn

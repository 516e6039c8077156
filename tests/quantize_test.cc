// The paper's affine quantization and the integer identity behind every kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "lowbit/gemm.h"
#include "lowbit/quantize.h"

namespace lowbit {
namespace {

TEST(Quantize, RangeCoversZeroAndCodesStayInRange) {
  for (int bits : {4, 8}) {
    const int max = (1 << bits) - 1;
    for (auto [lo, hi] : {std::pair{-1.0f, 3.0f}, {0.5f, 2.0f}, {-4.0f, -1.0f}, {0.0f, 1e-30f}}) {
      const QuantParams p = choose_quant_params(lo, hi, bits);
      EXPECT_GT(p.scale, 0.0f);
      EXPECT_GE(p.zero_point, 0);
      EXPECT_LE(p.zero_point, max);
      EXPECT_EQ(quantize(0.0f, p), p.zero_point) << "0 must be exactly representable";
      EXPECT_EQ(quantize(std::min(lo, 0.0f), p), 0);
      EXPECT_EQ(quantize(std::max(hi, 0.0f), p), max);
      EXPECT_EQ(quantize(hi + 100.0f, p), max);
      EXPECT_EQ(quantize(lo - 100.0f, p), 0);
    }
  }
}

TEST(Quantize, RoundTripErrorIsAtMostHalfAStep) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-2.5f, 7.0f);
  std::vector<float> v(1000);
  for (auto& f : v) f = dist(rng);
  for (int bits : {4, 8}) {
    const QuantParams p = choose_quant_params(v.data(), v.size(), bits);
    for (float f : v) {
      // The zero point is rounded, so codes sit up to half a step off the real grid.
      EXPECT_LE(std::fabs(dequantize(quantize(f, p), p) - f), p.scale * 1.0001f) << f;
    }
  }
}

TEST(Quantize, AnEmptyRangeStaysFinite) {
  const QuantParams p = choose_quant_params(0.0f, 0.0f, 4);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
  EXPECT_EQ(quantize(0.0f, p), 0);
}

TEST(Quantize, RejectsBadArguments) {
  EXPECT_THROW(choose_quant_params(0.0f, 1.0f, 0), std::invalid_argument);
  EXPECT_THROW(choose_quant_params(0.0f, 1.0f, 9), std::invalid_argument);
  EXPECT_THROW(choose_quant_params(2.0f, 1.0f, 8), std::invalid_argument);
  EXPECT_THROW(choose_quant_params(NAN, 1.0f, 8), std::invalid_argument);
}

// The reference integer product equals the paper's expansion
// sum qw qx - zw sum qx - zx sum qw + D zw zx, evaluated independently in int64.
TEST(ReferenceGemm, EqualsTheZeroPointExpansion) {
  std::mt19937_64 rng(11);
  for (int bits : {4, 8}) {
    const int max = (1 << bits) - 1;
    for (int fill = 0; fill < 3; ++fill) {
      for (int32_t zw : {0, max, max / 3}) {
        for (int32_t zx : {0, max, max / 2}) {
          const int h = 5, w = 7, d = 301;
          std::vector<uint8_t> a(h * d), b(d * w);
          auto gen = [&] {
            return static_cast<uint8_t>(fill == 0 ? 0 : fill == 1 ? max : rng() % (max + 1));
          };
          for (auto& v : a) v = gen();
          for (auto& v : b) v = gen();
          std::vector<int32_t> r(h * w);
          reference_gemm({a.data(), h, d, d, zw}, {b.data(), d, w, w, zx}, {r.data(), h, w, w});
          for (int i = 0; i < h; ++i) {
            for (int j = 0; j < w; ++j) {
              int64_t prod = 0, sum_w = 0, sum_x = 0;
              for (int k = 0; k < d; ++k) {
                prod += a[i * d + k] * b[k * w + j];
                sum_w += a[i * d + k];
                sum_x += b[k * w + j];
              }
              const int64_t expansion = prod - zw * sum_x - zx * sum_w + int64_t{d} * zw * zx;
              ASSERT_EQ(r[i * w + j], expansion) << "bits " << bits << " zw " << zw << " zx " << zx;
            }
          }
        }
      }
    }
  }
}

// With real-valued operands quantized by the paper's map, s_w s_x R approximates the float product.
TEST(ReferenceGemm, ApproximatesTheFloatProductOfQuantizedOperands) {
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.2f, 1.0f);
  const int h = 4, w = 6, d = 64;
  std::vector<float> wf(h * d), xf(d * w);
  for (auto& v : wf) v = dist(rng);
  for (auto& v : xf) v = std::fabs(dist(rng));  // post-ReLU activations
  const QuantParams pw = choose_quant_params(wf.data(), wf.size(), 8);
  const QuantParams px = choose_quant_params(xf.data(), xf.size(), 8);
  std::vector<uint8_t> wq(wf.size()), xq(xf.size());
  quantize(wf.data(), wf.size(), pw, wq.data());
  quantize(xf.data(), xf.size(), px, xq.data());
  std::vector<int32_t> r(h * w);
  reference_gemm({wq.data(), h, d, d, pw.zero_point}, {xq.data(), d, w, w, px.zero_point},
                 {r.data(), h, w, w});
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j) {
      double exact = 0;
      for (int k = 0; k < d; ++k) exact += wf[i * d + k] * xf[k * w + j];
      EXPECT_NEAR(pw.scale * px.scale * r[i * w + j], exact, 0.05 * std::sqrt(d)) << i << "," << j;
    }
}

}  // namespace
}  // namespace lowbit

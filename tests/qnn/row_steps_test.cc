// The per-row steps of the quantized pass at every length, not only the MRZ network's: the stride-2
// split of a row into its even and odd codes (SSE2 / NEON groups of 8 or 4 pairs, the last one
// overlapping) against the scalar loop, and the requantization the CPU runs (AVX2 / NEON, tails of 8
// or 4 with an overlapping last group) against the formula. Buffers are exactly as long as the row,
// so a read or write past it shows under ASan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "conv_geometry.h"
#include "internal.h"

namespace {

TEST(RowSteps, DealingPairsEqualsTheScalarLoopAtEveryLength) {
  std::mt19937 rng(7);
  for (int pairs = 0; pairs <= 40; ++pairs) {
    std::vector<uint8_t> row(2 * pairs);
    for (uint8_t& v : row) v = static_cast<uint8_t>(rng());
    std::vector<uint8_t> even(pairs), odd(pairs), even_ref(pairs), odd_ref(pairs);
    qnn::detail::deal_pairs(row.data(), pairs, even.data(), odd.data());
    qnn::detail::deal_pairs<uint8_t>(row.data(), pairs, even_ref.data(), odd_ref.data());
    EXPECT_EQ(even, even_ref) << pairs << " pairs";
    EXPECT_EQ(odd, odd_ref) << pairs << " pairs";
  }
}

// The definition (qnn/internal.h): max(acc + bias, 0) in int32, to float, times m, plus 0.5, min with
// qmax, truncated. This file is compiled with -ffp-contract=off, as requantize.cc.
uint8_t requantized(int32_t acc, int32_t bias, float m, float qmax) {
  const float scaled = static_cast<float>(std::max(acc + bias, 0)) * m;
  return static_cast<uint8_t>(static_cast<int32_t>(std::min(scaled + 0.5f, qmax)));
}

TEST(RowSteps, RequantizationEqualsTheFormulaAtEveryLength) {
  const qnn::detail::RequantizeRow requantize_row = qnn::detail::select_requantize_row();
  std::mt19937 rng(11);
  std::uniform_int_distribution<int32_t> sums(-40000, 120000);
  for (const float qmax : {15.0f, 255.0f}) {
    for (int n = 0; n <= 70; ++n) {
      std::vector<int32_t> acc(n);
      for (int32_t& v : acc) v = sums(rng);
      const int32_t bias = sums(rng) / 8;
      const float m = 0.0023f + 0.0001f * n;
      std::vector<uint8_t> codes(n), expected(n);
      for (int j = 0; j < n; ++j) expected[j] = requantized(acc[j], bias, m, qmax);
      requantize_row(acc.data(), n, bias, m, qmax, codes.data());
      EXPECT_EQ(codes, expected) << "n = " << n << ", qmax = " << qmax;
    }
  }
}

}  // namespace

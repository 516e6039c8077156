// Every compiled GEMM path against lowbit::reference_gemm, bit for bit. Paths this CPU cannot run
// are skipped with the reason (on x86 every ISA this CPU has is exercised; on ARM, under qemu).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace lowbit {
namespace {

struct Case {
  int height, width, depth;
  // kMaxMin: weights all 0, activations all at their maximum (the most negative 4.6-bit products).
  enum Fill { kRandom, kZeros, kMax, kMaxMin } fill = kRandom;
  int32_t w_zero = -1, x_zero = -1;  // -1: random (4.6-bit weights: always the centre)
  int pad = 0;                       // extra elements at the end of each row (odd strides)
  LevelPair levels = kDefaultLevelPair;  // 4.6-bit paths only
};

std::string describe(const Case& c) {
  return std::to_string(c.height) + "x" + std::to_string(c.width) + "x" + std::to_string(c.depth) +
         " fill=" + std::to_string(c.fill) + " zw=" + std::to_string(c.w_zero) +
         " zx=" + std::to_string(c.x_zero) + " pad=" + std::to_string(c.pad) + " levels=(" +
         std::to_string(c.levels.activations) + "," + std::to_string(c.levels.weights) + ")";
}

// The largest code of each operand of `path` in case `c`.
int max_w_code(const GemmPath& path, const Case& c) {
  return path.scheme == Scheme::kUint4_6 ? c.levels.weights - 1 : max_code(path.scheme);
}
int max_x_code(const GemmPath& path, const Case& c) {
  return path.scheme == Scheme::kUint4_6 ? c.levels.activations - 1 : max_code(path.scheme);
}

// Runs `path` on one case, twice: weights packed per call, and packed once then reused.
void expect_exact(const GemmPath& path, const Case& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const bool u4_6 = path.scheme == Scheme::kUint4_6;
  const int max_w = max_w_code(path, c), max_x = max_x_code(path, c);
  auto value = [&](int max, bool is_weight) -> uint8_t {
    if (c.fill == Case::kZeros || (c.fill == Case::kMaxMin && is_weight)) return 0;
    if (c.fill == Case::kMax || c.fill == Case::kMaxMin) return static_cast<uint8_t>(max);
    return static_cast<uint8_t>(rng() % (max + 1));
  };
  const std::ptrdiff_t ws = c.depth + c.pad, xs = c.width + c.pad, rs = c.width + c.pad;
  std::vector<uint8_t> w(c.height * ws), x(c.depth * xs);
  for (auto& v : w) v = value(max_w, true);
  for (auto& v : x) v = value(max_x, false);
  const int32_t zw = u4_6 ? centre_code(c.levels.weights)
                          : c.w_zero >= 0 ? c.w_zero : static_cast<int32_t>(rng() % (max_w + 1));
  const int32_t zx = c.x_zero >= 0 ? std::min(c.x_zero, max_x) : static_cast<int32_t>(rng() % (max_x + 1));
  const QuantizedMatrix wm{w.data(), c.height, c.depth, ws, zw, u4_6 ? c.levels.weights : 0};
  const QuantizedMatrix xm{x.data(), c.depth, c.width, xs, zx, u4_6 ? c.levels.activations : 0};

  constexpr int32_t kCanary = 0x7e57c0de;
  std::vector<int32_t> want(c.height * rs, kCanary), got(c.height * rs, kCanary);
  reference_gemm(wm, xm, {want.data(), c.height, c.width, rs});
  Scratch scratch;
  gemm(path, wm, xm, {got.data(), c.height, c.width, rs}, scratch);
  ASSERT_EQ(got, want) << path.name << " on " << describe(c) << " (canaries mark the padding)";

  std::vector<uint8_t> packed(path.packed_weights_bytes(c.height, c.depth) + 64);
  path.pack_weights(wm, packed.data());
  std::fill(got.begin(), got.end(), kCanary);
  path.gemm_packed({packed.data(), c.height, c.depth, zw, wm.levels}, xm, {got.data(), c.height, c.width, rs},
                   scratch);
  ASSERT_EQ(got, want) << path.name << " with pre-packed weights on " << describe(c);
}

class GemmPathTest : public testing::TestWithParam<const GemmPath*> {
 protected:
  void SetUp() override {
    const std::string why = why_unusable(*GetParam());
    if (!why.empty()) GTEST_SKIP() << GetParam()->name << ": " << why;
  }
  const GemmPath& path() const { return *GetParam(); }
};

TEST_P(GemmPathTest, PaperShapes) {
  for (int h : {8, 24})
    for (int w : {100, 400, 1600})
      for (int d : {10, 40, 100}) expect_exact(path(), {h, w, d}, 1000 + h * w * d);
}

TEST_P(GemmPathTest, SmallShapesCoverEveryPartialTile) {
  for (int h = 1; h <= 33; h += (h < 10 ? 1 : 7))
    for (int w = 1; w <= 70; w += (w < 18 ? 1 : 13))
      for (int d : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65})
        expect_exact(path(), {h, w, d}, h * 7919 + w * 31 + d);
}

TEST_P(GemmPathTest, RandomShapes) {
  // Height 1..64, width 1..2000, depth 1..5000, log-uniform; products over 6M terms redrawn so
  // that the suite stays fast under qemu.
  std::mt19937_64 rng(42);
  auto log_uniform = [&](int hi) {
    return static_cast<int>(std::exp(std::uniform_real_distribution<double>(0, std::log(hi + 1.0))(rng)));
  };
  for (int n = 0; n < 40;) {
    const Case c{std::max(1, log_uniform(64)), std::max(1, log_uniform(2000)),
                 std::max(1, log_uniform(5000))};
    if (static_cast<double>(c.height) * c.width * c.depth > 6e6) continue;
    expect_exact(path(), c, 7 + n++);
  }
}

TEST_P(GemmPathTest, ExtremeValuesAndZeroPoints) {
  const int max = max_code(path().scheme);  // 4.6-bit: clamped to the pair's codes
  for (Case::Fill fill : {Case::kZeros, Case::kMax, Case::kMaxMin, Case::kRandom})
    for (int32_t zw : {0, max})
      for (int32_t zx : {0, max})
        for (int d : {1, 100, 1000, 3000})
          expect_exact(path(), {9, 37, d, fill, zw, zx}, d * 13 + zw + zx);
}

// Every pair on the boundary of ((N_x-1)/2)((N_w-1)/2) <= 127, from (3, 255) to (255, 3), with the
// operands at the extremes that give the largest positive and negative products, at a depth
// (100000) no 16-bit accumulator could hold without flushing.
TEST_P(GemmPathTest, LevelPairExtremesAtAnyDepth) {
  if (path().scheme != Scheme::kUint4_6) GTEST_SKIP() << "4.6-bit paths only";
  const std::vector<LevelPair> pairs = maximal_level_pairs();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const LevelPair pair = pairs[i];
    for (Case::Fill fill : {Case::kZeros, Case::kMax, Case::kMaxMin, Case::kRandom}) {
      for (int32_t zx : {0, pair.activations - 1}) {
        const bool long_case = i % 16 == 0 || i + 1 == pairs.size();  // keeps qemu runs short
        const int depth = long_case ? 100000 : 777;
        Case c{3, long_case ? 17 : 21, depth, fill, -1, zx};
        c.levels = pair;
        expect_exact(path(), c, i * 7 + fill + zx);
      }
    }
  }
}

TEST_P(GemmPathTest, InvalidLevelsAreAClearError) {
  if (path().scheme != Scheme::kUint4_6) GTEST_SKIP() << "4.6-bit paths only";
  std::vector<uint8_t> w(4 * 8, 0), x(8 * 8, 0);
  std::vector<int32_t> r(4 * 8);
  Scratch scratch;
  auto run = [&](int nx, int nw, int zw) {
    gemm(path(), {w.data(), 4, 8, 8, zw, nw}, {x.data(), 8, 8, 8, 0, nx}, {r.data(), 4, 8, 8}, scratch);
  };
  EXPECT_NO_THROW(run(23, 23, 11));
  EXPECT_THROW(run(25, 23, 11), std::invalid_argument);   // 12 * 11 = 132 > 127
  EXPECT_THROW(run(23, 22, 11), std::invalid_argument);   // even
  EXPECT_THROW(run(23, 23, 10), std::invalid_argument);   // weights not symmetric
  EXPECT_THROW(run(0, 23, 11), std::invalid_argument);    // activation levels unstated
  try {
    run(255, 5, 2);
    ADD_FAILURE() << "(255, 5) must be refused";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(255, 5)"), std::string::npos) << e.what();
  }
}

TEST_P(GemmPathTest, DepthAroundEveryAccumulatorFlush) {
  // 4-bit paths flush 16-bit lanes every <= 291 products (145 steps where two share a lane).
  std::vector<int> depths;
  // 4.6-bit ones every 256 or 258 steps.
  for (int boundary : {145, 256, 258, 290, 291, 2 * 145, 512, 516, 2 * 290, 2 * 291, 3 * 290, 3 * 291, 4 * 145 * 2})
    for (int delta : {-1, 0, 1}) depths.push_back(boundary + delta);
  for (int d : depths) {
    expect_exact(path(), {8, 48, d, Case::kMax, 0, 0}, d);
    expect_exact(path(), {5, 19, d, Case::kRandom}, d + 1);
  }
}

TEST_P(GemmPathTest, OddStrides) {
  for (int pad : {1, 3, 17})
    for (int d : {10, 40, 291, 301}) expect_exact(path(), {13, 45, d, Case::kRandom, -1, -1, pad}, d + pad);
}

TEST_P(GemmPathTest, WrapsModulo2To32LikeTheReference) {
  if (path().scheme != Scheme::kUint8) GTEST_SKIP() << "only 8-bit operands can overflow int32";
  expect_exact(path(), {2, 17, 40000, Case::kMax, 0, 0}, 1);
}

std::string path_name(const testing::TestParamInfo<const GemmPath*>& info) { return info.param->name; }

INSTANTIATE_TEST_SUITE_P(AllCompiledPaths, GemmPathTest, testing::ValuesIn(compiled_paths()), path_name);

TEST(PathSelection, EverySchemeHasAPath) {
  for (Scheme scheme : {Scheme::kUint8, Scheme::kUint4, Scheme::kUint4_6})
    EXPECT_EQ(select_path(scheme).scheme, scheme) << scheme_name(scheme);
}

TEST(LevelPairs, TheConstraintAndItsBoundary) {
  EXPECT_EQ(why_invalid({255, 3}), "");
  EXPECT_EQ(why_invalid({23, 23}), "");
  EXPECT_EQ(why_invalid({3, 255}), "");
  EXPECT_NE(why_invalid({25, 23}), "");
  EXPECT_NE(why_invalid({1, 3}), "");
  EXPECT_NE(why_invalid({257, 3}), "");
  for (const LevelPair& p : maximal_level_pairs()) {
    EXPECT_EQ(why_invalid(p), "") << p.activations << "," << p.weights;
    if (p.weights < 255) {
      EXPECT_NE(why_invalid({p.activations, p.weights + 2}), "") << p.activations;
    }
  }
}

TEST(PathSelection, EnvironmentForcesAnIsaOrFailsClearly) {
  const char* saved = std::getenv(kForceIsaVariable);
  const std::string restore = saved ? saved : "";
  setenv(kForceIsaVariable, "scalar", 1);
  EXPECT_EQ(select_path(Scheme::kUint4).isa, Isa::kScalar);
  EXPECT_EQ(select_path(Scheme::kUint4_6).isa, Isa::kScalar);
  setenv(kForceIsaVariable, "sse9", 1);
  EXPECT_THROW(select_path(Scheme::kUint4), std::runtime_error);
  // An ISA of the other architecture is never compiled in: a clear error, not SIGILL.
#if defined(__x86_64__)
  setenv(kForceIsaVariable, "neon", 1);
#else
  setenv(kForceIsaVariable, "avx2", 1);
#endif
  try {
    select_path(Scheme::kUint8);
    ADD_FAILURE() << "forcing a foreign ISA must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(kForceIsaVariable), std::string::npos) << e.what();
  }
  if (restore.empty()) {
    unsetenv(kForceIsaVariable);
  } else {
    setenv(kForceIsaVariable, restore.c_str(), 1);
  }
}

TEST(PathSelection, PrefersTheMostCapableUsableIsa) {
  if (std::getenv(kForceIsaVariable) != nullptr) GTEST_SKIP() << kForceIsaVariable << " is set";
  for (Scheme scheme : {Scheme::kUint8, Scheme::kUint4, Scheme::kUint4_6}) {
    const GemmPath& chosen = select_path(scheme);
    for (const GemmPath* p : compiled_paths()) {
      if (p->scheme == scheme && cpu_supports(p->isa)) {
        EXPECT_LE(static_cast<int>(p->isa), static_cast<int>(chosen.isa)) << p->name;
      }
    }
  }
}

}  // namespace
}  // namespace lowbit

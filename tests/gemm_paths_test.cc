// Every compiled GEMM path against lowbit::reference_gemm, bit for bit. Paths this CPU cannot run
// are skipped with the reason (on x86 every ISA this CPU has is exercised; on ARM, under qemu).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "common/flush_bounds.h"
#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace lowbit {
namespace {

struct Case {
  int height, width, depth;
  // kMaxMin: weights all 0, activations all at their maximum (the most negative 4.6-bit products).
  enum Fill { kRandom, kZeros, kMax, kMaxMin } fill = kRandom;
  int32_t w_zero = -1, x_zero = -1;      // -1: random (4.6-bit weights: always the centre)
  int pad = 0;                           // extra elements at the end of each row (odd strides)
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

// What a path's name states: <u8|u4|u4_6>_gemm_<MR>x<NR>c<KR>__<isa> (XNNPACK's grammar).
struct NamedPath {
  std::string scheme;  // u8, u4, u4_6
  GemmTile tile;
  std::string isa;
};

bool parse_path_name(const std::string& name, NamedPath* named) {
  static const std::regex grammar("(u8|u4|u4_6)_gemm_([1-9][0-9]*)x([1-9][0-9]*)c([1-9][0-9]*)__([a-z0-9]+)");
  std::smatch m;
  if (!std::regex_match(name, m, grammar)) return false;
  *named = {m[1], GemmTile{std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])}, m[5]};
  return true;
}

const char* name_prefix(Scheme scheme) {
  switch (scheme) {
    case Scheme::kUint8:
      return "u8";
    case Scheme::kUint4:
      return "u4";
    default:
      return "u4_6";
  }
}

// p - 1, p and p + 1 of every point, positive, sorted, once each.
std::vector<int> around(const std::vector<int>& points) {
  std::vector<int> values;
  for (int p : points)
    for (int v : {p - 1, p, p + 1})
      if (v > 0) values.push_back(v);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// How many products a 16-bit lane of a path of `scheme` may hold, for every way one sums them
// (common/flush_bounds.h); none for 8-bit operands, which are summed in 32 bits.
std::vector<int> lane_bounds(Scheme scheme) {
  switch (scheme) {
    case Scheme::kUint4:
      return {kU4ProductsPerU16Lane, kU4ProductsPerS16Lane};
    case Scheme::kUint4_6:
      return {kU4_6ProductsPerS16Lane, kU4_6RawProductsPerS16Lane};
    default:
      return {};
  }
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
  const int32_t zw = u4_6            ? centre_code(c.levels.weights)
                     : c.w_zero >= 0 ? c.w_zero
                                     : static_cast<int32_t>(rng() % (max_w + 1));
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
        for (int d : {1, 100, 1000, 3000}) expect_exact(path(), {9, 37, d, fill, zw, zx}, d * 13 + zw + zx);
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
  EXPECT_THROW(run(25, 23, 11), std::invalid_argument);  // 12 * 11 = 132 > 127
  EXPECT_THROW(run(23, 22, 11), std::invalid_argument);  // even
  EXPECT_THROW(run(23, 23, 10), std::invalid_argument);  // weights not symmetric
  EXPECT_THROW(run(0, 23, 11), std::invalid_argument);   // activation levels unstated
  try {
    run(255, 5, 2);
    ADD_FAILURE() << "(255, 5) must be refused";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(255, 5)"), std::string::npos) << e.what();
  }
}

// Partial tiles in both directions and depths below, at and above KR, all from the tile the path's
// name states (XNNPACK-style), cycling through extreme codes and zero points.
TEST_P(GemmPathTest, EdgesOfTheNamedTile) {
  NamedPath named;
  ASSERT_TRUE(parse_path_name(path().name, &named)) << path().name;
  const GemmTile t = named.tile;
  const std::vector<int> heights = around({1, t.mr / 2, t.mr, 2 * t.mr});
  const std::vector<int> widths = around({1, t.nr / 4, t.nr / 2, 3 * t.nr / 4, t.nr, 2 * t.nr});
  const std::vector<int> depths = around({1, t.kr / 2, t.kr, 2 * t.kr});
  const int max = max_code(path().scheme);
  const Case::Fill fills[] = {Case::kRandom, Case::kMax, Case::kMaxMin};
  const int32_t zero_points[] = {-1, 0, max};  // -1: random
  int n = 0;
  for (int h : heights)
    for (int w : widths)
      for (int d : depths) {
        const Case c{h, w, d, fills[n % 3], zero_points[n / 3 % 3], zero_points[n / 9 % 3]};
        expect_exact(path(), c, n++);
      }
}

// Depths around (multiples of) every depth at which a path of the scheme may flush its 16-bit
// lanes: a lane holds B products (common/flush_bounds.h) and gains one every step or, with pairwise
// instructions, every second step, in whole KR steps. Operands at the extremes that make the largest
// positive and negative products; 4.6-bit with the two level pairs whose products reach the bound.
TEST_P(GemmPathTest, DepthAroundEveryAccumulatorFlush) {
  const std::vector<int> bounds = lane_bounds(path().scheme);
  if (bounds.empty()) GTEST_SKIP() << "no 16-bit sums in " << scheme_name(path().scheme);
  NamedPath named;
  ASSERT_TRUE(parse_path_name(path().name, &named)) << path().name;
  std::vector<int> flushes;
  for (int products : bounds)
    for (int steps_per_product : {1, 2})
      for (int multiple : {1, 2, 3})
        flushes.push_back(multiple * (products * steps_per_product / named.tile.kr * named.tile.kr));
  const bool u4_6 = path().scheme == Scheme::kUint4_6;
  const std::vector<LevelPair> pairs =
      u4_6 ? std::vector<LevelPair>{{255, 3}, {3, 255}} : std::vector<LevelPair>{kDefaultLevelPair};
  const int max = max_code(path().scheme);
  for (int d : around(flushes))
    for (const LevelPair& pair : pairs)
      for (Case::Fill fill : {Case::kMax, Case::kMaxMin, Case::kRandom})
        for (int32_t zw : u4_6 ? std::vector<int32_t>{-1} : std::vector<int32_t>{0, max})
          for (int32_t zx : {0, max}) {
            Case c{named.tile.mr + 1, named.tile.nr + 1, d, fill, zw, zx};
            c.levels = pair;
            expect_exact(path(), c, d + fill + zx);
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

// Every compiled path, whether or not this CPU can run it: the name follows the grammar and states
// the scheme, the instruction set and the tile the path declares.
TEST(PathNames, StateSchemeTileAndIsa) {
  for (const GemmPath* p : compiled_paths()) {
    NamedPath named;
    ASSERT_TRUE(parse_path_name(p->name, &named))
        << p->name << " does not follow <scheme>_gemm_<MR>x<NR>c<KR>__<isa>";
    EXPECT_EQ(named.scheme, name_prefix(p->scheme)) << p->name;
    EXPECT_EQ(named.isa, isa_name(p->isa)) << p->name;
    EXPECT_EQ(named.tile.mr, p->tile.mr) << p->name << ": MR";
    EXPECT_EQ(named.tile.nr, p->tile.nr) << p->name << ": NR";
    EXPECT_EQ(named.tile.kr, p->tile.kr) << p->name << ": KR";
  }
}

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

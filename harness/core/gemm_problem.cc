#include "gemm_problem.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>

#include "lowbit/gemm.h"

namespace qbench {

std::string GemmShape::str() const {
  return std::to_string(height) + "x" + std::to_string(width) + "x" + std::to_string(depth);
}

GemmProblem make_problem(const GemmShape& shape, const OperandFormat& format, uint64_t seed) {
  GemmProblem p;
  p.shape = shape;
  p.format = format;
  // mt19937_64 and an explicit modulo: std::uniform_int_distribution differs between libraries.
  // (The seed mixes in the level counts only when they are set, so 4- and 8-bit operands stay as
  // they were.)
  std::mt19937_64 rng(seed ^ (static_cast<uint64_t>(shape.height) << 40) ^
                      (static_cast<uint64_t>(shape.width) << 20) ^ shape.depth ^
                      (static_cast<uint64_t>(format.bits) << 60) ^
                      (static_cast<uint64_t>(format.activation_levels) << 32) ^
                      (static_cast<uint64_t>(format.weight_levels) << 48));
  auto draw = [&](int levels) { return static_cast<uint8_t>(rng() % static_cast<uint32_t>(levels)); };
  p.w.resize(static_cast<std::size_t>(shape.height) * shape.depth);
  p.x.resize(static_cast<std::size_t>(shape.depth) * shape.width);
  for (auto& v : p.w) v = draw(format.w_levels());
  for (auto& v : p.x) v = draw(format.x_levels());
  p.w_zero = format.weight_levels > 0 ? (format.weight_levels - 1) / 2 : draw(format.w_levels());
  p.x_zero = draw(format.x_levels());
  p.w_scale = 0.02f;
  p.x_scale = 0.05f;
  p.expected.resize(static_cast<std::size_t>(shape.height) * shape.width);
  lowbit::reference_gemm({p.w.data(), shape.height, shape.depth, shape.depth, p.w_zero},
                         {p.x.data(), shape.depth, shape.width, shape.width, p.x_zero},
                         {p.expected.data(), shape.height, shape.width, shape.width});
  return p;
}

namespace {

template <typename T, typename Differs>
std::string compare(const GemmProblem& problem, const T* result, std::ptrdiff_t row_stride,
                    std::ptrdiff_t col_stride, Differs differs) {
  const GemmShape& s = problem.shape;
  int mismatches = 0;
  std::ostringstream first;
  for (int i = 0; i < s.height; ++i) {
    for (int j = 0; j < s.width; ++j) {
      const T got = result[i * row_stride + j * col_stride];
      const int32_t want = problem.expected[static_cast<std::size_t>(i) * s.width + j];
      if (!differs(got, want)) continue;
      if (mismatches++ == 0) first << "R[" << i << "][" << j << "] = " << got << ", expected " << want;
    }
  }
  if (mismatches == 0) return "";
  return std::to_string(mismatches) + " of " + std::to_string(s.height * s.width) +
         " results differ from the reference on " + s.str() + "; first: " + first.str();
}

}  // namespace

std::string compare_exact(const GemmProblem& problem, const int32_t* result, std::ptrdiff_t row_stride,
                          std::ptrdiff_t col_stride) {
  return compare(problem, result, row_stride, col_stride,
                 [](int32_t got, int32_t want) { return got != want; });
}

std::string run_and_compare_exact(PreparedGemm& prepared, const GemmProblem& problem,
                                  std::vector<int32_t>& result, std::ptrdiff_t row_stride,
                                  std::ptrdiff_t col_stride) {
  std::fill(result.begin(), result.end(), 0x5a5a5a5a);
  prepared.run();
  return compare_exact(problem, result.data(), row_stride, col_stride);
}

std::string compare_float(const GemmProblem& problem, const float* result, std::ptrdiff_t row_stride,
                          std::ptrdiff_t col_stride) {
  // Float results are scale_w scale_x (exact integer); each of the depth additions may round by
  // one ulp of the running sum, bounded by the sum of |terms| <= depth * max|w| * max|x|.
  const double scale = static_cast<double>(problem.w_scale) * problem.x_scale;
  const double max_w = problem.format.w_levels() - 1, max_x = problem.format.x_levels() - 1;
  const double bound = 2.0 * problem.shape.depth * problem.shape.depth * FLT_EPSILON * max_w * max_x * scale;
  return compare(problem, result, row_stride, col_stride, [&](float got, int32_t want) {
    return !(std::fabs(static_cast<double>(got) - scale * want) <= bound);
  });
}

}  // namespace qbench

// Every kernel the runner knows (ours, each of our paths, and the baseline libraries), checked the way
// the runner checks it before timing: prepare() on a shared GemmProblem, then check() == "". One test per
// kernel id, over the paper's 18 shapes and odd ones, in both weights modes where the kernel supports
// prepacking. A kernel unavailable here (library not built, CPU without the ISA...) is skipped with
// its reason.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gemm_kernel.h"
#include "gemm_problem.h"
#include "known_kernels.h"

namespace qbench {
namespace {

std::vector<GemmShape> shapes() {
  std::vector<GemmShape> all;
  for (int height : {8, 24})  // the paper's table: height x width x depth
    for (int width : {100, 400, 1600})
      for (int depth : {10, 40, 100}) all.push_back({height, width, depth});
  const std::vector<GemmShape> odd = {
      {1, 1, 1},     {3, 2, 1},    {5, 17, 1},   {7, 13, 300}, {1, 1000, 3},  {64, 1, 64},
      {33, 5, 2000}, {8, 16, 291}, {8, 16, 292}, {9, 33, 583}, {13, 129, 17}, {25, 7, 257},
  };
  all.insert(all.end(), odd.begin(), odd.end());
  return all;
}

std::vector<std::string> kernel_ids() {
  std::vector<std::string> ids;
  for (const GemmKernel& k : known_kernels().kernels()) ids.push_back(k.id);
  return ids;
}

class KernelCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelCheck, MatchesReferenceOnPaperAndOddShapes) {
  const GemmKernel* kernel = known_kernels().find(GetParam());
  ASSERT_NE(kernel, nullptr);
  const std::string why = kernel->unavailable();
  if (!why.empty()) GTEST_SKIP() << kernel->id << " unavailable: " << why;
  ASSERT_TRUE(kernel->prepare) << kernel->id << " is available but has no prepare()";

  std::vector<WeightsMode> modes = {WeightsMode::kPackedPerCall};
  if (kernel->supports_prepacked) modes.push_back(WeightsMode::kPrepacked);
  for (const GemmShape& shape : shapes()) {
    const GemmProblem problem = make_problem(shape, kernel->operands, /*seed=*/20200110);
    for (WeightsMode mode : modes) {
      SCOPED_TRACE(kernel->id + " on " + shape.str() + " (bits " + std::to_string(kernel->operands.bits) +
                   ", " + (mode == WeightsMode::kPrepacked ? "prepacked" : "per_call") + ")");
      std::unique_ptr<PreparedGemm> prepared;
      ASSERT_NO_THROW(prepared = kernel->prepare(problem, mode));
      ASSERT_NE(prepared, nullptr);
      EXPECT_EQ(prepared->check(), "");
      // Repeated calls (as the timing loop makes them) must keep giving the same product.
      for (int i = 0; i < 3; ++i) prepared->run();
      EXPECT_EQ(prepared->check(), "") << "after repeated run()";
    }
  }
}

TEST(KernelRegistry, IdsAreUniqueAndDescribed) {
  std::vector<std::string> seen;
  for (const GemmKernel& k : known_kernels().kernels()) {
    EXPECT_FALSE(k.id.empty());
    EXPECT_FALSE(k.description.empty()) << k.id;
    EXPECT_TRUE(k.operands.bits == 4 || k.operands.bits == 8) << k.id;
    EXPECT_TRUE(k.unavailable) << k.id;
    EXPECT_TRUE(k.implementation) << k.id;
    for (const std::string& s : seen) EXPECT_NE(s, k.id);
    seen.push_back(k.id);
    EXPECT_EQ(known_kernels().find(k.id), &k);
  }
  EXPECT_EQ(known_kernels().find("no such kernel"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(AllKernels, KernelCheck, ::testing::ValuesIn(kernel_ids()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;  // test names allow [A-Za-z0-9_] only
                           for (char& c : name)
                             if (c == '@') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace qbench

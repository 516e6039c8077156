// The refusal to time a baseline compiled without SIMD (harness/baseline_simd_guard.h), the SIMD this
// build's baselines report, and the facts recorded about a pinned core (harness/pinned_core.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "baseline_simd_guard.h"
#include "pinned_core.h"
#include "simd_info.h"

namespace qbench {
namespace {

const CompiledSimd kScalarEigen{"None", false};
const CompiledSimd kNeonEigen{"ARM NEON", true};

TEST(ScalarBaselineRefusal, RefusesAScalarBuildOnACpuWithSimd) {
  const std::string why = scalar_baseline_refusal(BaselineLibrary::kEigen, kScalarEigen, true);
  EXPECT_NE(why.find("Eigen was compiled without SIMD (it reports 'None')"), std::string::npos) << why;
  EXPECT_NE(why.find("--allow-scalar-baselines"), std::string::npos) << why;
  const std::string gemmlowp =
      scalar_baseline_refusal(BaselineLibrary::kGemmlowp, CompiledSimd{"no SIMD", false}, true);
  EXPECT_NE(gemmlowp.find("gemmlowp was compiled without SIMD"), std::string::npos) << gemmlowp;
}

TEST(ScalarBaselineRefusal, AcceptsSimdBuildsCpusWithoutSimdAndOurKernels) {
  EXPECT_EQ(scalar_baseline_refusal(BaselineLibrary::kEigen, kNeonEigen, true), "");
  EXPECT_EQ(scalar_baseline_refusal(BaselineLibrary::kEigen, kScalarEigen, false), "");
  EXPECT_EQ(scalar_baseline_refusal(BaselineLibrary::kNone, kScalarEigen, true), "");
}

TEST(ScalarBaselineRefusal, KnowsWhichKernelsAndVariantsAreEigenOrGemmlowp) {
  for (const char* id : {"float32", "float32_rowmajor", "int32"})
    EXPECT_EQ(library_of_kernel(id), BaselineLibrary::kEigen) << id;
  EXPECT_EQ(library_of_kernel("uint8_gemmlowp"), BaselineLibrary::kGemmlowp);
  for (const char* id : {"uint8", "uint4", "uint4_6", "xnnpack_u8", "onednn_f32"})
    EXPECT_EQ(library_of_kernel(id), BaselineLibrary::kNone) << id;
  EXPECT_EQ(library_of_qnn_variant("float"), BaselineLibrary::kEigen);
  EXPECT_EQ(library_of_qnn_variant("q32"), BaselineLibrary::kEigen);
  EXPECT_EQ(library_of_qnn_variant("q4"), BaselineLibrary::kNone);
}

// This build on this CPU: the run's decision follows what the libraries report. (That an ARM build
// has NEON is checked by scripts/cross-qbench-test.sh on `qbench list`.)
TEST(ScalarBaselineRefusal, ThisBuildDecidesFromItsOwnLibraries) {
  const CompiledSimd eigen = eigen_compiled_simd();
  const CompiledSimd gemmlowp = gemmlowp_compiled_simd();
  EXPECT_EQ(eigen.vectorized, eigen.instruction_sets != "None") << eigen.instruction_sets;
  const bool refused = !scalar_baseline_refusals({"uint8_gemmlowp"}, false).empty();
  EXPECT_EQ(refused, !gemmlowp.vectorized && cpu_has_simd_for(BaselineLibrary::kGemmlowp))
      << gemmlowp.instruction_sets;
  EXPECT_EQ(scalar_baseline_refusals({"uint4", "uint8"}, false), "");
}

TEST(PinnedCore, ReadsTypeClockAndGovernorOfOneCore) {
  const std::filesystem::path root = std::filesystem::path(::testing::TempDir()) / "pinned_core_test";
  const std::filesystem::path cpufreq = root / "cpu" / "cpu5" / "cpufreq";
  std::filesystem::create_directories(cpufreq);
  std::ofstream(cpufreq / "cpuinfo_max_freq") << "2000000\n";
  std::ofstream(cpufreq / "scaling_cur_freq") << "1800000\n";
  std::ofstream(cpufreq / "scaling_governor") << "ondemand\n";
  std::ofstream cpuinfo(root / "cpuinfo");
  for (int cpu = 0; cpu < 8; ++cpu)
    cpuinfo << "processor\t: " << cpu
            << "\nCPU implementer\t: 0x41\nCPU part\t: " << (cpu < 4 ? "0xc07" : "0xc0f") << "\n\n";
  cpuinfo.close();
  const nlohmann::json core = core_facts(5, (root / "cpu").string(), (root / "cpuinfo").string());
  EXPECT_EQ(core["cpu"], 5);
  EXPECT_EQ(core["type"], "0xc0f");
  EXPECT_EQ(core["implementer"], "0x41");
  EXPECT_EQ(core["max_freq_khz"], 2000000);
  EXPECT_EQ(core["cur_freq_khz"], 1800000);
  EXPECT_EQ(core["governor"], "ondemand");
  const nlohmann::json little = core_facts(1, (root / "cpu").string(), (root / "cpuinfo").string());
  EXPECT_EQ(little["type"], "0xc07");
  EXPECT_FALSE(little.contains("governor"));  // no cpufreq folder: left out, not invented
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace qbench

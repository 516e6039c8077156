// `qbench peak`: it runs, measures a positive rate for every instruction loop this CPU runs (and
// only those), and its record lands in the results of `qbench run` unless --no-peak. No speed is
// asserted: the machine may be shared.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "lowbit/gemm.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The record keys each instruction set brings (harness/peak/peak__<isa>.cc).
const std::map<lowbit::Isa, std::set<std::string>> kKeysOfIsa = {
    {lowbit::Isa::kAvx2, {"fma_f32_ymm", "maddubs_u8s8_ymm", "maddwd_s16_ymm"}},
    {lowbit::Isa::kAvx512bw, {"fma_f32_zmm", "maddubs_u8s8_zmm", "maddwd_s16_zmm"}},
    {lowbit::Isa::kAvx512vnni, {"dpbusd_u8s8_zmm"}},
    {lowbit::Isa::kNeon, {"mla_f32_q", "mlal_u8", "mull_padal_u8"}},
    {lowbit::Isa::kNeon64, {"mla_f32_q", "mlal_u8", "mull_padal_u8"}},
    {lowbit::Isa::kNeonDot, {"dot_u8_q"}},
};

std::set<std::string> expected_keys() {
  std::set<std::string> keys;
  for (const auto& [isa, isa_keys] : kKeysOfIsa)
    if (lowbit::cpu_supports(isa)) keys.insert(isa_keys.begin(), isa_keys.end());
  return keys;
}

// What a command prints on stdout.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << command;
  return out;
}

void expect_valid_peak(const json& peak) {
  std::set<std::string> keys;
  for (const auto& [key, record] : peak.at("instructions").items()) {
    keys.insert(key);
    EXPECT_GT(record.at("instructions_per_second").get<double>(), 0) << key;
    EXPECT_GT(record.at("multiply_adds_per_instruction").get<int>(), 0) << key;
    EXPECT_DOUBLE_EQ(record.at("multiply_adds_per_second").get<double>(),
                     record.at("instructions_per_second").get<double>() *
                         record.at("multiply_adds_per_instruction").get<int>())
        << key;
    EXPECT_EQ(record.at("samples_instructions_per_second").size(), peak.at("repetitions").get<std::size_t>());
  }
  EXPECT_EQ(keys, expected_keys());
#if defined(__x86_64__) || defined(__arm__) || defined(__aarch64__)
  EXPECT_GT(peak.at("clock").at("hz").get<double>(), 0);
#endif
}

TEST(Peak, JsonHasAPositiveRateForEveryLoopThisCpuRuns) {
  const json peak =
      json::parse(output_of(std::string(QBENCH_EXE) + " peak --json --repetitions 3 --min-time 0.001"));
  EXPECT_EQ(peak.at("repetitions"), 3);
  expect_valid_peak(peak);
}

TEST(Peak, TablePrintsEveryKey) {
  const std::string table = output_of(std::string(QBENCH_EXE) + " peak --repetitions 1 --min-time 0.001");
  for (const std::string& key : expected_keys()) EXPECT_NE(table.find(key), std::string::npos) << key;
}

TEST(Peak, RecordedInRunResultsUnlessNoPeak) {
  const fs::path dir = fs::temp_directory_path() / ("qbench-peak-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string run = std::string(QBENCH_EXE) + " run --config " + QBENCH_SOURCE_DIR +
                          "/configs/quick.json --shapes 8x100x10 --kernels uint4 --repetitions 1 "
                          "--min-time 0.0001 2>/dev/null --out ";
  output_of(run + (dir / "with.json").string());
  output_of(run + (dir / "without.json").string() + " --no-peak");
  const json with = json::parse(std::ifstream(dir / "with.json"));
  const json without = json::parse(std::ifstream(dir / "without.json"));
  fs::remove_all(dir);
  expect_valid_peak(with.at("context").at("qbench").at("peak"));
  EXPECT_FALSE(without.at("context").at("qbench").contains("peak"));
}

}  // namespace

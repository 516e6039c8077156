#include "provenance.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "lowbit/gemm.h"
#include "pinned_core.h"
#include "simd_info.h"

namespace qbench {
namespace {

// The first line a shell command prints, "" on failure.
std::string first_line_of(const std::string& command) {
  std::array<char, 512> buffer{};
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return "";
  std::string line;
  if (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) line = buffer.data();
  const int status = pclose(pipe);
  if (status != 0) return "";
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string cpuinfo_field(const std::string& field) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "";
}

}  // namespace

std::string cpu_model() {
  for (const char* field : {"model name", "Hardware", "Model"}) {
    const std::string v = cpuinfo_field(field);
    if (!v.empty()) return v;
  }
  const std::string part = cpuinfo_field("CPU part");  // ARM: e.g. 0xc0f = Cortex-A15
  return part.empty() ? "unknown" : "ARM CPU part " + part;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

nlohmann::json provenance() {
  nlohmann::json p;
  const std::string source = QBENCH_SOURCE_DIR;
  std::string commit = first_line_of("git -C '" + source + "' rev-parse HEAD");
  bool dirty = false;
  if (commit.empty()) {
    commit = QBENCH_CONFIGURE_COMMIT;  // not run from a checkout: the commit it was configured at
  } else {
    dirty = !first_line_of("git -C '" + source + "' status --porcelain --untracked-files=no").empty();
  }
  p["git_commit"] = commit;
  p["git_dirty"] = dirty;
  p["compiler"] = QBENCH_COMPILER;
  p["cxx_flags"] = QBENCH_CXX_FLAGS;
  p["baseline_flags"] = QBENCH_BASELINE_FLAGS;
  p["baseline_simd"] = {{"eigen", eigen_compiled_simd().instruction_sets},
                        {"gemmlowp", gemmlowp_compiled_simd().instruction_sets}};
  p["kernel_isa_flags"] =
      "per file: __avx2 -mavx2 -mfma; __avx512bw +-mavx512f/bw/vl/dq; "
      "__avx512vnni +-mavx512vnni; __neon -mfpu=neon; __neondot "
      "-march=armv8.2-a+dotprod";
  p["build_type"] = QBENCH_BUILD_TYPE;
  p["arch"] = QBENCH_ARCH;
  p["cpu_model"] = cpu_model();
  p["host"] = host_name();
  p["pinned_core"] = pinned_core();
  nlohmann::json isas = nlohmann::json::array();
  for (lowbit::Isa isa :
       {lowbit::Isa::kScalar, lowbit::Isa::kNeon, lowbit::Isa::kNeon64, lowbit::Isa::kNeonDot,
        lowbit::Isa::kAvx2, lowbit::Isa::kAvx512bw, lowbit::Isa::kAvx512vnni})
    if (lowbit::cpu_supports(isa)) isas.push_back(lowbit::isa_name(isa));
  p["cpu_isas"] = isas;
  const char* forced = std::getenv(lowbit::kForceIsaVariable);
  p["forced_isa"] = forced != nullptr ? forced : "";
  p["libraries"] = {{"benchmark", QBENCH_BENCHMARK_VERSION},
                    {"gemmlowp", QBENCH_GEMMLOWP_VERSION},
                    {"eigen", QBENCH_EIGEN_VERSION}};
  return p;
}

}  // namespace qbench

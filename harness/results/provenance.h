// Where a result comes from: commit, build, machine, libraries. Goes into every results file.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace qbench {

// Build and machine facts: git_commit, git_dirty, compiler, cxx_flags, kernel_isa_flags,
// baseline_flags, baseline_simd (what Eigen and gemmlowp were compiled with), build_type, arch,
// cpu_model, host, pinned_core (harness/pinned_core.h), libraries, usable ISAs.
nlohmann::json provenance();

std::string cpu_model();
std::string host_name();

}  // namespace qbench

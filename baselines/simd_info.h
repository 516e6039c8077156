// The SIMD that the baseline libraries were compiled with. Both are header-only, so this is decided by
// the flags of the baselines target (cmake/BaselineSimd.cmake), not by the CPU: an Eigen built with
// Debian armhf's defaults runs scalar even on a Cortex-A15 with NEON.
#pragma once

#include <string>

namespace qbench {

struct CompiledSimd {
  std::string instruction_sets;  // what the library reports, e.g. "ARM NEON", "SSE, SSE2", "None"
  bool vectorized;               // false: the library's scalar code
};

CompiledSimd eigen_compiled_simd();     // Eigen::SimdInstructionSetsInUse(), EIGEN_VECTORIZE
CompiledSimd gemmlowp_compiled_simd();  // gemmlowp's GEMMLOWP_{AVX2,SSE4,NEON}_{32,64} macros

}  // namespace qbench

// Compiled with the baselines' flags (baselines/CMakeLists.txt), so the libraries' macros here are
// the ones eigen.cc and gemmlowp.cc see.
#include "simd_info.h"

#include <Eigen/Core>

#include "gemmlowp/public/gemmlowp.h"

namespace qbench {

CompiledSimd eigen_compiled_simd() {
#ifdef EIGEN_VECTORIZE
  return {Eigen::SimdInstructionSetsInUse(), true};
#else
  return {Eigen::SimdInstructionSetsInUse(), false};
#endif
}

CompiledSimd gemmlowp_compiled_simd() {
#if defined(GEMMLOWP_AVX2_64)
  return {"AVX2", true};
#elif defined(GEMMLOWP_SSE4_64) || defined(GEMMLOWP_SSE4_32)
  return {"SSE4.1", true};
#elif defined(GEMMLOWP_NEON_64)
  return {"NEON (AArch64)", true};
#elif defined(GEMMLOWP_NEON_32)
  return {"NEON (ARMv7)", true};
#else
  return {"no SIMD", false};
#endif
}

}  // namespace qbench

// Refuses to time a baseline library that was compiled without SIMD on a CPU that has SIMD for it:
// such a figure compares our vector kernels with the library's scalar fallback and inflates every
// speedup (issue 12: Eigen and gemmlowp built with Debian armhf's defaults on an ODROID-XU4).
// `qbench run|qnn --allow-scalar-baselines` times them anyway (e.g. to measure that very effect).
#pragma once

#include <string>
#include <vector>

#include "simd_info.h"

namespace qbench {

// The header-only library a kernel id or QNN variant is computed by, where it matters here.
enum class BaselineLibrary { kNone, kEigen, kGemmlowp };
BaselineLibrary library_of_kernel(const std::string& kernel_id);     // float32*, int32: Eigen
BaselineLibrary library_of_qnn_variant(const std::string& variant);  // float, q32: Eigen

// Whether this CPU has a SIMD kernel of `library` that a build could have used (ARMv7: NEON at
// run time; AArch64: always; x86-64: Eigen always (SSE2), gemmlowp with SSE4.1).
bool cpu_has_simd_for(BaselineLibrary library);

// "" when `library` may be timed; else the reason not to, naming the library, what it was compiled
// with and how to fix the build. Pure: the decision, for tests.
std::string scalar_baseline_refusal(BaselineLibrary library, const CompiledSimd& compiled, bool cpu_has_simd);

// The refusals of this build on this CPU for the libraries the kernels / variants use, one per
// library, "" when none. `ids` are kernel ids, or QNN variant names (qnn::variant_name) if
// `qnn_variants`.
std::string scalar_baseline_refusals(const std::vector<std::string>& ids, bool qnn_variants);

}  // namespace qbench

// The project's own kernels (lowbit::gemm with the path selected for this CPU) as runner kernels.
#pragma once

#include "gemm_kernel.h"
#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace qbench {

// One kernel per scheme: "uint8" (gemmlowp-style), "uint4" (the paper's packed 4-bit), "uint4_6"
// (4.6-bit, on operands with the level pair `levels`).
GemmKernel lowbit_kernel(const std::string& id, lowbit::Scheme scheme, const std::string& description,
                         lowbit::LevelPair levels = lowbit::kDefaultLevelPair);

}  // namespace qbench

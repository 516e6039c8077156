// The project's own kernels (lowbit::gemm with the path selected for this CPU) as runner kernels.
#pragma once

#include "gemm_kernel.h"

namespace qbench {

// bits = 8: id "uint8" (gemmlowp-style); bits = 4: id "uint4" (the paper's packed 4-bit).
GemmKernel lowbit_kernel(const std::string& id, int bits, const std::string& description);

}  // namespace qbench

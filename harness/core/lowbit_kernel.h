// The project's own kernels (lowbit::gemm) as runner kernels: per scheme, "<scheme>" on the path
// lowbit selects for this CPU, and "<scheme>@<isa>" on each path compiled in, so that every path can
// be verified and timed in one run.
#pragma once

#include "kernel_registry.h"

namespace qbench {

// Adds uint8 (gemmlowp-style), uint4 (the paper's packed 4-bit) and uint4_6 (4.6-bit, on operands
// with lowbit::kDefaultLevelPair), each followed by its per-path ids.
void add_lowbit_kernels(KernelRegistry& registry);

}  // namespace qbench

// Every kernel a qbench program knows: the baseline libraries, then ours (with their per-path ids).
#pragma once

#include "kernel_registry.h"

namespace qbench {

const KernelRegistry& known_kernels();

}  // namespace qbench

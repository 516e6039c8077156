// Builds the operands every kernel of a sweep multiplies for one shape.
#pragma once

#include <cstdint>

#include "gemm_kernel.h"

namespace qbench {

// Uniform random values in [0, 2^bits - 1] from a seeded generator (identical on every machine),
// random zero points inside the range, scales of a typical layer, and the reference result.
GemmProblem make_problem(const GemmShape& shape, const OperandFormat& format, uint64_t seed);

}  // namespace qbench

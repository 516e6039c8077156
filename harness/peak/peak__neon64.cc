// AArch64 Advanced SIMD peak loops: see neon_loops.h.
#include "neon_loops.h"

namespace qbench {

PeakLoopList peak_loops_neon64() { return {kNeonLoops, sizeof(kNeonLoops) / sizeof(kNeonLoops[0])}; }

}  // namespace qbench

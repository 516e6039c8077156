// ARMv7 NEON peak loops (the paper's Cortex-A15): see neon_loops.h.
#include "neon_loops.h"

namespace qbench {

PeakLoopList peak_loops_neon() { return {kNeonLoops, sizeof(kNeonLoops) / sizeof(kNeonLoops[0])}; }

}  // namespace qbench

// AArch64 dot-product peak loop: udot (our neondot uint8/uint4 paths; the signed sdot of the
// 4.6-bit path has the same throughput on the cores that have either). 12 chains.
#include "neon_asm_loop.h"
#include "peak_loop.h"

namespace qbench {
namespace {

void udot(std::int64_t rounds) {
  const uint8x16_t x = vdupq_n_u8(3), y = vdupq_n_u8(2);
  QBENCH_NEON_ASM_LOOP(rounds, x, y,
                       QBENCH_NEON_REGISTERS "udot v\\r\\().4s, %[x].16b, %[y].16b\n\t.endr\n\t");
}

// 16 u8 x u8 products accumulated per instruction.
const PeakLoop kLoops[] = {
    {"dot_u8_q", lowbit::Isa::kNeonDot, "udot v.4s, v.16b, v.16b", 16, 12, udot},
};

}  // namespace

PeakLoopList peak_loops_neondot() { return {kLoops, sizeof(kLoops) / sizeof(kLoops[0])}; }

}  // namespace qbench

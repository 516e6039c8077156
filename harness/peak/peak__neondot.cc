// AArch64 dot-product peak loop: udot (our neondot uint8/uint4 paths; the signed sdot of the
// 4.6-bit path has the same throughput on the cores that have either).
#include "neon_barriers.h"
#include "peak_loop.h"

namespace qbench {
namespace {

constexpr int kChains = 12;

void udot(std::int64_t rounds) {
  uint32x4_t acc[kChains];
  for (uint32x4_t& a : acc) a = vdupq_n_u32(0);
  uint8x16_t x = vdupq_n_u8(3);
  const uint8x16_t y = vdupq_n_u8(2);
  for (std::int64_t r = 0; r < rounds; ++r) {
    opaque(x);
#pragma GCC unroll 16
    for (uint32x4_t& a : acc) a = vdotq_u32(a, x, y);
  }
  keep(acc);
}

// 16 u8 x u8 products accumulated per instruction.
const PeakLoop kLoops[] = {
    {"dot_u8_q", lowbit::Isa::kNeonDot, "udot v.4s, v.16b, v.16b", 16, kChains, udot},
};

}  // namespace

PeakLoopList peak_loops_neondot() { return {kLoops, sizeof(kLoops) / sizeof(kLoops[0])}; }

}  // namespace qbench

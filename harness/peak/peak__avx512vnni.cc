// AVX-512 VNNI peak loop: vpdpbusd zmm (our avx512vnni uint8/uint4 paths, oneDNN s8 on VNNI). It
// accumulates in place (latency 4-5 cycles, up to 2 per cycle): 12 chains hide that.
#include <immintrin.h>

#include "peak_loop.h"
#include "x86_asm_loop.h"

namespace qbench {
namespace {

void dpbusd(std::int64_t rounds) {
  const __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2);
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_TWELVE_CHAINS("vpdpbusd", "zmm"));
}

// 64 u8 x s8 products accumulated per instruction.
const PeakLoop kLoops[] = {
    {"dpbusd_u8s8_zmm", lowbit::Isa::kAvx512vnni, "vpdpbusd zmm", 64, kPeakTwelveChains, dpbusd},
};

}  // namespace

PeakLoopList peak_loops_avx512vnni() { return {kLoops, sizeof(kLoops) / sizeof(kLoops[0])}; }

}  // namespace qbench

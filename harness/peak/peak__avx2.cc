// AVX2 peak loops (ymm): the loops of x86_loops.h at 32 bytes.
#define QBENCH_X86_WIDTH "ymm"
#define QBENCH_X86_BYTES 32
#define QBENCH_X86_ISA lowbit::Isa::kAvx2
#include "x86_loops.h"

namespace qbench {

PeakLoopList peak_loops_avx2() { return {kX86Loops, sizeof(kX86Loops) / sizeof(kX86Loops[0])}; }

}  // namespace qbench

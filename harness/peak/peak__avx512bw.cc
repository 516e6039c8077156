// AVX-512BW peak loops (zmm): the loops of x86_loops.h at 64 bytes (Eigen built for an AVX-512
// host, our avx512bw uint8/uint4 paths, XNNPACK qu8 on AVX-512).
#define QBENCH_X86_WIDTH "zmm"
#define QBENCH_X86_BYTES 64
#define QBENCH_X86_ISA lowbit::Isa::kAvx512bw
#include "x86_loops.h"

namespace qbench {

PeakLoopList peak_loops_avx512bw() { return {kX86Loops, sizeof(kX86Loops) / sizeof(kX86Loops[0])}; }

}  // namespace qbench

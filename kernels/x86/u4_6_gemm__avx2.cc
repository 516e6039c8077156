// 4.6-bit product on AVX2: byte operands (raw activations, centred weights), vpmaddubsw + vpaddw
// into 16-bit sums flushed every 64 units (x86/maddubs.h).
#include "common/define_path.h"
#include "x86/driver.h"
#include "x86/maddubs.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_6_gemm_4x16c4__avx2, Isa::kAvx2, X86Gemm<Avx2, Maddubs<Scheme::kUint4_6>, 4, 2>);
}  // namespace lowbit

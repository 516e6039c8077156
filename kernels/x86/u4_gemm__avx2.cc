// 4-bit product on AVX2, the paper's kernel: nibble-packed activations, vpmaddubsw against centred
// weights + vpaddw into 16-bit sums (x86/maddubs.h), 4 rows x 2 strips.
#include "common/define_path.h"
#include "x86/driver.h"
#include "x86/maddubs.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_gemm_4x16c8__avx2, Isa::kAvx2, X86Gemm<Avx2, Maddubs<Scheme::kUint4>, 4, 2>);
}  // namespace lowbit

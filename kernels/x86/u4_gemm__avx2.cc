// 4-bit product on AVX2, the paper's kernel: vpmaddubsw of the activation codes against centred
// weights + vpaddw into 16-bit sums (x86/maddubs.h), 4 rows x 2 strips. X is packed one code per
// byte, not in nibbles: on AVX2 the and/shift unpacking took vector ALU slots from vpmaddubsw, while
// the byte-packed block still fits L1 (docs/packing-x86.md).
#include "common/define_path.h"
#include "x86/driver.h"
#include "x86/maddubs.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_gemm_4x16c4__avx2, Isa::kAvx2, X86Gemm<Avx2, Maddubs<Scheme::kUint4, 8>, 4, 2>);
}  // namespace lowbit

// 8-bit product on AVX2: the "must widen" kernel, x zero-extended to 16 bits and vpmaddwd against
// centred int16 weights into 32-bit sums (x86/maddwd.h).
#include "common/define_path.h"
#include "x86/driver.h"
#include "x86/maddwd.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u8_gemm_4x8c4__avx2, Isa::kAvx2, X86Gemm<Avx2, MaddwdU8, 4, 1>);
}  // namespace lowbit

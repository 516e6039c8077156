// 8-bit product on AVX-512BW: the widening kernel of u8_gemm__avx2.cc at 512 bits, 2 strips.
#include "common/define_path.h"
#include "x86/avx512.h"
#include "x86/driver.h"
#include "x86/maddwd.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u8_gemm_4x32c4__avx512bw, Isa::kAvx512bw, X86Gemm<Avx512, MaddwdU8, 4, 2>);
}  // namespace lowbit

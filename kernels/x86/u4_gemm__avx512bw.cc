// 4-bit product on AVX-512BW: the vpmaddubsw kernel of u4_gemm__avx2.cc at 512 bits, 4 strips.
#include "common/define_path.h"
#include "x86/avx512.h"
#include "x86/driver.h"
#include "x86/maddubs.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_gemm_4x64c8__avx512bw, Isa::kAvx512bw, X86Gemm<Avx512, Maddubs<Scheme::kUint4>, 4, 4>);
}  // namespace lowbit

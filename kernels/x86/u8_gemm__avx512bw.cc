// 8-bit product on AVX-512BW: the widening path of u8_gemm__avx2.cc at 512 bits.
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u8_gemm_4x32c4__avx512bw =
    make_path<X86Gemm<Avx512, MaddwdU8, 4, 2>>("u8_gemm_4x32c4__avx512bw", Isa::kAvx512bw);
}  // namespace lowbit

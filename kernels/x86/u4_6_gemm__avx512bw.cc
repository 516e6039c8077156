// 4.6-bit product on AVX-512BW: the AVX2 kernel at 512 bits.
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u4_6_gemm_4x64c4__avx512bw =
    make_path<X86Gemm<Avx512, MaddubsU46, 4, 4>>("u4_6_gemm_4x64c4__avx512bw", Isa::kAvx512bw);
}  // namespace lowbit

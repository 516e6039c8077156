// 4-bit product on AVX-512BW: nibble-packed operands, vpmaddubsw + vpaddw into 16-bit sums.
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u4_gemm_4x64c8__avx512bw =
    make_path<X86Gemm<Avx512, MaddubsU4, 4, 4>>("u4_gemm_4x64c8__avx512bw", Isa::kAvx512bw);
}  // namespace lowbit

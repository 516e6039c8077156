// 4-bit product on AVX2: nibble-packed operands, vpmaddubsw + vpaddw into 16-bit sums.
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u4_gemm_4x16c8__avx2 =
    make_path<X86Gemm<Avx2, MaddubsU4, 4, 2>>("u4_gemm_4x16c8__avx2", Isa::kAvx2);
}  // namespace lowbit

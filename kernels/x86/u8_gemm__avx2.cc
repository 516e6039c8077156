// 8-bit product on AVX2: the "must widen" path (x zero-extended to 16 bits, vpmaddwd, 32-bit sums).
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u8_gemm_4x8c4__avx2 =
    make_path<X86Gemm<Avx2, MaddwdU8, 4, 1>>("u8_gemm_4x8c4__avx2", Isa::kAvx2);
}  // namespace lowbit

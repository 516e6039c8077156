// 4.6-bit product on AVX2: byte operands (raw activations, centred weights), vpmaddubsw + vpaddw into
// 16-bit sums flushed every 64 units.
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u4_6_gemm_4x16c4__avx2 =
    make_path<X86Gemm<Avx2, MaddubsU46, 4, 2>>("u4_6_gemm_4x16c4__avx2", Isa::kAvx2);
}  // namespace lowbit

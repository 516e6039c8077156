// 4.6-bit product on AVX-512-VNNI: vpdpbusd of raw activations by centred weights straight into
// 32-bit lanes (no flush, no column sums).
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u4_6_gemm_8x32c4__avx512vnni =
    make_path<X86Gemm<Avx512, DotU46, 8, 2>>("u4_6_gemm_8x32c4__avx512vnni", Isa::kAvx512vnni);
}  // namespace lowbit

// 4-bit product on AVX-512-VNNI: nibble-packed operands expanded with and/shift, then vpdpbusd
// against the centred weights (w - z_w fits a signed byte).
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u4_gemm_8x32c8__avx512vnni =
    make_path<X86Gemm<Avx512, DotU4, 8, 2>>("u4_gemm_8x32c8__avx512vnni", Isa::kAvx512vnni);
}  // namespace lowbit

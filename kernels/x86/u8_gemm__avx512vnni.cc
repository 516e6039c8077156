// 8-bit product on AVX-512-VNNI: vpdpbusd with x unsigned and w ^ 0x80 signed (zero point - 128).
#include "x86/gemm_x86.h"

namespace lowbit {
extern const GemmPath u8_gemm_8x32c4__avx512vnni =
    make_path<X86Gemm<Avx512, DotU8, 8, 2>>("u8_gemm_8x32c4__avx512vnni", Isa::kAvx512vnni);
}  // namespace lowbit

// 4-bit product on AVX-512-VNNI: X one code per byte, vpdpbusd against the centred weights straight
// into 32-bit sums, no flush (x86/dpbusd.h): the 8-bit VNNI loop without its column sums, and no
// nibble unpacking. docs/packing-x86.md says why vpdpbusd beats vpmaddubsw here, and why bytes.
#include "common/define_path.h"
#include "x86/avx512.h"
#include "x86/dpbusd.h"
#include "x86/driver.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_gemm_8x32c4__avx512vnni, Isa::kAvx512vnni,
                   X86Gemm<Avx512, Dpbusd<Scheme::kUint4>, 8, 2>);
}  // namespace lowbit

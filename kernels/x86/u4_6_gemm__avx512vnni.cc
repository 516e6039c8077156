// 4.6-bit product on AVX-512-VNNI: vpdpbusd of raw activations by centred weights straight into
// 32-bit sums (x86/dpbusd.h): the 8-bit VNNI loop without its column sums.
#include "common/define_path.h"
#include "x86/avx512.h"
#include "x86/dpbusd.h"
#include "x86/driver.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_6_gemm_8x32c4__avx512vnni, Isa::kAvx512vnni,
                   X86Gemm<Avx512, Dpbusd<Scheme::kUint4_6>, 8, 2>);
}  // namespace lowbit

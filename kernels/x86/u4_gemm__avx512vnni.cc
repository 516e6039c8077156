// 4-bit product on AVX-512-VNNI: nibbles unpacked with and/shift, then vpdpbusd against the centred
// weights straight into 32-bit sums, no flush (x86/dpbusd.h). docs/packing-x86.md says why this
// beats the vpmaddubsw kernel here.
#include "common/define_path.h"
#include "x86/avx512.h"
#include "x86/dpbusd.h"
#include "x86/driver.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u4_gemm_8x32c8__avx512vnni, Isa::kAvx512vnni,
                   X86Gemm<Avx512, Dpbusd<Scheme::kUint4>, 8, 2>);
}  // namespace lowbit

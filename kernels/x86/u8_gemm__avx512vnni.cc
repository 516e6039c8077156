// 8-bit product on AVX-512-VNNI: vpdpbusd of x by w ^ 0x80 into 32-bit sums, 8 rows x 2 strips
// (x86/dpbusd.h); the zero points then need the column sums of X too (x86/unpack.h).
#include "common/define_path.h"
#include "x86/avx512.h"
#include "x86/dpbusd.h"
#include "x86/driver.h"

namespace lowbit {
LOWBIT_DEFINE_PATH(u8_gemm_8x32c4__avx512vnni, Isa::kAvx512vnni,
                   X86Gemm<Avx512, Dpbusd<Scheme::kUint8>, 8, 2>);
}  // namespace lowbit

// 8-bit GEMM for AArch64 with the dot-product extension: UDOT by element, 16 products per instruction
// straight into 32-bit lanes (no widening, no 16-bit stage).
//
// Tile: 8 rows x kNR columns, lanes across columns. Per block of 4 steps: 2 vectors of weights (rows
// 0-3 and 4-7, each row's 4 steps in one 32-bit element) and kNR/4 vectors of X (4 columns x 4
// steps); UDOT acc[m][g], x[g], w[m / 4].4b[m % 4]. Big kernel 8x12: 24 accumulators + 3 X + 2 W
// registers; small 8x4 for the last columns. Sums wrap modulo 2^32 like the reference.
#include "arm/dot_bytes.h"
#include "arm/driver.h"

namespace lowbit {

// The kernel: DotBytesKernel over unsigned bytes (dot_bytes.h), shared with the 4.6-bit neondot path.
LOWBIT_DEFINE_PATH(u8_gemm_8x12c4__neondot, Isa::kNeonDot,
                   ArmPath<Scheme::kUint8, DotBytesKernel<UnsignedDot, 12>, DotBytesKernel<UnsignedDot, 4>>);

}  // namespace lowbit

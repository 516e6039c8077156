// 4.6-bit GEMM for AArch64 with the dot-product extension: centred signed bytes (lowbit/levels.h),
// SDOT by element, 16 products per instruction straight into 32-bit lanes.
//
// Both operands are packed centred as in the other 4.6-bit paths (w - z_w and x - c_x, signed bytes
// in [-127, 127]) but in the Dot format of the 8-bit path: per block of 4 steps, each line's 4 steps
// side by side in one 32-bit lane. SDOT acc[m][g], x[g], w[m / 4].4b[m % 4] adds 4 products to every
// lane of a 4-column accumulator. 32-bit lanes take at most 4 * 127 * 127 per SDOT, so there are no
// 16-bit accumulators, no flush, no depth limit (sums wrap modulo 2^32 like the reference), and
// unlike the 8-bit path no column sums: R = acc + row_terms[m] (unpack.h).
//
// Tile: 8 rows x kNR columns, lanes across columns. Big kernel 8x12: 24 accumulators + 3 X + 2 W
// registers; small 8x4 for the last columns. Layouts: docs/packing-arm.md.
#include "arm/dot_bytes.h"
#include "arm/driver.h"

namespace lowbit {

// The kernel: DotBytesKernel over signed bytes (dot_bytes.h), shared with the 8-bit neondot path.
LOWBIT_DEFINE_PATH(u4_6_gemm_8x12c4__neondot, Isa::kNeonDot,
                   ArmPath<Scheme::kUint4_6, DotBytesKernel<SignedDot, 12>, DotBytesKernel<SignedDot, 4>>);

}  // namespace lowbit

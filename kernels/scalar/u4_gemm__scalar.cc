// 4-bit product in portable C++: two depth steps per byte, the paper's products of unsigned codes
// summed in unsigned 16-bit lanes and flushed into 32-bit totals (scalar/driver.h).
#include <cstdint>

#include "common/define_path.h"
#include "common/flush_bounds.h"
#include "common/tile.h"
#include "scalar/accumulate.h"
#include "scalar/driver.h"

namespace lowbit {
namespace {

struct U4Scalar : ScalarKernel<Scheme::kUint4, 4, false> {
  // Each byte adds two products to a lane: 291 / 2 = 145 bytes (290 depth steps) per flush.
  static constexpr int kFlushBytes = kU4ProductsPerU16Lane / 2;

  static void micro_kernel(const uint8_t* w_panel, const uint8_t* x_panel, int depth,
                           uint32_t acc[kMR][kNR]) {
    const int bytes = ceil_div(depth, 2);
    sum16_flush32<uint16_t, kMR, kNR>(bytes, kFlushBytes, acc, [&](int s0, int s1, uint16_t acc16[kMR][kNR]) {
      for (int s = s0; s < s1; ++s)
        for (int m = 0; m < kMR; ++m) {
          const uint8_t wb = w_panel[s * kMR + m];
          for (int n = 0; n < kNR; ++n) {
            const uint8_t xb = x_panel[s * kNR + n];
            acc16[m][n] += (wb & 15) * (xb & 15) + (wb >> 4) * (xb >> 4);
          }
        }
    });
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u4_gemm_4x8c2__scalar, Isa::kScalar, ScalarGemm<U4Scalar>);
}  // namespace lowbit

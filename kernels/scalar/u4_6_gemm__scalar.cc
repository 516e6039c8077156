// 4.6-bit product in portable C++ (lowbit/levels.h): weights and activations centred to signed
// bytes, whose product is itself a signed byte (|p| <= 127, the level pair's constraint), summed in
// signed 16-bit lanes and flushed into 32-bit totals: no depth limit, and no column sums
// (scalar/driver.h).
#include <cstdint>

#include "common/define_path.h"
#include "common/flush_bounds.h"
#include "scalar/accumulate.h"
#include "scalar/driver.h"

namespace lowbit {
namespace {

struct U4_6Scalar : ScalarKernel<Scheme::kUint4_6, 8, true> {
  static constexpr int kFlushDepth = kU4_6ProductsPerS16Lane;  // one product per lane per step

  static void micro_kernel(const uint8_t* w_panel, const uint8_t* x_panel, int depth,
                           uint32_t acc[kMR][kNR]) {
    const int8_t* w = reinterpret_cast<const int8_t*>(w_panel);
    const int8_t* x = reinterpret_cast<const int8_t*>(x_panel);
    sum16_flush32<int16_t, kMR, kNR>(depth, kFlushDepth, acc, [&](int k0, int k1, int16_t acc16[kMR][kNR]) {
      for (int k = k0; k < k1; ++k)
        for (int m = 0; m < kMR; ++m)
          for (int n = 0; n < kNR; ++n) {
            const int8_t product = static_cast<int8_t>(w[k * kMR + m] * x[k * kNR + n]);
            acc16[m][n] = static_cast<int16_t>(acc16[m][n] + product);
          }
    });
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u4_6_gemm_4x8c1__scalar, Isa::kScalar, ScalarGemm<U4_6Scalar>);
}  // namespace lowbit

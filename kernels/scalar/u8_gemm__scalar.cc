// 8-bit product in portable C++: raw codes, products summed in 32 bits (scalar/driver.h).
#include <cstdint>

#include "common/define_path.h"
#include "scalar/driver.h"

namespace lowbit {
namespace {

struct U8Scalar : ScalarKernel<Scheme::kUint8, 8, false> {
  static void micro_kernel(const uint8_t* w_panel, const uint8_t* x_panel, int depth,
                           uint32_t acc[kMR][kNR]) {
    for (int m = 0; m < kMR; ++m)
      for (int n = 0; n < kNR; ++n) acc[m][n] = 0;
    for (int k = 0; k < depth; ++k)
      for (int m = 0; m < kMR; ++m)
        for (int n = 0; n < kNR; ++n) acc[m][n] += w_panel[k * kMR + m] * x_panel[k * kNR + n];
  }
};

}  // namespace

LOWBIT_DEFINE_PATH(u8_gemm_4x8c1__scalar, Isa::kScalar, ScalarGemm<U8Scalar>);
}  // namespace lowbit

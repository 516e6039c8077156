// The conv rows of QNN-FXP's rounding shift (fxp_shift.h): the portable loop and, on x86-64, the same
// loop compiled for AVX2 (the template is inlined into each, so each is vectorized for its target).
#include "fxp_shift.h"

#include "lowbit/gemm.h"

namespace qnn {
namespace detail {
namespace {

void fxp_conv_row_portable(const int32_t* acc, int n, int32_t bias, int in_shift, int out_shift, int32_t hi,
                           uint8_t* codes) {
  shift_row<int32_t, true>(acc, n, bias, in_shift, out_shift, 0, hi, codes);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void fxp_conv_row_avx2(const int32_t* acc, int n, int32_t bias, int in_shift,
                                                       int out_shift, int32_t hi, uint8_t* codes) {
  shift_row<int32_t, true>(acc, n, bias, in_shift, out_shift, 0, hi, codes);
}
#endif

}  // namespace

FxpConvRow select_fxp_conv_row() {
#if defined(__x86_64__)
  if (lowbit::cpu_supports(lowbit::Isa::kAvx2)) return fxp_conv_row_avx2;
#endif
  return fxp_conv_row_portable;
}

}  // namespace detail
}  // namespace qnn

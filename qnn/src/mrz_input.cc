// The input of the MRZ network: the contrast stretch to [0, 1] (inverted), in float32 or as F->Q codes.
#include <algorithm>
#include <cstring>

#include "internal.h"
#include "qnn/network.h"

namespace qnn {
namespace detail {
namespace {

// The contrast stretch of the input (every variant): hi / lo = largest / smallest pixel, r = hi - lo;
// the network reads d / r with d = hi - pixel (inverted: ink 1, paper 0).
void pixel_range(const uint8_t* image, int* hi, int* range) {
  uint8_t mn = 255, mx = 0;
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) {
    mn = std::min(mn, image[i]);
    mx = std::max(mx, image[i]);
  }
  *hi = mx;
  *range = mx >= mn ? mx - mn : 0;
}

}  // namespace

void stretch_input(const uint8_t* image, float* out) {
  int hi, range;
  pixel_range(image, &hi, &range);
  const float r = static_cast<float>(std::max(range, 1));
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) out[i] = static_cast<float>(hi - image[i]) / r;
}

// F->Q codes of d = hi - pixel = 0..r: round(d / r * qmax) exactly, half up, = (2 d qmax + r) div (2 r),
// by an increment loop (r + qmax steps, no division).
void input_code_table(int range, int qmax, uint8_t* table) {
  if (range == 0) {
    table[0] = 0;
    return;
  }
  int32_t num = range, next = 2 * range, code = 0;
  for (int d = 0; d <= range; ++d) {
    while (num >= next) {
      ++code;
      next += 2 * range;
    }
    table[d] = static_cast<uint8_t>(code);
    num += 2 * qmax;
  }
}

// The same codes for a whole image, in float32 so that it vectorizes: n = 2 d qmax + r and 2 r are
// integers below 2^24 (exact in float32), and when n / 2r is not an integer it is at least 1 / 2r
// away from one, far more than float32's rounding of the quotient, so truncating the correctly
// rounded float quotient gives n div 2r exactly (tests: InputCodesAreTheExactRounding).
void quantize_input(const uint8_t* image, int qmax, uint8_t* out) {
  uint8_t mn = 255, mx = 0;
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) {
    mn = std::min(mn, image[i]);
    mx = std::max(mx, image[i]);
  }
  const int r = mx - mn;
  if (r == 0) {
    std::memset(out, 0, kInputHeight * kInputWidth);
    return;
  }
  const int hi = mx;
  const float two_r = static_cast<float>(2 * r);
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) {
    const int n = 2 * qmax * (hi - image[i]) + r;
    out[i] = static_cast<uint8_t>(static_cast<int32_t>(static_cast<float>(n) / two_r));
  }
}

}  // namespace detail
}  // namespace qnn

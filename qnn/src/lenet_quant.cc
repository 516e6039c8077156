// The arithmetic follows lowbit/distortion/quant.py step by step: the product s* = s_x s_w and the
// quotients b / s* and s* / s_x' in float64, each rounded once (to float32, or half away from zero
// to an integer by llround, as the reference's lround); lowbit::quantize rounds the weights.
#include "lenet_quant.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "lowbit/quantize.h"

namespace qnn {
namespace detail {

float activation_scale(float hi, int bits) { return lowbit::choose_quant_params(0.0f, hi, bits).scale; }

LeNetQuantLayer quantize_layer(const lowbit::GemmPath& path, const std::vector<float>& weight,
                               const std::vector<float>& bias, int rows, int depth, int bits, float w_lo,
                               float w_hi, float in_scale, float next_scale, const std::string& name) {
  const lowbit::QuantParams w = lowbit::choose_quant_params(w_lo, w_hi, bits);
  std::vector<uint8_t> codes(weight.size());
  lowbit::quantize(weight.data(), weight.size(), w, codes.data());
  LeNetQuantLayer L;
  L.weights = PackedCodes(path, codes.data(), rows, depth, w.zero_point, 0);
  const double s_star = static_cast<double>(in_scale) * static_cast<double>(w.scale);
  L.out_scale = static_cast<float>(s_star);
  L.multiplier = next_scale > 0 ? static_cast<float>(s_star / static_cast<double>(next_scale)) : 0.0f;
  for (float b : bias) {
    const long long q = std::llround(static_cast<double>(b) / s_star);  // 64-bit: long is 32 on ARMv7
    if (std::llabs(q) >= (1LL << 30)) throw std::runtime_error(name + ": bias out of the int32 range");
    L.bias.push_back(static_cast<int32_t>(q));
  }
  return L;
}

}  // namespace detail
}  // namespace qnn

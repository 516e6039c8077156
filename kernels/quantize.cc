#include "lowbit/quantize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lowbit {

QuantParams choose_quant_params(float lo, float hi, int bits) {
  if (bits < 1 || bits > 8) throw std::invalid_argument("quantization bits must be in 1..8");
  return choose_level_params(lo, hi, 1 << bits);
}

QuantParams choose_level_params(float lo, float hi, int levels) {
  if (levels < 2 || levels > 256) throw std::invalid_argument("quantization levels must be in 2..256");
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
    throw std::invalid_argument("quantization range must be finite with lo <= hi");
  const float steps = static_cast<float>(levels - 1);
  const float z = std::min(lo, 0.0f);
  const float top = std::max(hi, 0.0f);
  QuantParams p;
  p.levels = levels;
  p.offset = z;
  p.scale = top > z ? (top - z) / steps : 1.0f;
  p.zero_point = static_cast<int32_t>(std::lround(-z / p.scale));
  p.zero_point = std::clamp<int32_t>(p.zero_point, 0, levels - 1);
  return p;
}

QuantParams choose_symmetric_params(float max_abs, int levels) {
  if (levels < 3 || levels > 255 || levels % 2 == 0)
    throw std::invalid_argument("symmetric quantization needs an odd number of levels in 3..255");
  if (!std::isfinite(max_abs) || max_abs < 0.0f)
    throw std::invalid_argument("symmetric quantization needs a finite max_abs >= 0");
  QuantParams p;
  p.levels = levels;
  p.zero_point = (levels - 1) / 2;
  p.scale = max_abs > 0.0f ? 2.0f * max_abs / static_cast<float>(levels) : 1.0f;
  p.offset = -p.scale * static_cast<float>(p.zero_point);
  return p;
}

QuantParams choose_quant_params(const float* values, std::size_t n, int bits) {
  if (n == 0) return choose_quant_params(0.0f, 0.0f, bits);
  const auto [lo, hi] = std::minmax_element(values, values + n);
  return choose_quant_params(*lo, *hi, bits);
}

uint8_t quantize(float value, const QuantParams& p) {
  // Clamp before rounding: a tiny scale can make the quotient overflow any integer type.
  const double code = (static_cast<double>(value) - p.offset) / p.scale;
  const double max = p.levels - 1;
  if (!(code > 0.0)) return 0;  // also NaN
  if (code >= max) return static_cast<uint8_t>(max);
  return static_cast<uint8_t>(std::lround(code));
}

void quantize(const float* values, std::size_t n, const QuantParams& p, uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i) out[i] = quantize(values[i], p);
}

float dequantize(uint8_t q, const QuantParams& p) {
  return p.scale * static_cast<float>(static_cast<int32_t>(q) - p.zero_point);
}

}  // namespace lowbit

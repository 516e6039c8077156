// Per-tensor affine quantization of the paper (section "Linear quantization"):
//   s = (max(max_i w_i, 0) - min(min_i w_i, 0)) / (2^p - 1)
//   z = min(min_i w_i, 0),  q_i = round((w_i - z) / s) clamped to [0, 2^p - 1]
//   w_i ~ s (q_i - z_q) with the integer zero point z_q = round(-z / s).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lowbit {

struct QuantParams {
  float scale;         // s > 0
  float offset;        // z = min(min_i w_i, 0) <= 0: the real value of code 0
  int32_t zero_point;  // z_q = round(-z / s) in [0, 2^bits - 1]: the code of the real value 0
  int bits;            // p, 1..8
};

// Parameters covering [min(lo, 0), max(hi, 0)]. A range of zero width gets scale 1 so that
// quantize() stays finite. Requires 1 <= bits <= 8 and finite lo <= hi.
QuantParams choose_quant_params(float lo, float hi, int bits);

// The same, from the range of `n` values.
QuantParams choose_quant_params(const float* values, std::size_t n, int bits);

// q = clamp(round((v - z) / s), 0, 2^bits - 1), rounding half away from zero (the paper's map).
uint8_t quantize(float value, const QuantParams& p);
void quantize(const float* values, std::size_t n, const QuantParams& p, uint8_t* out);

// s (q - z_q)
float dequantize(uint8_t q, const QuantParams& p);

}  // namespace lowbit

// Per-tensor affine quantization of the paper (section "Linear quantization"):
//   s = (max(max_i w_i, 0) - min(min_i w_i, 0)) / (2^p - 1)
//   z = min(min_i w_i, 0),  q_i = round((w_i - z) / s) clamped to [0, 2^p - 1]
//   w_i ~ s (q_i - z_q) with the integer zero point z_q = round(-z / s).
// The 4.6-bit scheme (lowbit/levels.h) uses the same map with L levels instead of 2^p (activations),
// and symmetric weights: s = 2 max_i |w_i| / L, z_q = (L - 1) / 2.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lowbit {

struct QuantParams {
  float scale;         // s > 0
  float offset;        // z = min(min_i w_i, 0) <= 0: the real value of code 0
  int32_t zero_point;  // z_q = round(-z / s) in [0, levels - 1]: the code of the real value 0
  int levels;          // codes are 0..levels-1: 2^p for p-bit quantization
};

// Parameters covering [min(lo, 0), max(hi, 0)]. A range of zero width gets scale 1 so that
// quantize() stays finite. Requires 1 <= bits <= 8 and finite lo <= hi.
QuantParams choose_quant_params(float lo, float hi, int bits);

// The same, from the range of `n` values.
QuantParams choose_quant_params(const float* values, std::size_t n, int bits);

// Asymmetric parameters with `levels` codes (2..256) instead of 2^bits: the paper's map.
QuantParams choose_level_params(float lo, float hi, int levels);

// Symmetric parameters with an odd number of levels (3..255): s = 2 max_abs / levels, zero point
// (levels - 1) / 2, so that codes run from -(levels-1)/2 to (levels-1)/2 around it. max_abs = 0
// gets scale 1.
QuantParams choose_symmetric_params(float max_abs, int levels);

// q = clamp(round((v - z) / s), 0, levels - 1), rounding half away from zero (the paper's map).
uint8_t quantize(float value, const QuantParams& p);
void quantize(const float* values, std::size_t n, const QuantParams& p, uint8_t* out);

// s (q - z_q)
float dequantize(uint8_t q, const QuantParams& p);

}  // namespace lowbit

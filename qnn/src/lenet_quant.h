// One integer layer of LeNet-5, derived from its float weights and stored ranges exactly as
// lowbit.distortion.quant.QuantLayer does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lowbit/gemm.h"
#include "packed_codes.h"

namespace qnn {
namespace detail {

struct LeNetQuantLayer {
  PackedCodes weights;        // codes of lowbit::quantize over choose_quant_params(w_lo, w_hi, bits)
  std::vector<int32_t> bias;  // lround(b / s*) with s* = s_x s_w in float64
  float out_scale = 0;        // float32(s*)
  float multiplier = 0;       // M = float32(s* / s_x(next)); 0 for the last quantized layer
};

// `in_scale` and `next_scale` are the activation scales of this layer's input and of the next
// layer's (0: none, the Q->F layer). Throws std::runtime_error("<name>: ...") for a bias beyond the
// int32 range the integer reference allows (|bias| < 2^30).
LeNetQuantLayer quantize_layer(const lowbit::GemmPath& path, const std::vector<float>& weight,
                               const std::vector<float>& bias, int rows, int depth, int bits, float w_lo,
                               float w_hi, float in_scale, float next_scale, const std::string& name);

// The activation scale of the range [0, hi] in `bits` (choose_quant_params(0, hi, bits).scale).
float activation_scale(float hi, int bits);

}  // namespace detail
}  // namespace qnn

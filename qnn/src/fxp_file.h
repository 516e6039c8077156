// The parsed .qnnf file of QNN-FXP (docs/qnn.md, "QNN-FXP"): the MRZ network with a fixed-point
// format (BW, F) per tensor, its integer codes and the lowbit GEMM scheme of each layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lowbit/gemm.h"
#include "qnn/fxp.h"

namespace qnn {
namespace detail {

// The largest code of a BW-bit signed fixed-point format: 2^(BW-1) - 1 (0 for BW = 1).
constexpr int64_t code_limit(int bw) { return bw >= 1 ? (int64_t{1} << (bw - 1)) - 1 : 0; }

struct FxpLayerData {
  uint32_t kind;  // 0 = conv + ReLU, 1 = fully connected
  uint32_t in_channels, out_channels, kernel, stride, pad;
  FxpFormat weights, biases, output, input;  // input: the format of the codes the GEMM reads
  lowbit::Scheme scheme;
  int32_t w_zero_point, w_levels, x_levels;
  int32_t acc_exponent;  // S = max(F_w + F_x, F_b)
  int32_t out_shift;     // S - F_a
  std::vector<uint8_t> weight_codes;  // c_w + w_zero_point, out x depth (im2col row order)
  std::vector<int32_t> bias_codes;    // c_b at 2^-F_b
};

struct FxpFile {
  FxpFormat input;  // the image's codes
  std::vector<FxpLayerData> layers;  // conv1..conv6, fc
};

// Parses and validates (the derived fields are recomputed from the formats and must match);
// throws std::runtime_error("<name>: ...").
FxpFile parse_fxp(const uint8_t* data, size_t size, const std::string& name);

}  // namespace detail
}  // namespace qnn

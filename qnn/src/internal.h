// Internals of the qnn library: the parsed weights file, the MRZ input, the requantization and the
// Eigen GEMM wrappers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {
namespace detail {

struct LayerDesc {
  uint32_t kind;  // 0 = conv + ReLU, 1 = fully connected
  uint32_t in_channels, out_channels, kernel_h, kernel_w, stride, pad;
};

// The MRZ network this library runs (.qnnw and .qnnf files) (kind, in, out, kh, kw, stride, pad).
constexpr uint32_t kMrzArch[7][7] = {
    {0, 1, 8, 5, 5, 1, 0},   {0, 8, 8, 3, 3, 1, 0},   {0, 8, 8, 3, 3, 2, 0},   {0, 8, 16, 3, 3, 1, 0},
    {0, 16, 16, 3, 3, 2, 0}, {0, 16, 24, 3, 3, 1, 0}, {1, 96, 36, 1, 1, 1, 0},
};

struct QuantLayerData {
  float act_lo, act_hi, in_scale;
  int32_t in_zero_point;
  float w_scale, w_offset;
  int32_t w_zero_point;
  float out_scale;             // s* = s_x s_w
  float requant_scale;         // M = s* / s_x(next) (0 for the last quantized layer)
  std::vector<float> weights;  // the float weights this variant was quantized from
  std::vector<uint8_t> codes;  // out x (in*kh*kw), values < 2^bits (< N_w for a level variant)
  std::vector<int32_t> bias;   // round(b / s*)
};

// The `bits` field of a level (4.6-bit) variant in a version-2 file; N_x and N_w follow it.
constexpr uint32_t kLevelVariantBits = 0;

struct VariantData {
  int bits = 0;           // 8, 4, or 0 (kLevelVariantBits) for the 4.6-bit variant
  int act_levels = 0;     // N_x (2^bits for a bit variant)
  int weight_levels = 0;  // N_w (2^bits for a bit variant)
  bool is_levels() const { return bits == static_cast<int>(kLevelVariantBits); }
  std::vector<QuantLayerData> layers;  // one per conv layer
  std::vector<float> fc_weights, fc_bias;
};

struct WeightsFile {
  uint32_t version = 0;
  uint32_t input_height = 0, input_width = 0, input_channels = 0, num_classes = 0;
  std::string classes;
  std::vector<LayerDesc> layers;
  std::vector<std::vector<float>> weights, biases;  // float model, per layer
  std::vector<VariantData> variants;
};

// The whole file; throws std::runtime_error("<path>: cannot open <what>") (file_bytes.cc).
std::vector<uint8_t> read_bytes(const std::string& path, const std::string& what);

// Parses and validates; throws std::runtime_error("<name>: ...").
WeightsFile parse_weights(const uint8_t* data, size_t size, const std::string& name);

// zlib's CRC-32 of the payloads of .qnnw and .lenet files.
uint32_t crc32(const uint8_t* data, size_t size);

// The float32 input of the MRZ network: the contrast stretch x = (max - pixel) / (max - min) of a
// 32x32 image (mrz_input.cc).
void stretch_input(const uint8_t* image, float* out);
// Layer 1's F->Q codes of d = max - pixel for d = 0..range: (2 d qmax + range) div (2 range).
void input_code_table(int range, int qmax, uint8_t* table);
// Layer 1's F->Q codes of a whole 32x32 image (the same values, computed in vectorizable float32).
void quantize_input(const uint8_t* image, int qmax, uint8_t* out);

// Q->Q of one output channel's n sums: codes[j] = int(min(float32(max(acc[j] + bias, 0)) * m + 0.5,
// qmax)) (round half up, saturated; requantize.cc). The fastest version this CPU runs; all agree.
using RequantizeRow = void (*)(const int32_t* acc, int n, int32_t bias, float m, float qmax, uint8_t* codes);
RequantizeRow select_requantize_row();

// R (m x n) = A (m x k) B (k x n), all row-major and contiguous.
void eigen_gemm_f32(const float* a, const float* b, float* r, int m, int k, int n);
void eigen_gemm_s32(const int32_t* a, const int32_t* b, int32_t* r, int m, int k, int n);

}  // namespace detail
}  // namespace qnn

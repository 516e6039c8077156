// The parsed .lenet weights file (docs/distortion.md, "Files for the C++ engine").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace qnn {
namespace detail {

constexpr int kLeNetLayers = 5;
constexpr int kLeNetQuantized = 4;  // conv1, conv2, dense1, dense2

struct LeNetLayerDesc {
  uint32_t kind;  // 0 conv + ReLU + 2x2 max pool, 1 dense + ReLU, 2 dense
  uint32_t in, out, kernel;
};

// One quantized variant's stored ranges, per quantized layer.
struct LeNetRanges {
  int bits = 0;                                // 8 or 4
  std::array<float, kLeNetQuantized> act_hi{};  // the input range [0, act_hi] (conv1's is 1)
  std::array<float, kLeNetQuantized> w_lo{}, w_hi{};
};

struct LeNetFile {
  std::vector<LeNetLayerDesc> layers;
  std::vector<std::vector<float>> weights, biases;  // PyTorch order (OIHW / (out, in))
  std::vector<LeNetRanges> variants;
};

// Parses and validates; throws std::runtime_error("<name>: ...").
LeNetFile parse_lenet(const uint8_t* data, size_t size, const std::string& name);

}  // namespace detail
}  // namespace qnn

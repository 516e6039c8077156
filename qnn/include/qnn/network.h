// The MRZ character network of the QNN test of "Fast Implementation of 4-bit CNNs for Mobile Devices"
// (Trusov et al., ICPR 2020), in five variants (docs/qnn.md):
//
//   kFloat  "CNN":    float32 throughout; convolutions as im2col + Eigen float GEMM.
//   kQ8     "QNN-8":  8-bit quantized convolutions, lowbit::gemm path for 8 bits.
//   kQ4     "QNN-4":  4-bit quantized convolutions, lowbit::gemm path for 4 bits.
//   kQ32    "QNN-32": the QNN-8 integer pipeline with the products done by an Eigen int32 GEMM on
//                     centred integers (q - z); same outputs as kQ8, bit for bit.
//   kQ46    "QNN-4.6": the 4.6-bit scheme of Trusov et al. 2024: activations with N_x levels,
//                     symmetric weights with N_w levels (the pair is stored in the weights file,
//                     ((N_x-1)/2)((N_w-1)/2) <= 127), lowbit::Scheme::kUint4_6 GEMM path.
//   kFxp    "QNN-FXP": the per-layer fixed-point formats of Goyal et al. 2021, integer throughout,
//                     each layer on its own lowbit scheme; from a separate .qnnf file, run by a
//                     qnn::FxpNetwork (qnn/fxp.h) that attach_fxp() hands to the Network.
//
// Input: one 32x32 grayscale image, uint8, row-major, dark ink on light paper. Every variant first
// stretches its contrast to [0, 1] and inverts it: x = (max - pixel) / (max - min).
// Layers (no padding): conv 8 5x5 s1, conv 8 3x3 s1, conv 8 3x3 s2, conv 16 3x3 s1, conv 16 3x3 s2,
// conv 24 3x3 s1 (each ReLU), fully connected 36 (+ softmax).
// Quantized variants: layer 1 F->Q (x to p-bit codes, or N_x-level codes for kQ46); layers 1..5 ->
// next Q->Q (int32 sums after bias and ReLU requantized to the next layer's codes by one float32
// scale, round half up);
// layer 6 -> fully connected Q->F (sums times s* to float, then a float32 FC in a fixed order).
// Their logits equal lowbit.qnn.intmodel's bit for bit.
//
// Use from the benchmark (`qbench qnn`):
//   qnn::Network net = qnn::Network::load("models/mrz-v1.qnnw");
//   qnn::Dataset hard = qnn::load_dataset("models/data/mrz-hard.qnnd");
//   int cls = net.classify(hard.image(i), qnn::Variant::kQ4);
//   net.conv_forward(hard.image(i), qnn::Variant::kQ4);      // layers 1..6 only
//   qnn::Timing t; net.forward(img, v, logits, &t);           // accumulates the split of the pass
// A Network is not thread-safe (it owns its buffers and lowbit::Scratch); after the first call of a
// variant, inference allocates nothing. Errors (unreadable, truncated, corrupt, wrong magic or
// version) throw std::runtime_error whose message starts with the file's path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qnn {

enum class Variant { kFloat, kQ8, kQ4, kQ32, kQ46, kFxp };

constexpr int kInputHeight = 32;
constexpr int kInputWidth = 32;
constexpr int kNumClasses = 36;
constexpr const char* kClasses = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// The newest .qnnw version this library reads (it reads every version from kOldestWeightsVersion):
// version 2 adds the 4.6-bit variant; files without it are still written as version 1.
constexpr int kWeightsVersion = 2;
constexpr int kOldestWeightsVersion = 1;

// "float", "q8", "q4", "q32", "q4_6", "fxp" (and the paper's names "CNN", "QNN-8", "QNN-4",
// "QNN-32", "QNN-4.6", "QNN-FXP").
const char* variant_name(Variant v);
const char* variant_paper_name(Variant v);
bool variant_from_name(const std::string& name, Variant* v);  // accepts both spellings
const std::vector<Variant>& all_variants();

// The stages of a forward pass, in the order they run within each layer.
enum class Stage {
  kInput,       // layer 1 only: the contrast stretch, then float32 (CNN) or F->Q codes
  kIm2col,      // stride-2 phase split, then im2col (X = depth x width)
  kGemm,        // the product R = W X (lowbit gemm_packed, which packs X itself, or Eigen)
  kRequantize,  // bias, ReLU, and Q->Q requantization (quantized) / the float store (CNN)
  kFc,          // Q->F of layer 6's sums, the fully connected layer, argmax
};
constexpr int kStages = 5;
constexpr int kTimedLayers = 7;   // the 6 convolutions, then the fully connected layer
const char* stage_name(Stage s);  // "input", "im2col", "gemm", "requantize", "fc"

// Accumulated wall-clock time of forward() calls, split by layer and stage: one
// std::chrono::steady_clock reading at each stage boundary (21 per image), so the parts add up to the
// whole pass and conv <= total by construction.
struct Timing {
  double seconds[kTimedLayers][kStages] = {};  // [layer][stage]; unused pairs stay 0
  long images = 0;
  double stage_seconds(Stage s) const;
  double layer_seconds(int layer) const;
  double conv_seconds() const;   // layers 1..6: input, im2col, GEMM, bias, ReLU, requantization
  double total_seconds() const;  // the whole forward pass, up to the logits
  void clear() { *this = Timing(); }
};

class FxpNetwork;

struct LayerInfo {
  const char* kind;  // "conv" or "fc"
  int in_channels, out_channels, kernel, stride, pad;
  int in_height, in_width, out_height, out_width;
  long macs;  // multiply-accumulates per image
};

class Network {
 public:
  // Reads a .qnnw file (format: docs/qnn.md). Throws std::runtime_error naming `path`.
  static Network load(const std::string& path);
  static Network from_bytes(const std::vector<uint8_t>& bytes, const std::string& name);

  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  // The class index (into kClasses) of one 32x32 image.
  int classify(const uint8_t* image, Variant v);
  // Logits (kNumClasses floats, before softmax) and the class; `timing` (optional) accumulates.
  int forward(const uint8_t* image, Variant v, float* logits, Timing* timing = nullptr);
  // Only the convolution layers 1..6 (what the paper times as "convolution"); kFxp: the whole pass.
  void conv_forward(const uint8_t* image, Variant v);
  // Adds the QNN-FXP variant (kFxp): forward() gives its logit codes times 2^-F as floats (exact).
  void attach_fxp(FxpNetwork fxp);
  // After forward()/conv_forward() of a quantized variant: layer 6's int32 sums after bias and
  // ReLU (24 x 2 x 2, channel-major), for tests (not kFxp: FxpNetwork::last_layer6_sums).
  const std::vector<int32_t>& last_conv_sums(Variant v) const;

  // The GEMM behind a variant: a lowbit path name ("u4_gemm_...") or "eigen_f32" / "eigen_s32".
  std::string gemm_name(Variant v) const;
  // 32 for kFloat and kQ32's products, 8 or 4, 0 for kQ46 (see levels) and kFxp (per layer)
  int bits(Variant v) const;
  // Whether the weights file holds this variant (kFloat always; kQ32 when it holds kQ8; kFxp once
  // attached).
  bool has_variant(Variant v) const;
  // Code counts of a quantized variant: activations N_x and weights N_w (2^bits for kQ8 / kQ4 / kQ32).
  // Throws std::runtime_error when the file has no such variant, std::invalid_argument for kFloat
  // and kFxp (whose levels are per layer: FxpNetwork::layers()).
  int activation_levels(Variant v) const;
  int weight_levels(Variant v) const;
  const std::vector<LayerInfo>& layers() const;
  const std::string& path() const;

 private:
  struct Impl;
  explicit Network(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Softmax of kNumClasses logits (float32, max-subtracted).
void softmax(const float* logits, float* probabilities);

// A test set written by lowbit qnn-data (.qnnd). Throws std::runtime_error naming `path`.
struct Dataset {
  std::string name;
  int count = 0, height = 0, width = 0, num_classes = 0;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> images;  // count x height x width
  const uint8_t* image(int i) const { return images.data() + static_cast<size_t>(i) * height * width; }
};
Dataset load_dataset(const std::string& path);

// Percentage of `data` classified correctly by `v`.
double accuracy(Network& net, const Dataset& data, Variant v);

}  // namespace qnn

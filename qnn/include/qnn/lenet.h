// The deployed LeNet-5 of the distortion study (docs/distortion.md) in three variants of
// qnn::Variant:
//
//   kFloat  float32: convolutions as im2col + Eigen float GEMM, dense layers as Eigen GEMMs, the last
//           one in the fixed order of the quantized variants (as the MRZ network's float variant).
//   kQ8     QNN-8 and
//   kQ4     QNN-4: conv1, conv2, dense1, dense2 on the lowbit GEMM path of 8 / 4 bits, exactly as the
//           MRZ network runs its convolutions; the last dense layer Q->F in float32.
//
// Input: one 32x32 uint8 image, x = pixel / 255 (ink 1, paper 0). Layers: conv 6@5x5 + ReLU + 2x2 max
// pool, conv 16@5x5 + ReLU + 2x2 max pool, dense 400->120 + ReLU, 120->84 + ReLU, 84->10 (logits).
// The quantized variants derive everything (scales, zero points, codes, integer biases, multipliers)
// from the float weights and the stored ranges as lowbit.distortion.quant does, and their logits and
// dense2 sums equal its IntegerLeNet's bit for bit (tests/qnn/lenet_test.cc).
//
//   qnn::LeNet5 net = qnn::LeNet5::load("models/distortion/baseline-seed0.lenet");
//   float logits[qnn::LeNet5::kClasses];
//   int cls = net.forward(image, qnn::Variant::kQ4, logits);
//
// Not thread-safe (it owns its buffers); after the first call of a variant, inference allocates
// nothing. Errors (missing, truncated or corrupt file, CRC-32 mismatch, wrong magic, version or
// architecture) throw std::runtime_error whose message starts with the file's path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "qnn/fixtures.h"
#include "qnn/network.h"

namespace qnn {

// How far the float variant's logits may be from PyTorch's. They differ only in the order of the
// float32 sums (im2col + Eigen vs PyTorch's convolution; the last layer in a fixed order): each sum of
// up to 400 products rounds by a few float32 ulps of its terms (~1e-6 for these logits); measured on
// x86 at most 5e-6 over the committed fixtures (tests/qnn/lenet_test.cc prints it). 1e-4 leaves room
// for another SIMD width's order (NEON, AVX-512) and is far below the logit gaps that decide a class.
constexpr float kLeNetFloatTolerance = 1e-4f;

class LeNet5 {
 public:
  static constexpr int kInputSize = 32;  // height = width
  static constexpr int kClasses = 10;
  static constexpr int kLastSums = 84;  // dense2's outputs, the Q->F step's input
  static constexpr int kFileVersion = 1;

  // Reads a .lenet file (format: docs/distortion.md, "Files for the C++ engine").
  static LeNet5 load(const std::string& path);
  static LeNet5 from_bytes(const std::vector<uint8_t>& bytes, const std::string& name);

  LeNet5(LeNet5&&) noexcept;
  LeNet5& operator=(LeNet5&&) noexcept;
  ~LeNet5();

  // Logits (kClasses floats) of one image; returns the class. Throws std::runtime_error for a variant
  // the file does not hold (kQ32 and kQ46 never).
  int forward(const uint8_t* image, Variant v, float* logits);
  // After forward() of kQ8 / kQ4: dense2's int32 sums after bias and ReLU (kLastSums), for tests.
  const std::vector<int32_t>& last_sums(Variant v) const;

  bool has_variant(Variant v) const;
  // The GEMM behind a variant: "eigen_f32" or the lowbit path's name.
  std::string gemm_name(Variant v) const;
  long macs() const;  // multiply-accumulates per image
  const std::string& path() const;

 private:
  struct Impl;
  explicit LeNet5(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "" when `net` reproduces `fixtures` (a LENETFX1 file of the same model): bit for bit for every
// quantized variant they hold (logits and dense2 sums; the net must hold each), and within
// kLeNetFloatTolerance of PyTorch's logits for kFloat; else what differs first. `max_float_error`
// (optional) receives the largest |float logit - PyTorch's|.
std::string check_fixtures(LeNet5& net, const Fixtures& fixtures, float* max_float_error = nullptr);

}  // namespace qnn

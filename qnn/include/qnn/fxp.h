// QNN-FXP: the MRZ network with the per-layer fixed-point formats of the search of Goyal et al. 2021
// (docs/qnn.md, "QNN-FXP"; python/lowbit/qnn/fxp_int.py is the reference), run on lowbit's GEMM
// paths, each layer on its own scheme (uint4, uint4_6 or uint8, stored in the file).
//
// Everything is integer arithmetic: input codes round_half_even(d 2^F / r) (exactly, in integers);
// per layer the int32 GEMM of the signed weight codes with the input codes, then bias, ReLU and the
// rounding shift to the output format in int64 (half to even, clipped); the class is the first
// maximum of the fc layer's codes. The logit codes equal the Python integer model's exactly.
//
//   qnn::FxpNetwork fxp = qnn::FxpNetwork::load("models/mrz-v1-fxp.qnnf");
//   int32_t codes[qnn::kNumClasses];
//   int cls = fxp.forward(image, codes);          // logit j = codes[j] * fxp.logit_scale()
//   qnn::Network net = qnn::Network::load("models/mrz-v1.qnnw");
//   net.attach_fxp(std::move(fxp));               // now net runs qnn::Variant::kFxp as well
//
// Not thread-safe (it owns its buffers and lowbit::Scratch); after the first call, inference
// allocates nothing (tests/qnn/fxp_test.cc counts operator new).
// Errors (unreadable, truncated, corrupt, wrong magic or version, formats that do not give the stored
// scheme and shifts) throw std::runtime_error whose message starts with the file's path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "qnn/network.h"

namespace qnn {

// A fixed-point format: value = code 2^-f, signed codes clipped to +-(2^(bw-1) - 1).
struct FxpFormat {
  int32_t bw = 0, f = 0;
};

struct FxpLayerInfo {
  const char* kind;  // "conv" or "fc"
  FxpFormat weights, biases, output;
  const char* scheme;  // lowbit::scheme_name: "uint8", "uint4", "uint4_6"
  std::string gemm;    // the lowbit path that runs it here
  int w_levels, x_levels;  // N_w = 2^bw_w - 1; N_x (odd, >= 3) covering the input codes
  long macs;
};

class FxpNetwork {
 public:
  static constexpr int kFileVersion = 1;
  static constexpr int kLayer6Sums = 96;  // conv6's outputs, the fc layer's inputs

  // Reads a .qnnf file (format: docs/qnn.md). Throws std::runtime_error naming `path`.
  static FxpNetwork load(const std::string& path);
  static FxpNetwork from_bytes(const std::vector<uint8_t>& bytes, const std::string& name);

  FxpNetwork(FxpNetwork&&) noexcept;
  FxpNetwork& operator=(FxpNetwork&&) noexcept;
  ~FxpNetwork();

  // The logit codes (kNumClasses) of one 32x32 image; returns the class. `timing` (optional)
  // accumulates the split as Network::forward's (the whole fc layer is the fc stage).
  int forward(const uint8_t* image, int32_t* logit_codes, Timing* timing = nullptr);
  // After forward(): conv6's int32 GEMM sums before the bias ((C, H, W) order) and the fc layer's.
  const std::vector<int32_t>& last_layer6_sums() const;
  const std::vector<int32_t>& last_fc_sums() const;

  double logit_scale() const;  // 2^-F of the fc layer's output format
  FxpFormat input_format() const;
  const std::vector<FxpLayerInfo>& layers() const;
  // The distinct lowbit paths of its layers in layer order, joined by '+'.
  std::string gemm_name() const;
  const std::string& path() const;

 private:
  struct Impl;
  explicit FxpNetwork(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qnn

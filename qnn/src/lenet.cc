// Inference of LeNet-5 in float, QNN-8 and QNN-4 (see qnn/lenet.h and docs/distortion.md).
//
// Exactness: the quantized variants are integer arithmetic up to dense2's sums, apart from the
// requantizations, which are single IEEE float32 operations (requantize.cc); then one float32 product
// per value (Q->F) and the last dense layer in float32 in a fixed order (dense_float.cc). This file is
// compiled with -ffp-contract=off as well, so that nothing here is fused either.
#include "qnn/lenet.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "conv_geometry.h"
#include "dense_float.h"
#include "internal.h"
#include "lenet_file.h"
#include "lenet_quant.h"
#include "max_pool.h"

namespace qnn {

using detail::Geometry;

struct LeNet5::Impl {
  std::string path;
  Geometry conv[2];             // conv1 on 32x32, conv2 on 14x14 (both stride 1)
  int dense_in[3], dense_out[3];  // dense1, dense2, dense3
  long macs = 0;

  // Float variant: conv and dense weights row-major (out x depth), dense3 transposed (in x out).
  std::vector<std::vector<float>> fw, fb;

  struct QVariant {
    const lowbit::GemmPath* path = nullptr;
    int qmax = 0;
    std::vector<detail::LeNetQuantLayer> layers;  // conv1, conv2, dense1, dense2
    std::vector<float> last_wt, last_b;           // dense3, transposed
    bool ready = false;
  };
  QVariant q8, q4;
  detail::RequantizeRow requantize_row = detail::select_requantize_row();
  std::vector<int32_t> sums8, sums4;  // dense2's sums of the last pass

  // Buffers, sized at load.
  std::vector<float> in_f, col_f, out_f, act_f[2];
  std::vector<uint8_t> in_q, col_q, codes, act_q[2];
  std::vector<int32_t> acc;
  lowbit::Scratch scratch;

  void build(const detail::LeNetFile& f);
  QVariant& qvar(Variant v) {
    QVariant* q = v == Variant::kQ8 ? &q8 : v == Variant::kQ4 ? &q4 : nullptr;
    if (q == nullptr || !q->ready)
      throw std::runtime_error(path + ": has no " + variant_paper_name(v) + " variant of LeNet-5");
    return *q;
  }
  const float* features_float(const uint8_t* image);
  const int32_t* sums_quant(const uint8_t* image, QVariant& q, std::vector<int32_t>& sums);
  int forward(const uint8_t* image, Variant v, float* logits);
};

void LeNet5::Impl::build(const detail::LeNetFile& f) {
  int size = kInputSize;
  for (int i = 0; i < 2; ++i) {
    const detail::LeNetLayerDesc& d = f.layers[i];
    conv[i] = detail::conv_geometry(static_cast<int>(d.in), static_cast<int>(d.out), static_cast<int>(d.kernel), 1,
                                    size, size);
    macs += static_cast<long>(conv[i].cout) * conv[i].depth() * conv[i].pixels();
    size = conv[i].oh / 2;
  }
  for (int i = 0; i < 3; ++i) {
    dense_in[i] = static_cast<int>(f.layers[2 + i].in);
    dense_out[i] = static_cast<int>(f.layers[2 + i].out);
    macs += static_cast<long>(dense_in[i]) * dense_out[i];
  }
  if (dense_in[0] != conv[1].cout * size * size)
    throw std::runtime_error(path + ": dense1 does not fit the convolutions");
  fw = f.weights;
  fb = f.biases;
  fw.back() = detail::transpose(f.weights.back(), dense_out[2], dense_in[2]);

  // act_*: the pooled outputs of the convolutions and the dense layers' outputs; out_f / acc: a GEMM's
  // result (W columns per channel of a convolution, one of a dense layer).
  size_t max_col = 0, max_out = 0, max_act = 0;
  for (const Geometry& g : conv) {
    max_col = std::max(max_col, static_cast<size_t>(g.depth()) * g.width());
    max_out = std::max(max_out, static_cast<size_t>(g.cout) * g.width());
    max_act = std::max(max_act, static_cast<size_t>(g.cout) * (g.oh / 2) * (g.ow / 2));
  }
  for (int n : dense_out) {
    max_out = std::max(max_out, static_cast<size_t>(n));
    max_act = std::max(max_act, static_cast<size_t>(n));
  }
  in_f.assign(kInputSize * kInputSize, 0.0f);
  in_q.assign(kInputSize * kInputSize, 0);
  col_f.assign(max_col, 0.0f);
  col_q.assign(max_col, 0);
  out_f.assign(max_out, 0.0f);
  acc.assign(max_out, 0);
  codes.assign(max_out, 0);
  for (auto& a : act_f) a.assign(max_act, 0.0f);
  for (auto& a : act_q) a.assign(max_act, 0);
  sums8.assign(kLastSums, 0);
  sums4.assign(kLastSums, 0);

  for (const detail::LeNetRanges& r : f.variants) {
    QVariant& q = r.bits == 4 ? q4 : q8;
    q.path = &lowbit::select_path(r.bits == 4 ? lowbit::Scheme::kUint4 : lowbit::Scheme::kUint8);
    q.qmax = (1 << r.bits) - 1;
    for (int i = 0; i < detail::kLeNetQuantized; ++i) {
      const int rows = static_cast<int>(f.layers[i].out);
      const int depth = static_cast<int>(f.weights[i].size()) / rows;
      const float in_scale = detail::activation_scale(r.act_hi[i], r.bits);
      const float next_scale =
          i + 1 < detail::kLeNetQuantized ? detail::activation_scale(r.act_hi[i + 1], r.bits) : 0.0f;
      q.layers.push_back(detail::quantize_layer(*q.path, f.weights[i], f.biases[i], rows, depth, r.bits,
                                                r.w_lo[i], r.w_hi[i], in_scale, next_scale, path));
    }
    q.last_wt = fw.back();
    q.last_b = fb.back();
    q.ready = true;
  }
}

const float* LeNet5::Impl::features_float(const uint8_t* image) {
  for (int i = 0; i < kInputSize * kInputSize; ++i) in_f[i] = static_cast<float>(image[i]) / 255.0f;
  const float* x = in_f.data();
  for (int l = 0; l < 2; ++l) {
    const Geometry& g = conv[l];
    const int W = g.width();
    detail::im2col(x, g, col_f.data());
    detail::eigen_gemm_f32(fw[l].data(), col_f.data(), out_f.data(), g.cout, g.depth(), W);
    // Pool, then bias and ReLU: fl(a + b) and max(., 0) are monotone in a, so the maximum of the
    // four commutes with them exactly, and a quarter of the values are touched.
    float* out = act_f[l].data();
    const int pooled = (g.oh / 2) * (g.ow / 2);
    for (int o = 0; o < g.cout; ++o) {
      float* dst = out + static_cast<size_t>(o) * pooled;
      detail::max_pool_2x2(out_f.data() + static_cast<size_t>(o) * W, g.oh, g.ow, g.pw, dst);
      const float b = fb[l][o];
      for (int j = 0; j < pooled; ++j) dst[j] = std::max(dst[j] + b, 0.0f);
    }
    x = out;
  }
  for (int l = 0; l < 2; ++l) {  // dense1, dense2: one column each, into the buffer x does not use
    float* out = act_f[l].data();
    detail::eigen_gemm_f32(fw[2 + l].data(), x, out, dense_out[l], dense_in[l], 1);
    for (int j = 0; j < dense_out[l]; ++j) out[j] = std::max(out[j] + fb[2 + l][j], 0.0f);
    x = out;
  }
  return x;
}

const int32_t* LeNet5::Impl::sums_quant(const uint8_t* image, QVariant& q, std::vector<int32_t>& sums) {
  // F->Q of x = pixel / 255: round(x qmax) exactly, half up, in integers.
  const int qmax = q.qmax;
  for (int i = 0; i < kInputSize * kInputSize; ++i) in_q[i] = static_cast<uint8_t>((2 * image[i] * qmax + 255) / 510);
  const float fmax = static_cast<float>(qmax);
  const uint8_t* x = in_q.data();
  for (int l = 0; l < 2; ++l) {
    const Geometry& g = conv[l];
    const detail::LeNetQuantLayer& L = q.layers[l];
    const int W = g.width();
    detail::im2col(x, g, col_q.data());
    L.weights.multiply(col_q.data(), W, 0, acc.data(), scratch);
    // Q->Q over all W columns of a channel, then the 2x2 max pool of the codes (requantization is
    // monotone: pooling codes equals quantizing the pooled sums, as the reference does).
    uint8_t* out = act_q[l].data();
    const int pooled = (g.oh / 2) * (g.ow / 2);
    for (int o = 0; o < g.cout; ++o) {
      requantize_row(acc.data() + static_cast<size_t>(o) * W, W, L.bias[o], L.multiplier, fmax, codes.data());
      detail::max_pool_2x2(codes.data(), g.oh, g.ow, g.pw, out + static_cast<size_t>(o) * pooled);
    }
    x = out;
  }
  // dense1 (Q->Q) and dense2 (sums for Q->F): each a GEMM with one column; the bias differs per row.
  const detail::LeNetQuantLayer& d1 = q.layers[2];
  d1.weights.multiply(x, 1, 0, acc.data(), scratch);
  uint8_t* h = act_q[0].data();
  for (int j = 0; j < dense_out[0]; ++j) requantize_row(acc.data() + j, 1, d1.bias[j], d1.multiplier, fmax, h + j);
  const detail::LeNetQuantLayer& d2 = q.layers[3];
  d2.weights.multiply(h, 1, 0, acc.data(), scratch);
  for (int j = 0; j < dense_out[1]; ++j) sums[j] = std::max(acc[j] + d2.bias[j], 0);
  return sums.data();
}

int LeNet5::Impl::forward(const uint8_t* image, Variant v, float* logits) {
  const float* x;
  const std::vector<float>* wt;
  const std::vector<float>* b;
  float features[kLastSums];
  if (v == Variant::kFloat) {
    x = features_float(image);
    wt = &fw.back();
    b = &fb.back();
  } else {
    QVariant& q = qvar(v);
    const int32_t* s = sums_quant(image, q, v == Variant::kQ4 ? sums4 : sums8);
    const float scale = q.layers.back().out_scale;  // Q->F: one float32 product each
    for (int k = 0; k < kLastSums; ++k) features[k] = static_cast<float>(s[k]) * scale;
    x = features;
    wt = &q.last_wt;
    b = &q.last_b;
  }
  detail::dense_fixed_order(x, dense_in[2], *wt, *b, logits);
  return detail::argmax(logits, kClasses);
}

// ------------------------------------------------------------------------------------ public API

LeNet5::LeNet5(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LeNet5::LeNet5(LeNet5&&) noexcept = default;
LeNet5& LeNet5::operator=(LeNet5&&) noexcept = default;
LeNet5::~LeNet5() = default;

LeNet5 LeNet5::from_bytes(const std::vector<uint8_t>& bytes, const std::string& name) {
  const detail::LeNetFile f = detail::parse_lenet(bytes.data(), bytes.size(), name);
  auto impl = std::make_unique<Impl>();
  impl->path = name;
  impl->build(f);
  return LeNet5(std::move(impl));
}

LeNet5 LeNet5::load(const std::string& path) { return from_bytes(detail::read_bytes(path, "weights file"), path); }

int LeNet5::forward(const uint8_t* image, Variant v, float* logits) { return impl_->forward(image, v, logits); }

const std::vector<int32_t>& LeNet5::last_sums(Variant v) const {
  impl_->qvar(v);  // throws for a variant the file lacks
  return v == Variant::kQ4 ? impl_->sums4 : impl_->sums8;
}

bool LeNet5::has_variant(Variant v) const {
  return v == Variant::kFloat || (v == Variant::kQ8 && impl_->q8.ready) || (v == Variant::kQ4 && impl_->q4.ready);
}

std::string LeNet5::gemm_name(Variant v) const {
  return v == Variant::kFloat ? "eigen_f32" : impl_->qvar(v).path->name;
}

long LeNet5::macs() const { return impl_->macs; }
const std::string& LeNet5::path() const { return impl_->path; }

}  // namespace qnn

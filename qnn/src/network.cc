// Inference of the MRZ network in its five variants (see qnn/network.h and docs/qnn.md).
//
// Exactness: the quantized variants are integer arithmetic up to layer 6's sums; the Q->F step is one
// float32 product per value and the fully connected layer sums in float32 in a fixed order
// (k ascending, bias first). This file is compiled with -ffp-contract=off so that no multiply-add is
// fused, which keeps the logits bit-identical to lowbit.qnn.intmodel.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "conv_geometry.h"
#include "dense_float.h"
#include "internal.h"
#include "lowbit/gemm.h"
#include "lowbit/quantize.h"
#include "packed_codes.h"
#include "qnn/fxp.h"
#include "qnn/network.h"
#include "stage_clock.h"

namespace qnn {

using detail::Geometry;
using detail::StageClock;

struct Network::Impl {
  std::string path;
  std::vector<Geometry> geo;  // the 6 convolutions
  std::vector<LayerInfo> info;
  int fc_in = 0, fc_out = 0;

  // Float variant.
  std::vector<std::vector<float>> fw, fb;  // per layer; fw.back() is the FC layer transposed

  struct QLayer {
    detail::PackedCodes packed;    // weights packed by the lowbit path, once at load
    std::vector<int32_t> centred;  // q_w - z_w, out x depth (QNN-32)
    std::vector<int32_t> bias;
    float requant_scale;  // M = s* / s_x(next)
    float out_scale;      // s*
  };
  struct QVariant {
    int bits = 0;              // 8, 4, or 0 for the 4.6-bit variant
    int act_levels = 0;        // N_x: activation codes are 0..N_x-1 (2^bits for QNN-8 / QNN-4)
    int weight_levels = 0;     // N_w
    bool gemm_levels = false;  // pass N_x / N_w as QuantizedMatrix::levels (else 0, "unstated")
    const lowbit::GemmPath* path = nullptr;
    std::vector<QLayer> layers;
    std::vector<float> fc_wt, fc_b;  // FC weights transposed
    bool ready = false;
  };
  QVariant q8, q4, q46;  // kQ32 runs q8 with Eigen int32 products
  std::unique_ptr<FxpNetwork> fxp;  // kFxp, once attached
  int32_t fxp_codes[kNumClasses];
  detail::RequantizeRow requantize_row = detail::select_requantize_row();
  std::vector<int32_t> last_sums[static_cast<int>(Variant::kQ46) + 1];  // layer 6 sums, by Variant value

  // Buffers, sized at load: inference allocates nothing (lowbit::Scratch grows on first use).
  std::vector<float> act_f[2], col_f, phase_f, out_f;
  std::vector<uint8_t> act_q[2], col_q, phase_q;
  std::vector<int32_t> col_s32, acc;
  std::vector<float> fc_x;
  lowbit::Scratch scratch;

  void build(const detail::WeightsFile& w);
  QVariant& slot(Variant v) { return v == Variant::kQ4 ? q4 : v == Variant::kQ46 ? q46 : q8; }
  QVariant& qvar(Variant v) {
    QVariant& q = slot(v);
    if (!q.ready || v == Variant::kFxp)
      throw std::runtime_error(path + ": has no " + variant_paper_name(v) + " variant" +
                               (v == Variant::kQ32 ? " (it runs the QNN-8 model)" : ""));
    return q;
  }
  std::vector<int32_t>& sums(Variant v) { return last_sums[static_cast<int>(v)]; }
  const float* conv_float(const uint8_t* image, StageClock& clock);
  const int32_t* conv_quant(const uint8_t* image, Variant v, StageClock& clock);
  int fc(const uint8_t* image, Variant v, float* logits, Timing* t);
  int fxp_logits(const uint8_t* image, float* logits, Timing* t);
  FxpNetwork& attached_fxp() const {
    if (!fxp) throw std::runtime_error(path + ": has no QNN-FXP variant (attach_fxp() a .qnnf network)");
    return *fxp;
  }
};

void Network::Impl::build(const detail::WeightsFile& w) {
  int h = static_cast<int>(w.input_height), wd = static_cast<int>(w.input_width);
  size_t max_act = static_cast<size_t>(h) * wd, max_col = 0, max_out = 0, max_phase = 0;
  for (size_t i = 0; i + 1 < w.layers.size(); ++i) {
    const detail::LayerDesc& d = w.layers[i];
    const Geometry g = detail::conv_geometry(static_cast<int>(d.in_channels), static_cast<int>(d.out_channels),
                                             static_cast<int>(d.kernel_h), static_cast<int>(d.stride), h, wd);
    geo.push_back(g);
    info.push_back(LayerInfo{"conv", g.cin, g.cout, g.k, g.stride, 0, g.ih, g.iw, g.oh, g.ow,
                             static_cast<long>(g.cout) * g.depth() * g.pixels()});
    max_col = std::max(max_col, static_cast<size_t>(g.depth()) * g.width());
    max_out = std::max(max_out, static_cast<size_t>(g.cout) * g.width());
    if (g.stride != 1) max_phase = std::max(max_phase, static_cast<size_t>(g.planes()) * g.ph * g.pw);
    h = g.oh;
    wd = g.ow;
  }
  fc_in = geo.back().cout * geo.back().pixels();
  fc_out = static_cast<int>(w.layers.back().out_channels);
  if (fc_in != static_cast<int>(w.layers.back().in_channels))
    throw std::runtime_error(path + ": fully connected layer does not fit the convolutions");
  info.push_back(LayerInfo{"fc", fc_in, fc_out, 1, 1, 0, 1, 1, 1, 1, static_cast<long>(fc_in) * fc_out});
  for (auto& a : act_f) a.assign(max_act + max_out, 0.0f);
  for (auto& a : act_q) a.assign(max_act + max_out, 0);
  col_f.assign(max_col, 0.0f);
  col_q.assign(max_col, 0);
  col_s32.assign(max_col, 0);
  phase_f.assign(max_phase, 0.0f);
  phase_q.assign(max_phase, 0);
  out_f.assign(max_out, 0.0f);
  acc.assign(max_out, 0);
  fc_x.assign(fc_in, 0.0f);
  for (auto& s : last_sums) s.assign(fc_in, 0);
  fw = w.weights;
  fb = w.biases;
  fw.back() = detail::transpose(w.weights.back(), fc_out, fc_in);

  for (const detail::VariantData& vd : w.variants) {
    QVariant& q = vd.is_levels() ? q46 : vd.bits == 4 ? q4 : q8;
    if (q.ready)
      throw std::runtime_error(path + ": two " +
                               (vd.is_levels() ? std::string("4.6-bit") : std::to_string(vd.bits) + "-bit") +
                               " variants");
    q.bits = vd.bits;
    q.act_levels = vd.act_levels;
    q.weight_levels = vd.weight_levels;
    q.gemm_levels = vd.is_levels();  // the uint4_6 paths need N_x and N_w; the others ignore it
    q.path = &lowbit::select_path(vd.is_levels() ? lowbit::Scheme::kUint4_6
                                  : vd.bits == 4 ? lowbit::Scheme::kUint4
                                                 : lowbit::Scheme::kUint8);
    // F->Q: the stretched input x in [0, 1] is quantized with the paper's map over [0, 1] (with N_x
    // codes for the 4.6-bit variant).
    const lowbit::QuantParams in = lowbit::choose_level_params(0.0f, 1.0f, vd.act_levels);
    if (in.scale != vd.layers[0].in_scale || in.zero_point != 0)
      throw std::runtime_error(path + ": layer 1 input scale differs from lowbit's choice");
    for (size_t i = 0; i < vd.layers.size(); ++i) {
      const detail::QuantLayerData& d = vd.layers[i];
      const Geometry& g = geo[i];
      QLayer L;
      L.packed = detail::PackedCodes(*q.path, d.codes.data(), g.cout, g.depth(), d.w_zero_point,
                                     q.gemm_levels ? q.weight_levels : 0);
      L.centred.resize(d.codes.size());
      for (size_t j = 0; j < d.codes.size(); ++j) L.centred[j] = int32_t{d.codes[j]} - d.w_zero_point;
      L.bias = d.bias;
      L.requant_scale = d.requant_scale;
      L.out_scale = d.out_scale;
      q.layers.push_back(std::move(L));
    }
    q.fc_wt = detail::transpose(vd.fc_weights, fc_out, fc_in);
    q.fc_b = vd.fc_bias;
    q.ready = true;
  }
}

const float* Network::Impl::conv_float(const uint8_t* image, StageClock& clock) {
  detail::stretch_input(image, act_f[0].data());
  clock.charge(0, Stage::kInput);
  int cur = 0;
  for (size_t l = 0; l < geo.size(); ++l) {
    const Geometry& g = geo[l];
    const int W = g.width();
    detail::im2col(detail::phase_split(act_f[cur].data(), g, phase_f.data()), g, col_f.data());
    clock.charge(l, Stage::kIm2col);
    detail::eigen_gemm_f32(fw[l].data(), col_f.data(), out_f.data(), g.cout, g.depth(), W);
    clock.charge(l, Stage::kGemm);
    float* out = act_f[1 - cur].data();
    for (int o = 0; o < g.cout; ++o) {
      const float b = fb[l][o];
      for (int oy = 0; oy < g.oh; ++oy) {
        const float* src = out_f.data() + static_cast<size_t>(o) * W + oy * g.pw;
        float* dst = out + (static_cast<size_t>(o) * g.oh + oy) * g.ow;
        for (int ox = 0; ox < g.ow; ++ox) dst[ox] = std::max(src[ox] + b, 0.0f);
      }
    }
    clock.charge(l, Stage::kRequantize);
    cur = 1 - cur;
  }
  return act_f[cur].data();
}

const int32_t* Network::Impl::conv_quant(const uint8_t* image, Variant v, StageClock& clock) {
  QVariant& q = qvar(v);
  const bool eigen32 = v == Variant::kQ32;
  const float qmax = static_cast<float>(q.act_levels - 1);
  const int x_levels = q.gemm_levels ? q.act_levels : 0;
  detail::quantize_input(image, q.act_levels - 1, act_q[0].data());
  clock.charge(0, Stage::kInput);
  int cur = 0;
  int32_t* last = sums(v).data();
  for (size_t l = 0; l < geo.size(); ++l) {
    const Geometry& g = geo[l];
    const QLayer& L = q.layers[l];
    const int K = g.depth(), W = g.width();
    int32_t* r = acc.data();
    const uint8_t* planes = detail::phase_split(act_q[cur].data(), g, phase_q.data());
    if (eigen32) {
      // Input zero points are 0 (ReLU outputs and the image are >= 0): the codes are centred already.
      detail::im2col(planes, g, col_s32.data());
      clock.charge(l, Stage::kIm2col);
      detail::eigen_gemm_s32(L.centred.data(), col_s32.data(), r, g.cout, K, W);
    } else {
      detail::im2col(planes, g, col_q.data());
      clock.charge(l, Stage::kIm2col);
      L.packed.multiply(col_q.data(), W, x_levels, r, scratch);
    }
    clock.charge(l, Stage::kGemm);
    const bool to_float = l + 1 == geo.size();
    uint8_t* out = act_q[1 - cur].data();
    const float m = L.requant_scale;
    // Locals, not g's fields: the uint8 stores may alias anything, which would force reloads.
    const int cout = g.cout, oh = g.oh, ow = g.ow, pw = g.pw;
    const int32_t* bias = L.bias.data();
    uint8_t* __restrict codes = col_q.data();  // free again after the GEMM: one channel's W codes
    for (int o = 0; o < cout; ++o) {
      const int32_t b = bias[o];
      const int32_t* __restrict row = r + static_cast<size_t>(o) * W;
      if (to_float) {
        for (int oy = 0; oy < oh; ++oy) {
          int32_t* __restrict dst = last + (static_cast<size_t>(o) * oh + oy) * ow;
          const int32_t* __restrict src = row + oy * pw;
          for (int ox = 0; ox < ow; ++ox) dst[ox] = std::max(src[ox] + b, 0);
        }
        continue;
      }
      // Q->Q over all W columns in one call, then the valid ow of each output row are kept.
      requantize_row(row, W, b, m, qmax, codes);
      detail::keep_valid_columns(codes, g, out + static_cast<size_t>(o) * oh * ow);
    }
    clock.charge(l, Stage::kRequantize);
    cur = 1 - cur;
  }
  return last;
}

int Network::Impl::fc(const uint8_t* image, Variant v, float* logits, Timing* t) {
  if (v == Variant::kFxp) return fxp_logits(image, logits, t);
  StageClock clock(t);
  const float* x;
  const std::vector<float>* w;
  const std::vector<float>* b;
  if (v == Variant::kFloat) {
    x = conv_float(image, clock);
    w = &fw.back();
    b = &fb.back();
  } else {
    const int32_t* s = conv_quant(image, v, clock);
    const QVariant& q = qvar(v);
    // Q->F: the int32 sums times s* (one float32 product each).
    const float scale = q.layers.back().out_scale;
    for (int k = 0; k < fc_in; ++k) fc_x[k] = static_cast<float>(s[k]) * scale;
    x = fc_x.data();
    w = &q.fc_wt;
    b = &q.fc_b;
  }
  detail::dense_fixed_order(x, fc_in, *w, *b, logits);
  const int cls = detail::argmax(logits, kNumClasses);
  clock.charge(kTimedLayers - 1, Stage::kFc);
  if (t) t->images += 1;
  return cls;
}

int Network::Impl::fxp_logits(const uint8_t* image, float* logits, Timing* t) {
  FxpNetwork& net = attached_fxp();
  const int cls = net.forward(image, fxp_codes, t);
  // Codes times a power of two: exact in float32 (|code| < 2^24, the scale a normal number).
  const float scale = static_cast<float>(net.logit_scale());
  for (int j = 0; j < kNumClasses; ++j) logits[j] = static_cast<float>(fxp_codes[j]) * scale;
  return cls;
}

// ------------------------------------------------------------------------------------ public API

Network::Network(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

Network Network::from_bytes(const std::vector<uint8_t>& bytes, const std::string& name) {
  const detail::WeightsFile w = detail::parse_weights(bytes.data(), bytes.size(), name);
  auto impl = std::make_unique<Impl>();
  impl->path = name;
  impl->build(w);
  return Network(std::move(impl));
}

Network Network::load(const std::string& path) {
  return from_bytes(detail::read_bytes(path, "weights file"), path);
}

int Network::classify(const uint8_t* image, Variant v) {
  float logits[kNumClasses];
  return impl_->fc(image, v, logits, nullptr);
}

int Network::forward(const uint8_t* image, Variant v, float* logits, Timing* timing) {
  return impl_->fc(image, v, logits, timing);
}

void Network::conv_forward(const uint8_t* image, Variant v) {
  StageClock untimed(nullptr);
  float logits[kNumClasses];
  if (v == Variant::kFxp)
    impl_->fxp_logits(image, logits, nullptr);
  else if (v == Variant::kFloat)
    impl_->conv_float(image, untimed);
  else
    impl_->conv_quant(image, v, untimed);
}

void Network::attach_fxp(FxpNetwork fxp) { impl_->fxp = std::make_unique<FxpNetwork>(std::move(fxp)); }

const std::vector<int32_t>& Network::last_conv_sums(Variant v) const {
  if (v == Variant::kFloat) throw std::invalid_argument("last_conv_sums: the float variant has none");
  if (v == Variant::kFxp) throw std::invalid_argument("last_conv_sums: QNN-FXP's are FxpNetwork::last_layer6_sums");
  return impl_->sums(v);
}

std::string Network::gemm_name(Variant v) const {
  switch (v) {
    case Variant::kFloat:
      return "eigen_f32";
    case Variant::kQ32:
      return "eigen_s32";
    case Variant::kFxp:
      return impl_->attached_fxp().gemm_name();
    default:
      return impl_->qvar(v).path->name;
  }
}

int Network::bits(Variant v) const {
  return v == Variant::kQ8 ? 8 : v == Variant::kQ4 ? 4 : v == Variant::kQ46 || v == Variant::kFxp ? 0 : 32;
}

bool Network::has_variant(Variant v) const {
  if (v == Variant::kFxp) return impl_->fxp != nullptr;
  return v == Variant::kFloat || impl_->slot(v).ready;
}

int Network::activation_levels(Variant v) const {
  if (v == Variant::kFloat || v == Variant::kFxp)
    throw std::invalid_argument("activation_levels: the float and QNN-FXP variants have none (per layer)");
  return impl_->qvar(v).act_levels;
}

int Network::weight_levels(Variant v) const {
  if (v == Variant::kFloat || v == Variant::kFxp)
    throw std::invalid_argument("weight_levels: the float and QNN-FXP variants have none (per layer)");
  return impl_->qvar(v).weight_levels;
}

const std::vector<LayerInfo>& Network::layers() const { return impl_->info; }
const std::string& Network::path() const { return impl_->path; }

void softmax(const float* logits, float* probabilities) {
  const float top = logits[detail::argmax(logits, kNumClasses)];
  float sum = 0.0f;
  for (int i = 0; i < kNumClasses; ++i) sum += probabilities[i] = std::exp(logits[i] - top);
  for (int i = 0; i < kNumClasses; ++i) probabilities[i] /= sum;
}

double accuracy(Network& net, const Dataset& data, Variant v) {
  if (data.count == 0) return 0.0;
  long correct = 0;
  for (int i = 0; i < data.count; ++i) correct += net.classify(data.image(i), v) == data.labels[i];
  return 100.0 * static_cast<double>(correct) / data.count;
}

}  // namespace qnn

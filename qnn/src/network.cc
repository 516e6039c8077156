// Inference of the MRZ network in its five variants (see qnn/network.h and docs/qnn.md).
//
// Exactness: the quantized variants are integer arithmetic up to layer 6's sums; the Q->F step is one
// float32 product per value and the fully connected layer sums in float32 in a fixed order
// (k ascending, bias first). This file is compiled with -ffp-contract=off so that no multiply-add is
// fused, which keeps the logits bit-identical to lowbit.qnn.intmodel.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "internal.h"
#include "lowbit/gemm.h"
#include "lowbit/quantize.h"
#include "qnn/network.h"

namespace qnn {

namespace {

using Clock = std::chrono::steady_clock;

// One convolution. The GEMM runs over `width()` columns: output row oy occupies columns
// [oy * pw, oy * pw + ow), where pw is the width of the plane the kernel slides over (the input, or
// for stride 2 one of its four phases); the pw - ow columns in between are computed and dropped.
// That way each row of X (one (c, dy, dx)) is a single contiguous copy of the plane.
struct Geometry {
  int cin, cout, k, stride, ih, iw, oh, ow;
  int ph, pw;  // plane seen by the kernel: (ih, iw) for stride 1, (ceil(ih/2), ceil(iw/2)) for stride 2
  int depth() const { return cin * k * k; }
  int pixels() const { return oh * ow; }
  int width() const { return (oh - 1) * pw + ow; }
  int planes() const { return stride == 1 ? cin : 4 * cin; }
};

struct AlignedBytes {
  void* data = nullptr;
  AlignedBytes() = default;
  explicit AlignedBytes(size_t bytes) {
    data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (data == nullptr) throw std::bad_alloc();
  }
  AlignedBytes(AlignedBytes&& o) noexcept : data(o.data) { o.data = nullptr; }
  AlignedBytes& operator=(AlignedBytes&& o) noexcept {
    std::swap(data, o.data);
    return *this;
  }
  ~AlignedBytes() { std::free(data); }
};

// Charges the time since its previous reading to (layer, stage) of a Timing; a no-op without one, so
// that untimed inference reads no clock.
class StageClock {
 public:
  explicit StageClock(Timing* timing) : timing_(timing) {
    if (timing_) last_ = Clock::now();
  }
  void charge(int layer, Stage stage) {
    if (!timing_) return;
    const Clock::time_point now = Clock::now();
    timing_->seconds[layer][static_cast<int>(stage)] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  Timing* timing_;
  Clock::time_point last_;
};

// Stride 2: splits each input channel into its four phases (even/odd rows x even/odd columns), each
// ph x pw (zero-filled where a phase is shorter), so that the stride-2 kernel slides with stride 1.
// Each input row is read once and dealt to its two column phases (a loop compilers vectorize with
// interleaved loads).
template <typename T>
const T* phase_split(const T* in, const Geometry& g, T* phases) {
  if (g.stride == 1) return in;
  const int cin = g.cin, ih = g.ih, iw = g.iw, ph = g.ph, pw = g.pw, pairs = iw / 2;
  const size_t plane = static_cast<size_t>(ph) * pw;
  for (int c = 0; c < cin; ++c) {
    const T* __restrict src = in + static_cast<size_t>(c) * ih * iw;
    for (int py = 0; py < 2; ++py) {
      T* __restrict even = phases + (static_cast<size_t>(c) * 4 + py * 2) * plane;
      T* __restrict odd = even + plane;
      const int rows = (ih - py + 1) / 2;  // <= ph
      for (int y = 0; y < ph; ++y) {
        T* __restrict e = even + y * pw;
        T* __restrict o = odd + y * pw;
        if (y >= rows) {
          std::fill(e, e + pw, T(0));
          std::fill(o, o + pw, T(0));
          continue;
        }
        const T* __restrict s = src + (2 * y + py) * iw;
        for (int x = 0; x < pairs; ++x) {
          e[x] = s[2 * x];
          o[x] = s[2 * x + 1];
        }
        if (iw % 2 != 0) e[pairs] = s[iw - 1];
        std::fill(e + (iw + 1) / 2, e + pw, T(0));
        std::fill(o + pairs, o + pw, T(0));
      }
    }
  }
  return phases;
}

// X (depth x width, row-major); rows ordered (c, dy, dx) as PyTorch's OIHW weights.
template <typename In, typename Out>
void im2col(const In* planes, const Geometry& g, Out* col) {
  const int W = g.width(), cin = g.cin, k = g.k, pw = g.pw, stride = g.stride;
  const size_t plane = static_cast<size_t>(g.ph) * pw;
  for (int c = 0; c < cin; ++c) {
    for (int dy = 0; dy < k; ++dy) {
      for (int dx = 0; dx < k; ++dx) {
        const In* __restrict src =
            stride == 1 ? planes + c * plane + dy * pw + dx
                        : planes + (static_cast<size_t>(c) * 4 + (dy % 2) * 2 + dx % 2) * plane +
                              (dy / 2) * pw + dx / 2;
        Out* __restrict dst = col + static_cast<size_t>((c * k + dy) * k + dx) * W;
        if (sizeof(In) == sizeof(Out)) {
          std::memcpy(dst, src, W * sizeof(Out));
        } else {
          for (int j = 0; j < W; ++j) dst[j] = static_cast<Out>(src[j]);
        }
      }
    }
  }
}

// logits[j] = (((b_j + w_j0 x_0) + w_j1 x_1) + ...), float32, k ascending, no fused multiply-add.
// wt is the weight matrix transposed (in x out), so the inner loop runs over contiguous j.
void fully_connected(const float* x, int in, const std::vector<float>& wt, const std::vector<float>& b,
                     float* logits) {
  const int out = static_cast<int>(b.size());
  for (int j = 0; j < out; ++j) logits[j] = b[j];
  for (int k = 0; k < in; ++k) {
    const float xk = x[k];
    const float* w = wt.data() + static_cast<size_t>(k) * out;
    for (int j = 0; j < out; ++j) {
      const float product = w[j] * xk;
      logits[j] = logits[j] + product;
    }
  }
}

std::vector<float> transpose(const std::vector<float>& w, int rows, int cols) {
  std::vector<float> t(w.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      t[static_cast<size_t>(c) * rows + r] = w[static_cast<size_t>(r) * cols + c];
  return t;
}

// The contrast stretch of the input (every variant): hi / lo = largest / smallest pixel, r = hi - lo;
// the network reads d / r with d = hi - pixel (inverted: ink 1, paper 0).
void pixel_range(const uint8_t* image, int* hi, int* range) {
  uint8_t mn = 255, mx = 0;
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) {
    mn = std::min(mn, image[i]);
    mx = std::max(mx, image[i]);
  }
  *hi = mx;
  *range = mx >= mn ? mx - mn : 0;
}

}  // namespace

// F->Q codes of d = hi - pixel = 0..r: round(d / r * qmax) exactly, half up, = (2 d qmax + r) div (2 r),
// by an increment loop (r + qmax steps, no division).
void detail::input_code_table(int range, int qmax, uint8_t* table) {
  if (range == 0) {
    table[0] = 0;
    return;
  }
  int32_t num = range, next = 2 * range, code = 0;
  for (int d = 0; d <= range; ++d) {
    while (num >= next) {
      ++code;
      next += 2 * range;
    }
    table[d] = static_cast<uint8_t>(code);
    num += 2 * qmax;
  }
}

// The same codes for a whole image, in float32 so that it vectorizes: n = 2 d qmax + r and 2 r are
// integers below 2^24 (exact in float32), and when n / 2r is not an integer it is at least 1 / 2r
// away from one, far more than float32's rounding of the quotient, so truncating the correctly
// rounded float quotient gives n div 2r exactly (tests: InputCodesAreTheExactRounding).
void detail::quantize_input(const uint8_t* image, int qmax, uint8_t* out) {
  uint8_t mn = 255, mx = 0;
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) {
    mn = std::min(mn, image[i]);
    mx = std::max(mx, image[i]);
  }
  const int r = mx - mn;
  if (r == 0) {
    std::memset(out, 0, kInputHeight * kInputWidth);
    return;
  }
  const int hi = mx;
  const float two_r = static_cast<float>(2 * r);
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) {
    const int n = 2 * qmax * (hi - image[i]) + r;
    out[i] = static_cast<uint8_t>(static_cast<int32_t>(static_cast<float>(n) / two_r));
  }
}

namespace {

int argmax(const float* v, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

}  // namespace

struct Network::Impl {
  std::string path;
  std::vector<Geometry> geo;  // the 6 convolutions
  std::vector<LayerInfo> info;
  int fc_in = 0, fc_out = 0;

  // Float variant.
  std::vector<std::vector<float>> fw, fb;  // per layer; fw.back() is the FC layer transposed

  struct QLayer {
    int32_t w_zero_point;
    AlignedBytes packed;           // weights packed by the lowbit path, once at load
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
    if (!q.ready)
      throw std::runtime_error(path + ": has no " + variant_paper_name(v) + " variant" +
                               (v == Variant::kQ32 ? " (it runs the QNN-8 model)" : ""));
    return q;
  }
  std::vector<int32_t>& sums(Variant v) { return last_sums[static_cast<int>(v)]; }
  const float* conv_float(const uint8_t* image, StageClock& clock);
  const int32_t* conv_quant(const uint8_t* image, Variant v, StageClock& clock);
  int fc(const uint8_t* image, Variant v, float* logits, Timing* t);
};

void Network::Impl::build(const detail::WeightsFile& w) {
  int h = static_cast<int>(w.input_height), wd = static_cast<int>(w.input_width);
  size_t max_act = static_cast<size_t>(h) * wd, max_col = 0, max_out = 0, max_phase = 0;
  for (size_t i = 0; i + 1 < w.layers.size(); ++i) {
    const detail::LayerDesc& d = w.layers[i];
    Geometry g;
    g.cin = static_cast<int>(d.in_channels);
    g.cout = static_cast<int>(d.out_channels);
    g.k = static_cast<int>(d.kernel_h);
    g.stride = static_cast<int>(d.stride);
    g.ih = h;
    g.iw = wd;
    g.oh = (h - g.k) / g.stride + 1;
    g.ow = (wd - g.k) / g.stride + 1;
    g.ph = g.stride == 1 ? h : (h + 1) / 2;
    g.pw = g.stride == 1 ? wd : (wd + 1) / 2;
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
  fw.back() = transpose(w.weights.back(), fc_out, fc_in);

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
      L.w_zero_point = d.w_zero_point;
      const lowbit::QuantizedMatrix wm{d.codes.data(), g.cout,         g.depth(),
                                       g.depth(),      d.w_zero_point, q.gemm_levels ? q.weight_levels : 0};
      L.packed = AlignedBytes(q.path->packed_weights_bytes(g.cout, g.depth()));
      q.path->pack_weights(wm, L.packed.data);
      L.centred.resize(d.codes.size());
      for (size_t j = 0; j < d.codes.size(); ++j) L.centred[j] = int32_t{d.codes[j]} - d.w_zero_point;
      L.bias = d.bias;
      L.requant_scale = d.requant_scale;
      L.out_scale = d.out_scale;
      q.layers.push_back(std::move(L));
    }
    q.fc_wt = transpose(vd.fc_weights, fc_out, fc_in);
    q.fc_b = vd.fc_bias;
    q.ready = true;
  }
}

const float* Network::Impl::conv_float(const uint8_t* image, StageClock& clock) {
  float* in = act_f[0].data();
  int hi, range;
  pixel_range(image, &hi, &range);
  const float r = static_cast<float>(std::max(range, 1));
  for (int i = 0; i < kInputHeight * kInputWidth; ++i) in[i] = static_cast<float>(hi - image[i]) / r;
  clock.charge(0, Stage::kInput);
  int cur = 0;
  for (size_t l = 0; l < geo.size(); ++l) {
    const Geometry& g = geo[l];
    const int W = g.width();
    im2col(phase_split(act_f[cur].data(), g, phase_f.data()), g, col_f.data());
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
  const int x_levels = q.gemm_levels ? q.act_levels : 0, w_levels = q.gemm_levels ? q.weight_levels : 0;
  detail::quantize_input(image, q.act_levels - 1, act_q[0].data());
  clock.charge(0, Stage::kInput);
  int cur = 0;
  int32_t* last = sums(v).data();
  for (size_t l = 0; l < geo.size(); ++l) {
    const Geometry& g = geo[l];
    const QLayer& L = q.layers[l];
    const int K = g.depth(), W = g.width();
    int32_t* r = acc.data();
    const uint8_t* planes = phase_split(act_q[cur].data(), g, phase_q.data());
    if (eigen32) {
      // Input zero points are 0 (ReLU outputs and the image are >= 0): the codes are centred already.
      im2col(planes, g, col_s32.data());
      clock.charge(l, Stage::kIm2col);
      detail::eigen_gemm_s32(L.centred.data(), col_s32.data(), r, g.cout, K, W);
    } else {
      im2col(planes, g, col_q.data());
      clock.charge(l, Stage::kIm2col);
      q.path->gemm_packed(lowbit::PackedWeights{L.packed.data, g.cout, K, L.w_zero_point, w_levels},
                          lowbit::QuantizedMatrix{col_q.data(), K, W, W, 0, x_levels},
                          lowbit::ResultMatrix{r, g.cout, W, W}, scratch);
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
      uint8_t* dst = out + static_cast<size_t>(o) * oh * ow;
      if (pw == ow) {
        std::memcpy(dst, codes, static_cast<size_t>(oh) * ow);
      } else {
        for (int oy = 0; oy < oh; ++oy) std::memcpy(dst + oy * ow, codes + oy * pw, ow);
      }
    }
    clock.charge(l, Stage::kRequantize);
    cur = 1 - cur;
  }
  return last;
}

int Network::Impl::fc(const uint8_t* image, Variant v, float* logits, Timing* t) {
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
  fully_connected(x, fc_in, *w, *b, logits);
  const int cls = argmax(logits, kNumClasses);
  clock.charge(kTimedLayers - 1, Stage::kFc);
  if (t) t->images += 1;
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
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open weights file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": cannot read weights file");
  return from_bytes(bytes, path);
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
  if (v == Variant::kFloat)
    impl_->conv_float(image, untimed);
  else
    impl_->conv_quant(image, v, untimed);
}

const std::vector<int32_t>& Network::last_conv_sums(Variant v) const {
  if (v == Variant::kFloat) throw std::invalid_argument("last_conv_sums: the float variant has none");
  return impl_->sums(v);
}

std::string Network::gemm_name(Variant v) const {
  switch (v) {
    case Variant::kFloat:
      return "eigen_f32";
    case Variant::kQ32:
      return "eigen_s32";
    default:
      return impl_->qvar(v).path->name;
  }
}

int Network::bits(Variant v) const {
  return v == Variant::kQ8 ? 8 : v == Variant::kQ4 ? 4 : v == Variant::kQ46 ? 0 : 32;
}

bool Network::has_variant(Variant v) const { return v == Variant::kFloat || impl_->slot(v).ready; }

int Network::activation_levels(Variant v) const {
  if (v == Variant::kFloat) throw std::invalid_argument("activation_levels: the float variant has none");
  return impl_->qvar(v).act_levels;
}

int Network::weight_levels(Variant v) const {
  if (v == Variant::kFloat) throw std::invalid_argument("weight_levels: the float variant has none");
  return impl_->qvar(v).weight_levels;
}

const std::vector<LayerInfo>& Network::layers() const { return impl_->info; }
const std::string& Network::path() const { return impl_->path; }

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::kInput:
      return "input";
    case Stage::kIm2col:
      return "im2col";
    case Stage::kGemm:
      return "gemm";
    case Stage::kRequantize:
      return "requantize";
    case Stage::kFc:
      return "fc";
  }
  return "?";
}

double Timing::stage_seconds(Stage s) const {
  double sum = 0;
  for (const auto& layer : seconds) sum += layer[static_cast<int>(s)];
  return sum;
}

double Timing::layer_seconds(int layer) const {
  double sum = 0;
  for (double stage : seconds[layer]) sum += stage;
  return sum;
}

double Timing::conv_seconds() const {
  double sum = 0;
  for (int l = 0; l + 1 < kTimedLayers; ++l) sum += layer_seconds(l);
  return sum;
}

double Timing::total_seconds() const { return conv_seconds() + layer_seconds(kTimedLayers - 1); }

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::kFloat:
      return "float";
    case Variant::kQ8:
      return "q8";
    case Variant::kQ4:
      return "q4";
    case Variant::kQ32:
      return "q32";
    case Variant::kQ46:
      return "q4_6";
  }
  return "?";
}

const char* variant_paper_name(Variant v) {
  switch (v) {
    case Variant::kFloat:
      return "CNN";
    case Variant::kQ8:
      return "QNN-8";
    case Variant::kQ4:
      return "QNN-4";
    case Variant::kQ32:
      return "QNN-32";
    case Variant::kQ46:
      return "QNN-4.6";
  }
  return "?";
}

bool variant_from_name(const std::string& name, Variant* v) {
  for (Variant c : all_variants()) {
    if (name == variant_name(c) || name == variant_paper_name(c)) {
      *v = c;
      return true;
    }
  }
  return false;
}

const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> all = {Variant::kFloat, Variant::kQ8, Variant::kQ4, Variant::kQ32,
                                           Variant::kQ46};
  return all;
}

void softmax(const float* logits, float* probabilities) {
  const float top = logits[argmax(logits, kNumClasses)];
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

// Inference of QNN-FXP (see qnn/fxp.h and docs/qnn.md, "QNN-FXP", steps 1-4): integer arithmetic
// throughout, so every correct implementation gives the same codes as lowbit.qnn.fxp_int.
#include "qnn/fxp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "conv_geometry.h"
#include "fxp_shift.h"
#include "fxp_file.h"
#include "internal.h"
#include "packed_codes.h"
#include "stage_clock.h"

namespace qnn {

using detail::Geometry;
using detail::StageClock;

struct FxpNetwork::Impl {
  struct Layer {
    Geometry geo;  // fc: a 1x1 "convolution" of 96 channels on one pixel
    detail::PackedCodes packed;
    std::vector<int64_t> bias;  // c_b 2^(S - F_b)
    int in_shift = 0, out_shift = 0;  // S - F_w - F_x, S - F_a
    int64_t lo = 0, hi = 0;           // the output codes' range
    int x_levels = 0;                 // N_x for a uint4_6 layer, else 0 (unstated)
    bool narrow = false;  // every intermediate of a conv row fits int32 (the faster loop)
  };
  std::string path;
  FxpFormat input;
  int64_t input_limit = 0;
  std::vector<Layer> layers;
  detail::FxpConvRow conv_row = detail::select_fxp_conv_row();
  std::vector<FxpLayerInfo> info;
  double logit_scale = 1.0;

  // Buffers, sized at load.
  std::vector<uint8_t> act[2], col, phase, row_codes;
  std::vector<int32_t> acc, sums6, sums_fc;
  uint8_t input_table[256];
  lowbit::Scratch scratch;

  void build(const detail::FxpFile& f);
  void quantize_input(const uint8_t* image, uint8_t* out);
  void conv(const Layer& L, int l, const uint8_t* in, uint8_t* out, StageClock& clock);
  int forward(const uint8_t* image, int32_t* logit_codes, Timing* t);
};

namespace {

// Whether |t|, |t| + 2^out_shift (the rounding adds less) and, for out_shift <= 0, |t| 2^-out_shift
// stay below 2^31 for every input (bounds in double: exact at these sizes).
bool fits_int32(const detail::FxpLayerData& d, int depth, int in_shift) {
  const double acc = static_cast<double>(depth) * detail::code_limit(d.weights.bw) * detail::code_limit(d.input.bw);
  double bias = 0;
  for (int32_t b : d.bias_codes) bias = std::max(bias, std::fabs(static_cast<double>(b)));
  double t = std::ldexp(acc, in_shift) + std::ldexp(bias, d.acc_exponent - d.biases.f);
  t = d.out_shift > 0 ? t + std::ldexp(1.0, d.out_shift) : std::ldexp(t, -d.out_shift);
  return t < 2147483647.0;
}

}  // namespace

void FxpNetwork::Impl::build(const detail::FxpFile& f) {
  input = f.input;
  input_limit = detail::code_limit(f.input.bw);
  int h = kInputHeight, w = kInputWidth;
  size_t max_act = static_cast<size_t>(h) * w, max_col = 0, max_out = 0, max_phase = 0;
  for (const detail::FxpLayerData& d : f.layers) {
    Layer L;
    const bool fc = d.kind == 1;
    L.geo = fc ? detail::conv_geometry(static_cast<int>(d.in_channels), static_cast<int>(d.out_channels), 1, 1, 1, 1)
               : detail::conv_geometry(static_cast<int>(d.in_channels), static_cast<int>(d.out_channels),
                                       static_cast<int>(d.kernel), static_cast<int>(d.stride), h, w);
    const Geometry& g = L.geo;
    const lowbit::GemmPath& gemm_path = lowbit::select_path(d.scheme);
    const bool levels = d.scheme == lowbit::Scheme::kUint4_6;
    L.packed = detail::PackedCodes(gemm_path, d.weight_codes.data(), g.cout, g.depth(), d.w_zero_point,
                                   levels ? d.w_levels : 0);
    L.x_levels = levels ? d.x_levels : 0;
    L.in_shift = d.acc_exponent - d.weights.f - d.input.f;
    L.out_shift = d.out_shift;
    // A multiplication, not a shift: shifting a negative value left is undefined before C++20.
    for (int32_t b : d.bias_codes) L.bias.push_back(int64_t{b} * (int64_t{1} << (d.acc_exponent - d.biases.f)));
    L.hi = detail::code_limit(d.output.bw);
    L.lo = fc ? -L.hi : 0;
    L.narrow = fits_int32(d, g.depth(), L.in_shift);
    info.push_back(FxpLayerInfo{fc ? "fc" : "conv", d.weights, d.biases, d.output, lowbit::scheme_name(d.scheme),
                                gemm_path.name, d.w_levels, d.x_levels,
                                static_cast<long>(g.cout) * g.depth() * g.pixels()});
    max_col = std::max(max_col, static_cast<size_t>(g.depth()) * g.width());
    max_out = std::max(max_out, static_cast<size_t>(g.cout) * g.width());
    if (g.stride != 1) max_phase = std::max(max_phase, static_cast<size_t>(g.planes()) * g.ph * g.pw);
    if (!fc) {
      h = g.oh;
      w = g.ow;
    }
    layers.push_back(std::move(L));
  }
  const Geometry& last_conv = layers[layers.size() - 2].geo;
  if (last_conv.cout * last_conv.pixels() != kLayer6Sums || layers.back().geo.cin != kLayer6Sums)
    throw std::runtime_error(path + ": fully connected layer does not fit the convolutions");
  logit_scale = std::ldexp(1.0, -f.layers.back().output.f);
  for (auto& a : act) a.assign(max_act + max_out, 0);
  col.assign(max_col, 0);
  phase.assign(max_phase, 0);
  row_codes.assign(max_out + detail::kFxpRowPadding, 0);  // conv_row's whole vectors (fxp_shift.h)
  acc.assign(max_out + detail::kFxpRowPadding, 0);
  sums6.assign(kLayer6Sums, 0);
  sums_fc.assign(kNumClasses, 0);
}

// Step 1: code(d) = min(round_half_even(d 2^F / r), limit) for d = max - pixel, r = max - min, as a
// table over d = 0..r, then one lookup per pixel. The table steps num = d A over d (A = 2^max(F, 0),
// den = r 2^max(-F, 0)) keeping q = floor(num / den) and rem = num - q den, so that it divides only
// when rem reaches den, and stops once the codes reach the limit (they never decrease).
void FxpNetwork::Impl::quantize_input(const uint8_t* image, uint8_t* out) {
  constexpr int n = kInputHeight * kInputWidth;
  uint8_t lo = 255, hi = 0;
  for (int i = 0; i < n; ++i) {  // plain loop: vectorized (minmax_element is not)
    lo = std::min(lo, image[i]);
    hi = std::max(hi, image[i]);
  }
  const int r = hi - lo;
  if (r == 0) {
    std::memset(out, 0, n);
    return;
  }
  const int64_t step = int64_t{1} << std::max(input.f, 0), den = int64_t{r} << std::max(-input.f, 0);
  int64_t q = 0, rem = 0;
  int d = 0;
  for (; d <= r; ++d) {
    const int64_t code = q + (2 * rem > den || (2 * rem == den && (q & 1) != 0));
    if (code >= input_limit) break;
    input_table[d] = static_cast<uint8_t>(code);
    rem += step;
    if (rem >= den) {
      q += rem / den;
      rem %= den;
    }
  }
  std::fill(input_table + d, input_table + r + 1, static_cast<uint8_t>(input_limit));
  for (int i = 0; i < n; ++i) out[i] = input_table[hi - image[i]];
}

void FxpNetwork::Impl::conv(const Layer& L, int l, const uint8_t* in, uint8_t* out, StageClock& clock) {
  const Geometry& g = L.geo;
  const int W = g.width();
  detail::im2col(detail::phase_split(in, g, phase.data()), g, col.data());
  clock.charge(l, Stage::kIm2col);
  L.packed.multiply(col.data(), W, L.x_levels, acc.data(), scratch);
  clock.charge(l, Stage::kGemm);
  const bool last = l + 2 == static_cast<int>(layers.size());
  uint8_t* codes = row_codes.data();
  for (int o = 0; o < g.cout; ++o) {
    const int32_t* row = acc.data() + static_cast<size_t>(o) * W;
    if (L.narrow)
      conv_row(row, W, static_cast<int32_t>(L.bias[o]), L.in_shift, L.out_shift, static_cast<int32_t>(L.hi), codes);
    else
      detail::shift_row<int64_t, true>(row, W, L.bias[o], L.in_shift, L.out_shift, 0, L.hi, codes);
    detail::keep_valid_columns(codes, g, out + static_cast<size_t>(o) * g.oh * g.ow);
    for (int oy = 0; last && oy < g.oh; ++oy) {  // conv6's sums too, for the tests
      const size_t at = (static_cast<size_t>(o) * g.oh + oy) * g.ow;
      std::copy(row + oy * g.pw, row + oy * g.pw + g.ow, sums6.data() + at);
    }
  }
  clock.charge(l, Stage::kRequantize);
}

int FxpNetwork::Impl::forward(const uint8_t* image, int32_t* logit_codes, Timing* t) {
  StageClock clock(t);
  quantize_input(image, act[0].data());
  clock.charge(0, Stage::kInput);
  int cur = 0;
  for (size_t l = 0; l + 1 < layers.size(); ++l) {
    conv(layers[l], static_cast<int>(l), act[cur].data(), act[1 - cur].data(), clock);
    cur = 1 - cur;
  }
  // The fc layer: its 36 x 96 codes times the 96 codes of conv6 in (C, H, W) order (one column).
  const Layer& fc = layers.back();
  fc.packed.multiply(act[cur].data(), 1, fc.x_levels, sums_fc.data(), scratch);
  for (int j = 0; j < kNumClasses; ++j)  // 36 values: int64 as the spec, whatever the bounds
    detail::shift_row<int64_t, false>(&sums_fc[j], 1, fc.bias[j], fc.in_shift, fc.out_shift, fc.lo, fc.hi,
                                      logit_codes + j);
  const int cls = static_cast<int>(std::max_element(logit_codes, logit_codes + kNumClasses) - logit_codes);
  clock.charge(kTimedLayers - 1, Stage::kFc);
  if (t) t->images += 1;
  return cls;
}

// ------------------------------------------------------------------------------------ public API

FxpNetwork::FxpNetwork(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FxpNetwork::FxpNetwork(FxpNetwork&&) noexcept = default;
FxpNetwork& FxpNetwork::operator=(FxpNetwork&&) noexcept = default;
FxpNetwork::~FxpNetwork() = default;

FxpNetwork FxpNetwork::from_bytes(const std::vector<uint8_t>& bytes, const std::string& name) {
  const detail::FxpFile f = detail::parse_fxp(bytes.data(), bytes.size(), name);
  auto impl = std::make_unique<Impl>();
  impl->path = name;
  impl->build(f);
  return FxpNetwork(std::move(impl));
}

FxpNetwork FxpNetwork::load(const std::string& path) {
  return from_bytes(detail::read_bytes(path, "network file"), path);
}

int FxpNetwork::forward(const uint8_t* image, int32_t* logit_codes, Timing* timing) {
  return impl_->forward(image, logit_codes, timing);
}

const std::vector<int32_t>& FxpNetwork::last_layer6_sums() const { return impl_->sums6; }
const std::vector<int32_t>& FxpNetwork::last_fc_sums() const { return impl_->sums_fc; }
double FxpNetwork::logit_scale() const { return impl_->logit_scale; }
FxpFormat FxpNetwork::input_format() const { return impl_->input; }
const std::vector<FxpLayerInfo>& FxpNetwork::layers() const { return impl_->info; }
const std::string& FxpNetwork::path() const { return impl_->path; }

std::string FxpNetwork::gemm_name() const {
  std::string names;
  std::vector<std::string> seen;
  for (const FxpLayerInfo& l : impl_->info) {
    if (std::find(seen.begin(), seen.end(), l.gemm) != seen.end()) continue;
    seen.push_back(l.gemm);
    names += (names.empty() ? "" : "+") + l.gemm;
  }
  return names;
}

}  // namespace qnn

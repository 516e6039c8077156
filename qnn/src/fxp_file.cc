// Reading the .qnnf file of QNN-FXP: header as .qnnw (file_header.h), the input format, then per
// layer its shape, formats, GEMM scheme and codes. The derived fields (scheme, zero point, level
// counts, shifts) are recomputed from the formats, as lowbit.qnn.fxp_schemes / fxp_int derive them,
// and must equal the stored ones; the ranges that keep every intermediate within int32 / int64 are
// checked here, so that the pass cannot overflow.
#include <algorithm>
#include <cstdlib>

#include "file_header.h"
#include "fxp_file.h"
#include "lowbit/levels.h"

namespace qnn {
namespace detail {
namespace {

constexpr char kMagic[8] = {'Q', 'N', 'N', 'F', '\r', '\n', '\x1a', '\n'};
constexpr int kMaxBits = 32;   // any format wider is not one the exporter writes
constexpr int kMaxExponent = 40;

FxpFormat read_format(Reader& r) {
  FxpFormat f;
  f.bw = r.i32();
  f.f = r.i32();
  return f;
}

bool plausible(const FxpFormat& f) { return f.bw >= 1 && f.bw <= kMaxBits && std::abs(f.f) <= kMaxExponent; }

// The cheapest exact scheme of lowbit.qnn.fxp_schemes.scheme_for; false when none holds the pair.
bool derive_scheme(int w_bw, int x_bw, FxpLayerData* d) {
  d->w_zero_point = static_cast<int32_t>(code_limit(w_bw));
  d->w_levels = 2 * d->w_zero_point + 1;
  const int64_t x_max = code_limit(x_bw), w_max = d->w_levels - 1;
  const int64_t count = x_max + 1;
  d->x_levels = static_cast<int32_t>(std::max<int64_t>(count % 2 != 0 ? count : count + 1, 3));
  if (w_max <= 15 && x_max <= 15) {
    d->scheme = lowbit::Scheme::kUint4;
  } else if (d->x_levels <= 255 && d->w_levels <= 255 && lowbit::why_invalid({d->x_levels, d->w_levels}).empty()) {
    d->scheme = lowbit::Scheme::kUint4_6;
  } else if (w_max <= 255 && x_max <= 255) {
    d->scheme = lowbit::Scheme::kUint8;
  } else {
    return false;
  }
  return true;
}

// Bits needed by the int64 intermediates (docs/qnn.md step 3), as fxp_int.FxpLayer.check_ranges.
bool fits(const FxpLayerData& d, int depth) {
  const int64_t worst = depth * code_limit(d.weights.bw) * code_limit(d.input.bw);
  if (worst >= (int64_t{1} << 31)) return false;
  const int s = d.acc_exponent;
  const int bits = std::max(31 + s - d.weights.f - d.input.f, d.biases.bw + s - d.biases.f) + 1;
  return bits + std::max(-d.out_shift, 0) <= 62;
}

FxpLayerData read_layer(Reader& r, int index, const FxpFormat& input, const std::string& name) {
  const std::string where = "layer " + std::to_string(index + 1);
  FxpLayerData d;
  uint32_t shape[6];  // kind, in, out, kernel, stride, pad
  for (uint32_t& field : shape) field = r.u32();
  const uint32_t* want = kMrzArch[index];
  if (shape[0] != want[0] || shape[1] != want[1] || shape[2] != want[2] || shape[3] != want[3] ||
      shape[3] != want[4] || shape[4] != want[5] || shape[5] != want[6])
    fail(name, "unsupported architecture (" + where + ")");
  d.kind = shape[0];
  d.in_channels = shape[1];
  d.out_channels = shape[2];
  d.kernel = shape[3];
  d.stride = shape[4];
  d.pad = shape[5];
  d.weights = read_format(r);
  d.biases = read_format(r);
  d.output = read_format(r);
  d.input = input;
  if (!plausible(d.weights) || !plausible(d.biases) || !plausible(d.output))
    fail(name, "corrupt network file (" + where + ": format)");
  const uint32_t scheme = r.u32();
  const int32_t zero_point = r.i32(), w_levels = r.i32(), x_levels = r.i32();
  d.acc_exponent = r.i32();
  d.out_shift = r.i32();
  FxpLayerData derived = d;
  if (!derive_scheme(d.weights.bw, input.bw, &derived))
    fail(name, "unsupported network (" + where + ": no exact scheme holds its formats)");
  if (d.kind == 0 && d.output.bw > 9) fail(name, "unsupported network (" + where + ": output codes above 8 bits)");
  if (scheme != static_cast<uint32_t>(derived.scheme) || zero_point != derived.w_zero_point ||
      w_levels != derived.w_levels || x_levels != derived.x_levels ||
      d.acc_exponent != std::max(d.weights.f + input.f, d.biases.f) || d.out_shift != d.acc_exponent - d.output.f)
    fail(name, "corrupt network file (" + where + ": stored scheme or shifts differ from the formats')");
  d.scheme = derived.scheme;
  d.w_zero_point = zero_point;
  d.w_levels = w_levels;
  d.x_levels = x_levels;
  const int depth = static_cast<int>(d.in_channels * d.kernel * d.kernel);
  if (!fits(d, depth)) fail(name, "unsupported network (" + where + ": the sums may overflow)");
  d.weight_codes = r.array<uint8_t>(static_cast<size_t>(d.out_channels) * depth);
  d.bias_codes = r.array<int32_t>(d.out_channels);
  for (uint8_t c : d.weight_codes)
    if (c > 2 * zero_point) fail(name, "corrupt network file (" + where + ": weight code out of range)");
  const int64_t b_limit = code_limit(d.biases.bw);
  for (int32_t b : d.bias_codes)
    if (b < -b_limit || b > b_limit) fail(name, "corrupt network file (" + where + ": bias code out of range)");
  return d;
}

}  // namespace

FxpFile parse_fxp(const uint8_t* data, size_t size, const std::string& name) {
  const uint32_t version = static_cast<uint32_t>(FxpNetwork::kFileVersion);
  const Payload p = checked_payload(data, size, name, {kMagic, ".qnnf", "network file", version, version});
  Reader r(p.data, p.size, name, "network file");
  const uint32_t h = r.u32(), w = r.u32(), classes = r.u32(), layers = r.u32();
  if (h != kInputHeight || w != kInputWidth || classes != kNumClasses)
    fail(name, "unsupported network input or classes");
  if (layers != 7) fail(name, "unsupported architecture (" + std::to_string(layers) + " layers)");
  FxpFile f;
  f.input = read_format(r);
  if (!plausible(f.input) || f.input.bw > 9) fail(name, "corrupt network file (input format)");
  FxpFormat in = f.input;
  for (int i = 0; i < 7; ++i) {
    f.layers.push_back(read_layer(r, i, in, name));
    in = f.layers.back().output;
  }
  if (r.remaining() != 0) fail(name, "corrupt network file (unparsed bytes)");
  return f;
}

}  // namespace detail
}  // namespace qnn

// Reading the .qnnw weights file and the .qnnd data sets (formats: docs/qnn.md).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <zlib.h>

#include "byte_reader.h"
#include "file_header.h"
#include "internal.h"
#include "lowbit/levels.h"
#include "qnn/network.h"

namespace qnn {
namespace detail {
namespace {

constexpr char kMagic[8] = {'Q', 'N', 'N', 'W', '\r', '\n', '\x1a', '\n'};

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size) {
  // zlib's CRC-32 (the one Python's zlib.crc32 computes), in chunks: its length argument is a uInt.
  uLong c = ::crc32(0L, Z_NULL, 0);
  for (size_t done = 0; done < size;) {
    const size_t n = std::min<size_t>(size - done, 1u << 30);
    c = ::crc32(c, data + done, static_cast<uInt>(n));
    done += n;
  }
  return static_cast<uint32_t>(c);
}

WeightsFile parse_weights(const uint8_t* data, size_t size, const std::string& name) {
  const Payload p = checked_payload(
      data, size, name,
      {kMagic, ".qnnw", "weights file", static_cast<uint32_t>(kOldestWeightsVersion),
       static_cast<uint32_t>(kWeightsVersion)});
  const uint32_t version = p.version;
  Reader r(p.data, p.size, name);
  WeightsFile w;
  w.version = version;
  w.input_height = r.u32();
  w.input_width = r.u32();
  w.input_channels = r.u32();
  w.num_classes = r.u32();
  const uint32_t class_chars = r.u32();
  if (class_chars > 256) fail(name, "corrupt weights file (class list)");
  const uint8_t* cls = r.take(class_chars);
  w.classes.assign(reinterpret_cast<const char*>(cls), class_chars);
  if (w.input_height != kInputHeight || w.input_width != kInputWidth || w.input_channels != 1 ||
      w.num_classes != kNumClasses || w.classes != kClasses)
    fail(name, "unsupported network input or classes");
  const uint32_t num_layers = r.u32();
  if (num_layers != 7) fail(name, "unsupported architecture (" + std::to_string(num_layers) + " layers)");
  for (uint32_t i = 0; i < num_layers; ++i) {
    uint32_t got[7];  // kind, in_channels, out_channels, kernel_h, kernel_w, stride, pad: LayerDesc's order
    for (uint32_t& field : got) field = r.u32();
    if (std::memcmp(got, kMrzArch[i], sizeof got) != 0)
      fail(name, "unsupported architecture (layer " + std::to_string(i + 1) + ")");
    w.layers.push_back({got[0], got[1], got[2], got[3], got[4], got[5], got[6]});
  }
  auto weight_count = [&](const LayerDesc& d) {
    return static_cast<size_t>(d.out_channels) * d.in_channels * d.kernel_h * d.kernel_w;
  };
  for (const LayerDesc& d : w.layers) {
    w.weights.push_back(r.array<float>(weight_count(d)));
    w.biases.push_back(r.array<float>(d.out_channels));
  }
  const uint32_t num_variants = r.u32();
  if (num_variants > 16) fail(name, "corrupt weights file (variant count)");
  for (uint32_t v = 0; v < num_variants; ++v) {
    VariantData var;
    const uint32_t bits = r.u32();
    const uint32_t quantized = r.u32();
    std::string label;
    if (bits == kLevelVariantBits && version >= 2) {
      var.bits = 0;
      const uint32_t nx = r.u32(), nw = r.u32();
      if (nx > 255 || nw > 255)
        fail(name, "unsupported level variant (level counts " + std::to_string(nx) + ", " +
                       std::to_string(nw) + ")");
      var.act_levels = static_cast<int>(nx);
      var.weight_levels = static_cast<int>(nw);
      const std::string why = lowbit::why_invalid({var.act_levels, var.weight_levels});
      if (!why.empty()) fail(name, "unsupported level variant: " + why);
      label = "QNN-4.6";
    } else if (bits == 4 || bits == 8) {
      var.bits = static_cast<int>(bits);
      var.act_levels = var.weight_levels = 1 << var.bits;
      label = "QNN-" + std::to_string(var.bits);
    } else {
      fail(name, "unsupported quantized variant (bits " + std::to_string(bits) + ")");
    }
    if (quantized != num_layers - 1)
      fail(name, "unsupported quantized variant (" + std::to_string(quantized) + " quantized layers)");
    const int32_t qmax = var.weight_levels - 1;
    for (uint32_t i = 0; i < quantized; ++i) {
      const LayerDesc& d = w.layers[i];
      QuantLayerData q;
      q.act_lo = r.f32();
      q.act_hi = r.f32();
      q.in_scale = r.f32();
      q.in_zero_point = r.i32();
      q.w_scale = r.f32();
      q.w_offset = r.f32();
      q.w_zero_point = r.i32();
      q.out_scale = r.f32();
      q.requant_scale = r.f32();
      q.weights = r.array<float>(weight_count(d));
      q.codes = r.array<uint8_t>(weight_count(d));
      q.bias = r.array<int32_t>(d.out_channels);
      const std::string where = label + " layer " + std::to_string(i + 1);
      if (!(q.in_scale > 0) || !(q.w_scale > 0) || !(q.out_scale > 0) || !std::isfinite(q.out_scale))
        fail(name, "corrupt weights file (" + where + ": scale)");
      if (q.in_zero_point != 0) fail(name, "unsupported input zero point (" + where + ")");
      if (q.w_zero_point < 0 || q.w_zero_point > qmax ||
          (var.is_levels() && q.w_zero_point != lowbit::centre_code(var.weight_levels)))
        fail(name, "corrupt weights file (" + where + ": zero point)");
      for (uint8_t c : q.codes)
        if (c > qmax) fail(name, "corrupt weights file (" + where + ": code out of range)");
      const bool last = i + 1 == quantized;
      if (!last && !(q.requant_scale > 0 && std::isfinite(q.requant_scale)))
        fail(name, "corrupt weights file (" + where + ": requantization scale)");
      var.layers.push_back(std::move(q));
    }
    const LayerDesc& fc = w.layers.back();
    var.fc_weights = r.array<float>(weight_count(fc));
    var.fc_bias = r.array<float>(fc.out_channels);
    w.variants.push_back(std::move(var));
  }
  if (r.remaining() != 0) fail(name, "corrupt weights file (unparsed bytes)");
  return w;
}

}  // namespace detail
}  // namespace qnn

namespace qnn {

Dataset load_dataset(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_bytes(path, "data set");
  constexpr size_t kHead = 8 + 6 * 4;
  if (bytes.size() < kHead) throw std::runtime_error(path + ": truncated data set (no header)");
  if (std::memcmp(bytes.data(), "QNNDATA1", 8) != 0)
    throw std::runtime_error(path + ": not a .qnnd data set (wrong magic)");
  uint32_t h[6];
  std::memcpy(h, bytes.data() + 8, sizeof h);
  if (h[0] != 1)
    throw std::runtime_error(path + ": data set version " + std::to_string(h[0]) + ", expected 1");
  Dataset d;
  d.count = static_cast<int>(h[1]);
  d.height = static_cast<int>(h[2]);
  d.width = static_cast<int>(h[3]);
  d.num_classes = static_cast<int>(h[4]);
  const size_t name_len = h[5];
  if (d.height != kInputHeight || d.width != kInputWidth || d.num_classes != kNumClasses)
    throw std::runtime_error(path + ": data set of " + std::to_string(d.height) + "x" +
                             std::to_string(d.width) + " images / " + std::to_string(d.num_classes) +
                             " classes does not fit the network");
  const size_t pixels = static_cast<size_t>(d.count) * d.height * d.width;
  if (bytes.size() != kHead + name_len + d.count + pixels)
    throw std::runtime_error(path + ": truncated or corrupt data set (size mismatch)");
  const uint8_t* p = bytes.data() + kHead;
  d.name.assign(reinterpret_cast<const char*>(p), name_len);
  p += name_len;
  d.labels.assign(p, p + d.count);
  p += d.count;
  d.images.assign(p, p + pixels);
  for (uint8_t l : d.labels)
    if (l >= kNumClasses) throw std::runtime_error(path + ": corrupt data set (label out of range)");
  return d;
}

}  // namespace qnn

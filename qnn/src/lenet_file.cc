// Reading the .lenet weights file: header (magic, version, payload size, zlib CRC-32), architecture,
// float weights, and per quantized variant its ranges.
#include "lenet_file.h"

#include <cmath>
#include <cstring>

#include "byte_reader.h"
#include "internal.h"
#include "qnn/lenet.h"

namespace qnn {
namespace detail {
namespace {

constexpr char kMagic[8] = {'L', 'E', 'N', 'E', 'T', '5', '\r', '\n'};
constexpr size_t kHeaderBytes = 20;
// The architecture this library runs: (kind, in, out, kernel), as lowbit.distortion.lenet.ARCH.
constexpr LeNetLayerDesc kArch[kLeNetLayers] = {
    {0, 1, 6, 5}, {0, 6, 16, 5}, {1, 400, 120, 1}, {1, 120, 84, 1}, {2, 84, 10, 1}};

const uint8_t* checked_payload(const uint8_t* data, size_t size, const std::string& name, uint32_t* payload_size) {
  if (size < kHeaderBytes)
    fail(name, "truncated weights file (" + std::to_string(size) + " bytes, shorter than the header)");
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0) fail(name, "not a .lenet weights file (wrong magic)");
  uint32_t header[3];  // version, payload size, payload CRC-32
  std::memcpy(header, data + 8, sizeof header);
  if (header[0] != static_cast<uint32_t>(LeNet5::kFileVersion))
    fail(name, ".lenet version " + std::to_string(header[0]) + ", this library reads version " +
                   std::to_string(LeNet5::kFileVersion));
  if (size - kHeaderBytes < header[1])
    fail(name, "truncated weights file (" + std::to_string(size) + " bytes, the header promises " +
                   std::to_string(kHeaderBytes + header[1]) + ")");
  if (size - kHeaderBytes > header[1]) fail(name, "corrupt weights file (trailing bytes)");
  if (crc32(data + kHeaderBytes, header[1]) != header[2]) fail(name, "corrupt weights file (CRC-32 mismatch)");
  *payload_size = header[1];
  return data + kHeaderBytes;
}

LeNetRanges read_ranges(Reader& r, const std::string& name) {
  LeNetRanges v;
  const uint32_t bits = r.u32();
  if (bits != 8 && bits != 4) fail(name, "unsupported quantized variant (bits " + std::to_string(bits) + ")");
  v.bits = static_cast<int>(bits);
  for (float& x : v.act_hi) x = r.f32();
  for (float& x : v.w_lo) x = r.f32();
  for (float& x : v.w_hi) x = r.f32();
  for (int i = 0; i < kLeNetQuantized; ++i) {
    const std::string where = std::to_string(v.bits) + "-bit layer " + std::to_string(i + 1);
    if (!(v.act_hi[i] > 0) || !std::isfinite(v.act_hi[i]))
      fail(name, "corrupt weights file (" + where + ": activation range)");
    if (!std::isfinite(v.w_lo[i]) || !std::isfinite(v.w_hi[i]) || v.w_lo[i] > v.w_hi[i])
      fail(name, "corrupt weights file (" + where + ": weight range)");
  }
  return v;
}

}  // namespace

LeNetFile parse_lenet(const uint8_t* data, size_t size, const std::string& name) {
  uint32_t payload_size = 0;
  const uint8_t* payload = checked_payload(data, size, name, &payload_size);
  Reader r(payload, payload_size, name);
  LeNetFile f;
  if (r.u32() != kLeNetLayers) fail(name, "not the LeNet-5 architecture (layer count)");
  for (const LeNetLayerDesc& want : kArch) {
    LeNetLayerDesc got;
    got.kind = r.u32();
    got.in = r.u32();
    got.out = r.u32();
    got.kernel = r.u32();
    if (got.kind != want.kind || got.in != want.in || got.out != want.out || got.kernel != want.kernel)
      fail(name, "not the LeNet-5 architecture (layer " + std::to_string(f.layers.size() + 1) + ")");
    f.layers.push_back(got);
  }
  for (const LeNetLayerDesc& d : f.layers) {
    f.weights.push_back(r.array<float>(static_cast<size_t>(d.out) * d.in * d.kernel * d.kernel));
    f.biases.push_back(r.array<float>(d.out));
  }
  const uint32_t num_variants = r.u32();
  if (num_variants > 2) fail(name, "corrupt weights file (variant count)");
  for (uint32_t v = 0; v < num_variants; ++v) {
    f.variants.push_back(read_ranges(r, name));
    for (uint32_t u = 0; u < v; ++u)
      if (f.variants[u].bits == f.variants.back().bits)
        fail(name, "corrupt weights file (two " + std::to_string(f.variants[u].bits) + "-bit variants)");
  }
  if (r.remaining() != 0) fail(name, "corrupt weights file (unparsed bytes)");
  return f;
}

}  // namespace detail
}  // namespace qnn

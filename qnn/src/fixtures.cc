// Reading the fixtures files (layouts: qnn/fixtures.h).
#include "qnn/fixtures.h"

#include <cstring>
#include <stdexcept>

#include "byte_reader.h"
#include "internal.h"

namespace qnn {
const FixtureOutput* FixtureImage::output(int bits) const {
  for (const FixtureOutput& o : outputs)
    if (o.bits == bits) return &o;
  return nullptr;
}

Fixtures read_fixtures(const std::string& path) {
  const std::vector<uint8_t> d = detail::read_bytes(path, "fixtures file");
  detail::Reader c(d.data(), d.size(), path, "fixtures file");
  char magic[8];
  c.take(magic, 8);
  const bool lenet = std::memcmp(magic, "LENETFX1", 8) == 0;
  if (!lenet && std::memcmp(magic, "QNNFIXT1", 8) != 0)
    throw std::runtime_error(path + ": not a fixtures file (wrong magic)");
  const uint32_t version = c.u32(), count = c.u32();
  Fixtures f;
  f.path = path;
  f.height = static_cast<int>(c.u32());
  f.width = static_cast<int>(c.u32());
  f.num_classes = static_cast<int>(c.u32());
  const uint32_t num_variants = c.u32();
  if (version != 1) throw std::runtime_error(path + ": fixtures version " + std::to_string(version) + ", expected 1");
  if (f.height > 256 || f.width > 256 || f.num_classes > 1000 || num_variants > 16)
    throw std::runtime_error(path + ": corrupt fixtures file (header)");
  for (uint32_t v = 0; v < num_variants; ++v) f.bits.push_back(static_cast<int>(c.u32()));
  f.num_sums = static_cast<int>(c.u32());
  if (f.num_sums > 1 << 20) throw std::runtime_error(path + ": corrupt fixtures file (header)");
  for (uint32_t i = 0; i < count; ++i) {
    FixtureImage im;
    im.pixels.resize(static_cast<size_t>(f.height) * f.width);
    c.take(im.pixels.data(), im.pixels.size());
    im.label = static_cast<int>(c.u32());
    if (lenet) c.take(&im.sigma, 4);
    im.torch_logits.resize(f.num_classes);
    c.take(im.torch_logits.data(), 4 * im.torch_logits.size());
    for (int bits : f.bits) {
      FixtureOutput o{bits, std::vector<float>(f.num_classes), std::vector<int32_t>(f.num_sums)};
      c.take(o.logits.data(), 4 * o.logits.size());
      c.take(o.sums.data(), 4 * o.sums.size());
      im.outputs.push_back(std::move(o));
    }
    f.images.push_back(std::move(im));
  }
  if (c.remaining() != 0) throw std::runtime_error(path + ": corrupt fixtures file (trailing bytes)");
  return f;
}

FxpFixtures read_fxp_fixtures(const std::string& path) {
  const std::vector<uint8_t> d = detail::read_bytes(path, "fixtures file");
  detail::Reader c(d.data(), d.size(), path, "fixtures file");
  char magic[8];
  c.take(magic, 8);
  if (std::memcmp(magic, "QNNFXFX1", 8) != 0) throw std::runtime_error(path + ": not a QNN-FXP fixtures file (wrong magic)");
  const uint32_t version = c.u32(), count = c.u32();
  FxpFixtures f;
  f.path = path;
  f.height = static_cast<int>(c.u32());
  f.width = static_cast<int>(c.u32());
  f.num_classes = static_cast<int>(c.u32());
  f.num_sums = static_cast<int>(c.u32());
  if (version != 1) throw std::runtime_error(path + ": fixtures version " + std::to_string(version) + ", expected 1");
  if (f.height > 256 || f.width > 256 || f.num_classes > 1000 || f.num_sums > 1 << 20)
    throw std::runtime_error(path + ": corrupt fixtures file (header)");
  for (uint32_t i = 0; i < count; ++i) {
    FxpFixtureImage im;
    im.pixels.resize(static_cast<size_t>(f.height) * f.width);
    c.take(im.pixels.data(), im.pixels.size());
    im.label = static_cast<int>(c.u32());
    im.layer6_sums = c.array<int32_t>(f.num_sums);
    im.fc_sums = c.array<int32_t>(f.num_classes);
    im.logit_codes = c.array<int32_t>(f.num_classes);
    f.images.push_back(std::move(im));
  }
  if (c.remaining() != 0) throw std::runtime_error(path + ": corrupt fixtures file (trailing bytes)");
  return f;
}

}  // namespace qnn

// The fixtures files the Python integer references write for the C++ engine's bit-exact tests:
//   .bin "QNNFIXT1" (the MRZ network; lowbit qnn-train, docs/qnn.md "Fixtures") and
//   .lenetfx "LENETFX1" (LeNet-5; lowbit distortion fixtures, python/lowbit/distortion/fixtures.py).
// Both: char[8] magic, u32 version (1), count, height, width, num_classes, num_variants,
// u32 bits[num_variants], u32 num_sums; then per image u8 pixels[height * width], u32 label,
// (LENETFX1 only: f32 sigma), f32 torch_logits[num_classes], and per variant f32 logits[num_classes],
// i32 sums[num_sums] (the int32 sums after bias and ReLU that the last Q->F step reads).
// And .bin "QNNFXFX1" (QNN-FXP; lowbit qnn-fxp, docs/qnn.md "QNN-FXP"): char[8] magic, u32 version (1),
// count, height, width, num_classes, num_sums; per image u8 pixels[height * width], u32 label,
// i32 layer6_sums[num_sums], i32 fc_sums[num_classes], i32 logit_codes[num_classes].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

// One variant's expected outputs for one image.
struct FixtureOutput {
  int bits = 0;  // the variant: 8, 4 (0 = QNN-4.6 in QNNFIXT1)
  std::vector<float> logits;
  std::vector<int32_t> sums;
};

struct FixtureImage {
  std::vector<uint8_t> pixels;
  int label = 0;
  float sigma = 0.0f;  // the blur of a LENETFX1 image (0 in QNNFIXT1)
  std::vector<float> torch_logits;
  std::vector<FixtureOutput> outputs;  // one per variant, in the file's order
  // The outputs of the variant with this bits field, or nullptr.
  const FixtureOutput* output(int bits) const;
};

struct Fixtures {
  std::string path;
  int height = 0, width = 0, num_classes = 0, num_sums = 0;
  std::vector<int> bits;  // the variants' bits fields, in the file's order
  std::vector<FixtureImage> images;
};

// One QNNFXFX1 image: the integer model's GEMM sums of conv6 and fc (before the bias) and logit codes.
struct FxpFixtureImage {
  std::vector<uint8_t> pixels;
  int label = 0;
  std::vector<int32_t> layer6_sums, fc_sums, logit_codes;
};

struct FxpFixtures {
  std::string path;
  int height = 0, width = 0, num_classes = 0, num_sums = 0;
  std::vector<FxpFixtureImage> images;
};

// Reads a QNNFXFX1 file; errors as read_fixtures.
FxpFixtures read_fxp_fixtures(const std::string& path);

// Reads either of QNNFIXT1 / LENETFX1 (told apart by the magic). Throws std::runtime_error starting with `path`
// (missing, truncated, wrong magic or version, trailing bytes).
Fixtures read_fixtures(const std::string& path);

}  // namespace qnn

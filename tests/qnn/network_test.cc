// Tests of the qnn library against the fixtures written by lowbit qnn-train:
//   - the float variant matches PyTorch's logits to 1e-4;
//   - QNN-8, QNN-4 and QNN-4.6 match lowbit.qnn.intmodel's integer pipeline bit for bit (logits
//     and layer 6's int32 sums), and QNN-32 (Eigen int32) matches QNN-8 bit for bit; QNN-4.6 on
//     every uint4_6 path this CPU can run;
//   - the weights file's quantization is lowbit's (choose_quant_params / quantize, and
//     choose_level_params / choose_symmetric_params for QNN-4.6);
//   - version-1 files (without QNN-4.6) still load and give the same QNN-8 / QNN-4 results;
//   - damaged weights files throw std::runtime_error whose message names the file;
//   - warm inference allocates nothing (operator new is counted).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "allocation_counter.h"
#include "damaged_file.h"
#include "forced_isa.h"
#include "internal.h"
#include "lowbit/gemm.h"
#include "lowbit/levels.h"
#include "lowbit/quantize.h"
#include "qnn/fixtures.h"
#include "qnn/fxp.h"
#include "qnn/network.h"

namespace {

// QNN_TEST_MODELS overrides the directory of mrz-v1.qnnw and mrz-v1-fixtures.bin.
const std::string kModels = std::getenv("QNN_TEST_MODELS") ? std::getenv("QNN_TEST_MODELS") : QNN_MODELS_DIR;
const std::string kWeights = kModels + "/mrz-v1.qnnw";
const std::string kFixtures = kModels + "/mrz-v1-fixtures.bin";

std::vector<uint8_t> read_file(const std::string& path) { return qnn::detail::read_bytes(path, "file"); }
std::vector<qnn::FixtureImage> load_fixtures() { return qnn::read_fixtures(kFixtures).images; }

using qnn_test::temp_path;
using qnn_test::write_file;

void expect_load_error(const std::vector<uint8_t>& bytes, const std::string& name, const std::string& what) {
  qnn_test::expect_load_error([](const std::string& p) { qnn::Network::load(p); }, bytes, name, what);
}

// The fixtures' per-variant code, as the weights file's `bits`: 8, 4, or 0 for QNN-4.6.
qnn::Variant variant_of_bits(int bits) {
  return bits == 4 ? qnn::Variant::kQ4 : bits == 0 ? qnn::Variant::kQ46 : qnn::Variant::kQ8;
}

qnn::detail::WeightsFile parse(const std::vector<uint8_t>& bytes, const std::string& name) {
  return qnn::detail::parse_weights(bytes.data(), bytes.size(), name);
}

// Bytes of the 4.6-bit variant's record (the last variant of the committed file).
size_t level_variant_bytes(const qnn::detail::WeightsFile& w) {
  size_t n = 4 * 4;  // bits, num_quantized_layers, N_x, N_w
  for (size_t i = 0; i + 1 < w.layers.size(); ++i) {
    const size_t count = w.weights[i].size();
    n += 9 * 4 + count * 4 + count + w.layers[i].out_channels * 4;
  }
  return n + w.weights.back().size() * 4 + w.layers.back().out_channels * 4;
}

void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

// Rewrites the header (version, payload size, CRC) for `payload`.
std::vector<uint8_t> with_header(const std::vector<uint8_t>& good, uint32_t version,
                                 std::vector<uint8_t> payload) {
  std::vector<uint8_t> b(good.begin(), good.begin() + 24);
  put_u32(b, 8, version);
  put_u32(b, 16, static_cast<uint32_t>(payload.size()));
  put_u32(b, 20, qnn::detail::crc32(payload.data(), payload.size()));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

// The committed file without its 4.6-bit variant, written as version 1 (the format before it).
std::vector<uint8_t> version1_bytes(const std::vector<uint8_t>& good) {
  const qnn::detail::WeightsFile w = parse(good, "committed");
  const size_t cut = good.size() - level_variant_bytes(w);
  std::vector<uint8_t> payload(good.begin() + 24, good.begin() + static_cast<std::ptrdiff_t>(cut));
  // num_variants sits just before the first variant: after the float model
  size_t at = 4 * 4 + 4 + 36 + 4 + 7 * 7 * 4;
  for (size_t i = 0; i < w.weights.size(); ++i) at += (w.weights[i].size() + w.biases[i].size()) * 4;
  uint32_t nv;
  std::memcpy(&nv, payload.data() + at, 4);
  EXPECT_EQ(nv, 3u);
  put_u32(payload, at, nv - 1);
  return with_header(good, 1, payload);
}

TEST(QnnNetwork, LoadsAndDescribesLayers) {
  qnn::Network net = qnn::Network::load(kWeights);
  const auto& layers = net.layers();
  ASSERT_EQ(layers.size(), 7u);
  long macs = 0;
  for (const auto& l : layers) macs += l.macs;
  EXPECT_EQ(layers[0].out_height, 28);
  EXPECT_EQ(layers[5].out_height, 2);
  EXPECT_EQ(macs, 156800 + 389376 + 82944 + 115200 + 36864 + 13824 + 3456);
  EXPECT_EQ(net.path(), kWeights);
  EXPECT_EQ(net.gemm_name(qnn::Variant::kFloat), "eigen_f32");
  EXPECT_NE(net.gemm_name(qnn::Variant::kQ4).find("u4_"), std::string::npos);
  EXPECT_NE(net.gemm_name(qnn::Variant::kQ8).find("u8_"), std::string::npos);
  EXPECT_EQ(net.gemm_name(qnn::Variant::kQ46).rfind("u4_6_", 0), 0u) << net.gemm_name(qnn::Variant::kQ46);
  EXPECT_EQ(net.gemm_name(qnn::Variant::kQ46), lowbit::select_path(lowbit::Scheme::kUint4_6).name);
  EXPECT_TRUE(net.has_variant(qnn::Variant::kQ46));
  EXPECT_EQ(net.bits(qnn::Variant::kQ46), 0);
  EXPECT_EQ(
      lowbit::why_invalid({net.activation_levels(qnn::Variant::kQ46), net.weight_levels(qnn::Variant::kQ46)}),
      "");
  EXPECT_EQ(net.activation_levels(qnn::Variant::kQ4), 16);
  EXPECT_EQ(net.weight_levels(qnn::Variant::kQ32), 256);
}

TEST(QnnNetwork, FloatMatchesPyTorch) {
  qnn::Network net = qnn::Network::load(kWeights);
  const auto fixtures = load_fixtures();
  ASSERT_GE(fixtures.size(), 8u);
  for (size_t i = 0; i < fixtures.size(); ++i) {
    float logits[qnn::kNumClasses];
    net.forward(fixtures[i].pixels.data(), qnn::Variant::kFloat, logits);
    for (int j = 0; j < qnn::kNumClasses; ++j)
      EXPECT_NEAR(logits[j], fixtures[i].torch_logits[j], 1e-4) << "image " << i << " class " << j;
  }
}

TEST(QnnNetwork, QuantizedVariantsMatchIntegerModelExactly) {
  qnn::Network net = qnn::Network::load(kWeights);
  const auto fixtures = load_fixtures();
  int checked = 0, expected_checks = 0;
  bool saw_q46 = false;
  for (const auto& expected : fixtures[0].outputs) {
    expected_checks += expected.bits == 8 ? 2 : 1;
    saw_q46 |= expected.bits == 0;
  }
  EXPECT_TRUE(saw_q46) << "the fixtures have no QNN-4.6 outputs";
  for (size_t i = 0; i < fixtures.size(); ++i) {
    for (const auto& expected : fixtures[i].outputs) {
      std::vector<qnn::Variant> variants = {variant_of_bits(expected.bits)};
      if (expected.bits == 8) variants.push_back(qnn::Variant::kQ32);  // same pipeline, Eigen int32
      for (qnn::Variant v : variants) {
        float logits[qnn::kNumClasses];
        const int cls = net.forward(fixtures[i].pixels.data(), v, logits);
        EXPECT_EQ(net.last_conv_sums(v), expected.sums) << qnn::variant_name(v) << " image " << i;
        EXPECT_EQ(std::memcmp(logits, expected.logits.data(), sizeof logits), 0)
            << qnn::variant_name(v) << " image " << i << ": logits differ from the integer model";
        int best = 0;
        for (int j = 1; j < qnn::kNumClasses; ++j)
          if (expected.logits[j] > expected.logits[best]) best = j;
        EXPECT_EQ(cls, best);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(fixtures.size()) * expected_checks);
}

// QNN-4.6 on every uint4_6 path compiled in and usable here (LOWBIT_ISA forces the path at load).
TEST(QnnNetwork, Q46MatchesIntegerModelOnEveryUsablePath) {
  const auto fixtures = load_fixtures();
  qnn_test::ForcedIsa forced;
  int paths = 0;
  for (const lowbit::GemmPath* path : qnn_test::usable_paths(lowbit::Scheme::kUint4_6)) {
    forced.force(*path);
    qnn::Network net = qnn::Network::load(kWeights);
    ASSERT_EQ(net.gemm_name(qnn::Variant::kQ46), path->name);
    for (size_t i = 0; i < fixtures.size(); ++i) {
      for (const auto& expected : fixtures[i].outputs) {
        if (expected.bits != 0) continue;
        float logits[qnn::kNumClasses];
        net.forward(fixtures[i].pixels.data(), qnn::Variant::kQ46, logits);
        EXPECT_EQ(net.last_conv_sums(qnn::Variant::kQ46), expected.sums) << path->name << " image " << i;
        EXPECT_EQ(std::memcmp(logits, expected.logits.data(), sizeof logits), 0)
            << path->name << " image " << i;
      }
    }
    ++paths;
  }
  EXPECT_GE(paths, 1);
}

TEST(QnnWeightsFile, Version1FilesStillLoad) {
  const std::vector<uint8_t> good = read_file(kWeights);
  const std::vector<uint8_t> v1 = version1_bytes(good);
  const qnn::detail::WeightsFile w = parse(v1, "v1");
  EXPECT_EQ(w.version, 1u);
  ASSERT_EQ(w.variants.size(), 2u);
  qnn::Network old = qnn::Network::from_bytes(v1, "old.qnnw");
  qnn::Network net = qnn::Network::load(kWeights);
  EXPECT_FALSE(old.has_variant(qnn::Variant::kQ46));
  EXPECT_TRUE(old.has_variant(qnn::Variant::kQ32));
  const auto fixtures = load_fixtures();
  for (qnn::Variant v : {qnn::Variant::kFloat, qnn::Variant::kQ8, qnn::Variant::kQ4, qnn::Variant::kQ32}) {
    for (size_t i = 0; i < fixtures.size(); ++i) {
      float a[qnn::kNumClasses], b[qnn::kNumClasses];
      old.forward(fixtures[i].pixels.data(), v, a);
      net.forward(fixtures[i].pixels.data(), v, b);
      EXPECT_EQ(std::memcmp(a, b, sizeof a), 0) << qnn::variant_name(v) << " image " << i;
    }
  }
  try {
    old.classify(fixtures[0].pixels.data(), qnn::Variant::kQ46);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("old.qnnw: has no QNN-4.6 variant"), std::string::npos) << e.what();
  }
  // A level variant needs version 2: in a version-1 file its bits field 0 is an error.
  std::vector<uint8_t> payload(good.begin() + 24, good.end());
  expect_load_error(with_header(good, 1, payload), "v1-with-levels.qnnw",
                    "unsupported quantized variant (bits 0)");
}

TEST(QnnWeightsFile, RejectsInvalidLevelPairs) {
  const std::vector<uint8_t> good = read_file(kWeights);
  const qnn::detail::WeightsFile w = parse(good, "committed");
  const size_t at = good.size() - level_variant_bytes(w);  // the 4.6-bit variant's record
  uint32_t head[4];
  std::memcpy(head, good.data() + at, sizeof head);
  EXPECT_EQ(head[0], 0u);
  EXPECT_EQ(head[1], 6u);
  EXPECT_EQ(static_cast<int>(head[2]), w.variants.back().act_levels);
  EXPECT_EQ(static_cast<int>(head[3]), w.variants.back().weight_levels);
  const std::pair<uint32_t, uint32_t> bad[] = {{255, 5}, {63, 10}, {64, 9}, {1, 3}, {23, 25}, {257, 3}};
  for (const auto& [nx, nw] : bad) {
    std::vector<uint8_t> payload(good.begin() + 24, good.end());
    put_u32(payload, at - 24 + 8, nx);
    put_u32(payload, at - 24 + 12, nw);
    expect_load_error(with_header(good, 2, payload), "pair.qnnw", "unsupported level variant");
  }
  {  // weights that are not symmetric: zero point off the centre
    std::vector<uint8_t> payload(good.begin() + 24, good.end());
    put_u32(payload, at - 24 + 16 + 6 * 4, static_cast<uint32_t>(lowbit::centre_code(head[3]) - 1));
    expect_load_error(with_header(good, 2, payload), "zp.qnnw", "zero point");
  }
  {  // a code >= N_w
    std::vector<uint8_t> payload(good.begin() + 24, good.end());
    payload[at - 24 + 16 + 9 * 4 + w.weights[0].size() * 4] = static_cast<uint8_t>(head[3]);
    expect_load_error(with_header(good, 2, payload), "code.qnnw", "code out of range");
  }
}

// The network with every variant, QNN-FXP attached from its .qnnf file.
qnn::Network load_all_variants() {
  qnn::Network net = qnn::Network::load(kWeights);
  net.attach_fxp(qnn::FxpNetwork::load(kModels + "/mrz-v1-fxp.qnnf"));
  return net;
}

TEST(QnnNetwork, ClassifyAgreesWithForwardAndConvForwardRuns) {
  qnn::Network net = load_all_variants();
  const auto fixtures = load_fixtures();
  for (qnn::Variant v : qnn::all_variants()) {
    float logits[qnn::kNumClasses], probs[qnn::kNumClasses];
    qnn::Timing t;
    const int a = net.forward(fixtures[0].pixels.data(), v, logits, &t);
    EXPECT_EQ(net.classify(fixtures[0].pixels.data(), v), a);
    net.conv_forward(fixtures[0].pixels.data(), v);
    EXPECT_EQ(t.images, 1);
    EXPECT_GT(t.total_seconds(), 0.0);
    EXPECT_LE(t.conv_seconds(), t.total_seconds());
    // The split covers the pass: the stages' sums are the layers' sums; layer 1 has the input stage,
    // every convolution an im2col and a GEMM stage, and the last "layer" only the FC stage.
    double by_stage = 0;
    for (int s = 0; s < qnn::kStages; ++s) by_stage += t.stage_seconds(static_cast<qnn::Stage>(s));
    EXPECT_NEAR(by_stage, t.total_seconds(), 1e-12);
    EXPECT_GT(t.seconds[0][static_cast<int>(qnn::Stage::kInput)], 0.0);
    EXPECT_EQ(t.stage_seconds(qnn::Stage::kInput), t.seconds[0][static_cast<int>(qnn::Stage::kInput)]);
    EXPECT_GT(t.stage_seconds(qnn::Stage::kGemm), 0.0);
    EXPECT_EQ(t.stage_seconds(qnn::Stage::kFc), t.layer_seconds(qnn::kTimedLayers - 1));
    qnn::softmax(logits, probs);
    float sum = 0;
    for (float p : probs) sum += p;
    EXPECT_NEAR(sum, 1.0f, 1e-5);
    EXPECT_GT(probs[a], 0.0f);
  }
}

TEST(QnnNetwork, WarmInferenceAllocatesNothing) {
  qnn::Network net = load_all_variants();
  const auto fixtures = load_fixtures();
  for (qnn::Variant v : qnn::all_variants()) {
    float logits[qnn::kNumClasses];
    net.forward(fixtures[0].pixels.data(), v, logits);  // warm up
    const long before = qnn_test::allocations();
    for (int i = 0; i < 4; ++i) net.forward(fixtures[i].pixels.data(), v, logits);
    net.conv_forward(fixtures[1].pixels.data(), v);
    const long allocations = qnn_test::allocations() - before;
    EXPECT_EQ(allocations, 0) << qnn::variant_name(
        v);  // q4_6 too: its per-call level check allocates nothing
  }
}

TEST(QnnNetwork, QuantizationIsLowbits) {
  const std::vector<uint8_t> bytes = read_file(kWeights);
  const qnn::detail::WeightsFile w = qnn::detail::parse_weights(bytes.data(), bytes.size(), kWeights);
  ASSERT_EQ(w.variants.size(), 3u);
  EXPECT_EQ(w.version, 2u);
  EXPECT_EQ(w.variants[0].bits, 8);
  EXPECT_EQ(w.variants[1].bits, 4);
  ASSERT_TRUE(w.variants[2].is_levels());
  for (const auto& v : w.variants) {
    for (size_t i = 0; i < v.layers.size(); ++i) {
      const auto& q = v.layers[i];
      float max_abs = 0.0f;
      for (float x : q.weights) max_abs = std::max(max_abs, std::fabs(x));
      const lowbit::QuantParams p =
          v.is_levels() ? lowbit::choose_symmetric_params(max_abs, v.weight_levels)
                        : lowbit::choose_quant_params(q.weights.data(), q.weights.size(), v.bits);
      EXPECT_EQ(p.scale, q.w_scale) << v.bits << "-bit layer " << i + 1;
      EXPECT_EQ(p.offset, q.w_offset);
      EXPECT_EQ(p.zero_point, q.w_zero_point);
      std::vector<uint8_t> codes(q.weights.size());
      lowbit::quantize(q.weights.data(), q.weights.size(), p, codes.data());
      EXPECT_EQ(codes, q.codes) << v.bits << "-bit layer " << i + 1;
      const lowbit::QuantParams a = v.is_levels()
                                        ? lowbit::choose_level_params(q.act_lo, q.act_hi, v.act_levels)
                                        : lowbit::choose_quant_params(q.act_lo, q.act_hi, v.bits);
      EXPECT_EQ(a.scale, q.in_scale);
      EXPECT_EQ(a.zero_point, q.in_zero_point);
      if (i + 1 < v.layers.size()) {
        // M = float32(s_x s_w / s_x(next))
        const double real = double(q.in_scale) * double(q.w_scale) / double(v.layers[i + 1].in_scale);
        EXPECT_EQ(q.requant_scale, static_cast<float>(real));
      }
      EXPECT_EQ(q.out_scale, static_cast<float>(double(q.in_scale) * double(q.w_scale)));
    }
  }
}

// qmax of every variant: 2^p - 1, and N_x - 1 of every pair on the boundary of the 4.6-bit constraint.
std::vector<int> input_qmaxes() {
  std::vector<int> q = {15, 255};
  for (const lowbit::LevelPair& p : lowbit::maximal_level_pairs()) q.push_back(p.activations - 1);
  return q;
}

TEST(QnnNetwork, InputCodesAreTheExactRounding) {
  for (int qmax : input_qmaxes()) {
    for (int range = 0; range < 256; ++range) {
      uint8_t table[256];
      qnn::detail::input_code_table(range, qmax, table);
      for (int d = 0; d <= range; ++d) {
        const int expected = range == 0 ? 0 : (2 * d * qmax + range) / (2 * range);
        ASSERT_EQ(table[d], expected) << "qmax " << qmax << " range " << range << " d " << d;
        // lowbit's map of the float input agrees except at exact ties
        if (range > 0 && (2 * d * qmax) % (2 * range) != range) {
          const lowbit::QuantParams p = lowbit::choose_level_params(0.0f, 1.0f, qmax + 1);
          EXPECT_EQ(lowbit::quantize(static_cast<float>(d) / static_cast<float>(range), p), expected);
        }
      }
    }
  }
}

TEST(QnnNetwork, WholeImageInputCodesMatchTheTable) {
  // Images whose pixels take every value of [lo, lo + range] for every range (and flat images).
  for (int qmax : input_qmaxes()) {
    for (int range = 0; range < 256; ++range) {
      for (int lo : {0, 255 - range, (255 - range) / 2}) {
        std::vector<uint8_t> image(qnn::kInputHeight * qnn::kInputWidth);
        for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(lo + (i * 7) % (range + 1));
        image[0] = static_cast<uint8_t>(lo);
        image[1] = static_cast<uint8_t>(lo + range);
        uint8_t table[256], codes[qnn::kInputHeight * qnn::kInputWidth];
        qnn::detail::input_code_table(range, qmax, table);
        qnn::detail::quantize_input(image.data(), qmax, codes);
        for (size_t i = 0; i < image.size(); ++i)
          ASSERT_EQ(codes[i], table[lo + range - image[i]]) << "qmax " << qmax << " range " << range;
      }
    }
  }
}

// ------------------------------------------------------------------ damaged files

TEST(QnnWeightsFile, CorruptTruncatedWrongMagicWrongVersion) {
  const std::vector<uint8_t> good = read_file(kWeights);
  {
    auto b = good;
    b[b.size() / 2] ^= 0x40;  // a flipped bit inside the payload
    expect_load_error(b, "corrupt.qnnw", "corrupt");
  }
  {
    auto b = good;
    b.resize(b.size() - 100);
    expect_load_error(b, "truncated.qnnw", "truncated");
    b.resize(10);
    expect_load_error(b, "short.qnnw", "truncated");
    expect_load_error({}, "empty.qnnw", "truncated");
  }
  {
    auto b = good;
    b[0] = 'X';
    expect_load_error(b, "magic.qnnw", "magic");
  }
  {
    auto b = good;
    b[8] = 3;  // version field (u32 little-endian at offset 8)
    expect_load_error(b, "version.qnnw", "version 3");
    b[8] = 0;
    expect_load_error(b, "version0.qnnw", "version 0");
  }
  {
    auto b = good;
    b.push_back(0);
    expect_load_error(b, "trailing.qnnw", "corrupt");
  }
  try {
    qnn::Network::load("/nonexistent/mrz.qnnw");
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/mrz.qnnw"), std::string::npos);
  }
}

TEST(QnnDataset, RejectsDamagedFiles) {
  std::vector<uint8_t> d = {'Q', 'N', 'N', 'D', 'A', 'T', 'A', '1'};
  const uint32_t head[6] = {1, 2, 32, 32, 36, 1};
  d.insert(d.end(), reinterpret_cast<const uint8_t*>(head), reinterpret_cast<const uint8_t*>(head) + 24);
  d.push_back('x');
  d.push_back(3);
  d.push_back(35);
  d.resize(d.size() + 2 * 32 * 32, 200);
  const std::string path = temp_path("set.qnnd");
  write_file(path, d);
  const qnn::Dataset set = qnn::load_dataset(path);
  EXPECT_EQ(set.count, 2);
  EXPECT_EQ(set.name, "x");
  EXPECT_EQ(set.labels[1], 35);
  EXPECT_EQ(set.image(1)[1023], 200);
  d.pop_back();
  write_file(path, d);
  EXPECT_THROW(qnn::load_dataset(path), std::runtime_error);
  std::remove(path.c_str());
}

TEST(QnnVariant, Names) {
  qnn::Variant v;
  ASSERT_TRUE(qnn::variant_from_name("QNN-4", &v));
  EXPECT_EQ(v, qnn::Variant::kQ4);
  ASSERT_TRUE(qnn::variant_from_name("float", &v));
  EXPECT_EQ(v, qnn::Variant::kFloat);
  EXPECT_FALSE(qnn::variant_from_name("q16", &v));
  EXPECT_STREQ(qnn::variant_paper_name(qnn::Variant::kQ32), "QNN-32");
  ASSERT_TRUE(qnn::variant_from_name("q4_6", &v));
  EXPECT_EQ(v, qnn::Variant::kQ46);
  ASSERT_TRUE(qnn::variant_from_name("QNN-4.6", &v));
  EXPECT_EQ(v, qnn::Variant::kQ46);
  EXPECT_STREQ(qnn::variant_name(qnn::Variant::kQ46), "q4_6");
  ASSERT_TRUE(qnn::variant_from_name("QNN-FXP", &v));
  EXPECT_EQ(v, qnn::Variant::kFxp);
  EXPECT_STREQ(qnn::variant_name(qnn::Variant::kFxp), "fxp");
  EXPECT_EQ(qnn::all_variants().size(), 6u);
}

}  // namespace

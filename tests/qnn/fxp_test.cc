// Tests of qnn::FxpNetwork (QNN-FXP, docs/qnn.md "QNN-FXP") against the fixtures written by
// lowbit qnn-fxp (models/mrz-v1-fxp-fixtures.bin, from lowbit.qnn.fxp_int):
//   - logit codes, conv6's and fc's int32 GEMM sums and the class equal the integer model's exactly,
//     on every ISA whose uint8 / uint4 / uint4_6 paths this CPU runs (LOWBIT_ISA forced at load);
//   - each layer runs on the scheme the file states, on the path lowbit selects;
//   - as qnn::Variant::kFxp of an attached Network: logits = codes 2^-F, the split covers the pass;
//   - accuracy on both MRZ test sets equals the Python integer model's (when models/data has them);
//   - warm inference allocates nothing; damaged .qnnf files throw naming the path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "allocation_counter.h"
#include "damaged_file.h"
#include "forced_isa.h"
#include "internal.h"
#include "lowbit/gemm.h"
#include "qnn/fixtures.h"
#include "qnn/fxp.h"
#include "qnn/network.h"

namespace {

const std::string kModels = std::getenv("QNN_TEST_MODELS") ? std::getenv("QNN_TEST_MODELS") : QNN_MODELS_DIR;
const std::string kNetwork = kModels + "/mrz-v1-fxp.qnnf";
const std::string kFixtures = kModels + "/mrz-v1-fxp-fixtures.bin";

// The schemes of the committed configuration, conv1..fc (docs/qnn.md, "QNN-FXP", per-layer table).
const char* const kSchemes[] = {"uint8", "uint4", "uint8", "uint4_6", "uint4_6", "uint4_6", "uint4_6"};

// Every fixture image: logit codes, both sums and the class, exactly. Returns the images checked.
int check_fixtures(qnn::FxpNetwork& net, const qnn::FxpFixtures& f, const std::string& where) {
  int checked = 0;
  for (size_t i = 0; i < f.images.size(); ++i) {
    const qnn::FxpFixtureImage& im = f.images[i];
    int32_t codes[qnn::kNumClasses];
    const int cls = net.forward(im.pixels.data(), codes);
    EXPECT_EQ(std::vector<int32_t>(codes, codes + qnn::kNumClasses), im.logit_codes) << where << " image " << i;
    EXPECT_EQ(net.last_layer6_sums(), im.layer6_sums) << where << " image " << i;
    EXPECT_EQ(net.last_fc_sums(), im.fc_sums) << where << " image " << i;
    int best = 0;
    for (int j = 1; j < qnn::kNumClasses; ++j)
      if (im.logit_codes[j] > im.logit_codes[best]) best = j;
    EXPECT_EQ(cls, best) << where << " image " << i;
    ++checked;
  }
  return checked;
}

TEST(QnnFxp, FixturesAreTheDocumentedOnes) {
  const qnn::FxpFixtures f = qnn::read_fxp_fixtures(kFixtures);
  EXPECT_EQ(f.images.size(), 24u);
  EXPECT_EQ(f.height, qnn::kInputHeight);
  EXPECT_EQ(f.width, qnn::kInputWidth);
  EXPECT_EQ(f.num_classes, qnn::kNumClasses);
  EXPECT_EQ(f.num_sums, qnn::FxpNetwork::kLayer6Sums);
}

TEST(QnnFxp, LogitCodesAndSumsMatchTheIntegerModelExactly) {
  qnn::FxpNetwork net = qnn::FxpNetwork::load(kNetwork);
  EXPECT_EQ(check_fixtures(net, qnn::read_fxp_fixtures(kFixtures), "selected paths"), 24);
}

TEST(QnnFxp, LayersRunOnTheirSchemesSelectedPaths) {
  const qnn::FxpNetwork net = qnn::FxpNetwork::load(kNetwork);
  ASSERT_EQ(net.layers().size(), 7u);
  long macs = 0;
  for (size_t i = 0; i < net.layers().size(); ++i) {
    const qnn::FxpLayerInfo& l = net.layers()[i];
    EXPECT_STREQ(l.scheme, kSchemes[i]) << "layer " << i + 1;
    lowbit::Scheme scheme;
    ASSERT_TRUE(lowbit::scheme_from_name(l.scheme, &scheme));
    EXPECT_EQ(l.gemm, lowbit::select_path(scheme).name) << "layer " << i + 1;
    EXPECT_EQ(l.w_levels, (1 << l.weights.bw) - 1);
    macs += l.macs;
  }
  EXPECT_EQ(macs, 798464);
  EXPECT_EQ(net.gemm_name().find(lowbit::select_path(lowbit::Scheme::kUint8).name), 0u) << net.gemm_name();
  EXPECT_EQ(net.input_format().bw, 4);
  EXPECT_EQ(net.logit_scale(), std::ldexp(1.0, -net.layers().back().output.f));
}

// The same on every instruction set whose paths of all three schemes this CPU runs (one ISA forces
// the paths of every scheme); every usable path of each scheme is covered.
TEST(QnnFxp, MatchesOnEveryUsablePath) {
  qnn_test::ForcedIsa forced;
  const qnn::FxpFixtures f = qnn::read_fxp_fixtures(kFixtures);
  std::set<std::string> covered, usable;
  for (lowbit::Scheme scheme : {lowbit::Scheme::kUint8, lowbit::Scheme::kUint4, lowbit::Scheme::kUint4_6}) {
    for (const lowbit::GemmPath* path : qnn_test::usable_paths(scheme)) {
      usable.insert(path->name);
      if (covered.count(path->name) != 0) continue;
      forced.force(*path);
      qnn::FxpNetwork net = qnn::FxpNetwork::load(kNetwork);
      for (const qnn::FxpLayerInfo& l : net.layers()) covered.insert(l.gemm);
      EXPECT_EQ(check_fixtures(net, f, net.gemm_name()), 24);
    }
  }
  for (const std::string& name : usable) EXPECT_EQ(covered.count(name), 1u) << name << " never ran";
  std::printf("QNN-FXP matched the fixtures on %zu paths\n", covered.size());
}

TEST(QnnFxp, AsAVariantOfTheNetwork) {
  qnn::Network net = qnn::Network::load(kModels + "/mrz-v1.qnnw");
  EXPECT_FALSE(net.has_variant(qnn::Variant::kFxp));
  const qnn::FxpFixtures f = qnn::read_fxp_fixtures(kFixtures);
  float logits[qnn::kNumClasses];
  EXPECT_THROW(net.forward(f.images[0].pixels.data(), qnn::Variant::kFxp, logits), std::runtime_error);
  qnn::FxpNetwork fxp = qnn::FxpNetwork::load(kNetwork);
  const double scale = fxp.logit_scale();
  const std::string gemm = fxp.gemm_name();
  net.attach_fxp(std::move(fxp));
  ASSERT_TRUE(net.has_variant(qnn::Variant::kFxp));
  EXPECT_EQ(net.gemm_name(qnn::Variant::kFxp), gemm);
  EXPECT_THROW(net.activation_levels(qnn::Variant::kFxp), std::invalid_argument);
  for (size_t i = 0; i < f.images.size(); ++i) {
    qnn::Timing t;
    const int cls = net.forward(f.images[i].pixels.data(), qnn::Variant::kFxp, logits, &t);
    for (int j = 0; j < qnn::kNumClasses; ++j)
      EXPECT_EQ(logits[j], static_cast<float>(f.images[i].logit_codes[j] * scale)) << "image " << i;
    EXPECT_EQ(net.classify(f.images[i].pixels.data(), qnn::Variant::kFxp), cls);
    EXPECT_EQ(t.images, 1);
    double by_stage = 0;
    for (int s = 0; s < qnn::kStages; ++s) by_stage += t.stage_seconds(static_cast<qnn::Stage>(s));
    EXPECT_NEAR(by_stage, t.total_seconds(), 1e-12);
    EXPECT_GT(t.seconds[0][static_cast<int>(qnn::Stage::kInput)], 0.0);
    EXPECT_GT(t.stage_seconds(qnn::Stage::kGemm), 0.0);
    EXPECT_EQ(t.stage_seconds(qnn::Stage::kFc), t.layer_seconds(qnn::kTimedLayers - 1));
  }
}

// The Python integer model's accuracy (models/mrz-v1-fxp.json, accuracy_pct.*.fxp: 99.861% of 3600
// synthetic, 94.972% of 3600 hard images) as numbers of correct images.
TEST(QnnFxp, AccuracyEqualsThePythonIntegerModels) {
  const std::string data = kModels + "/data/";
  if (!std::ifstream(data + "mrz-hard.qnnd") || !std::ifstream(data + "mrz-synthetic.qnnd"))
    GTEST_SKIP() << "no test sets in " << data << " (make qnn-data)";
  qnn::FxpNetwork net = qnn::FxpNetwork::load(kNetwork);
  for (const auto& [set, expected] : {std::pair<const char*, int>{"synthetic", 3595}, {"hard", 3419}}) {
    const qnn::Dataset d = qnn::load_dataset(data + "mrz-" + set + ".qnnd");
    int correct = 0;
    int32_t codes[qnn::kNumClasses];
    for (int i = 0; i < d.count; ++i) correct += net.forward(d.image(i), codes) == d.labels[i];
    EXPECT_EQ(d.count, 3600) << set;
    EXPECT_EQ(correct, expected) << set;
  }
}

TEST(QnnFxp, WarmInferenceAllocatesNothing) {
  qnn::FxpNetwork net = qnn::FxpNetwork::load(kNetwork);
  const qnn::FxpFixtures f = qnn::read_fxp_fixtures(kFixtures);
  int32_t codes[qnn::kNumClasses];
  qnn::Timing t;
  net.forward(f.images[0].pixels.data(), codes, &t);  // warm up (lowbit::Scratch grows once)
  const long before = qnn_test::allocations();
  for (int i = 0; i < 4; ++i) net.forward(f.images[i].pixels.data(), codes, &t);
  EXPECT_EQ(qnn_test::allocations() - before, 0);
}

// ------------------------------------------------------------------------------ damaged files

// Rewrites the header's CRC-32 so that only the payload's contents are wrong.
std::vector<uint8_t> resealed(std::vector<uint8_t> b) {
  qnn_test::put_u32(b, 20, qnn::detail::crc32(b.data() + 24, b.size() - 24));
  return b;
}

void expect_load_error(const std::vector<uint8_t>& bytes, const std::string& name, const std::string& what) {
  qnn_test::expect_load_error([](const std::string& p) { qnn::FxpNetwork::load(p); }, bytes, name, what);
}

TEST(QnnFxpFile, DamagedFilesThrowNamingThePath) {
  const std::vector<uint8_t> good = qnn::detail::read_bytes(kNetwork, "file");
  ASSERT_NO_THROW(qnn::FxpNetwork::from_bytes(good, "good"));
  ASSERT_NO_THROW(qnn::FxpNetwork::from_bytes(resealed(good), "resealed"));
  // File offsets: the header (24 bytes), 4 u32 and the input format (24 bytes), then layer 1 from 48:
  // shape (6 u32), formats (6 i32) from 72, scheme fields (6) from 96, weight codes from 120.
  constexpr size_t kLayer1 = 48;

  std::vector<uint8_t> magic = good;
  magic[3] = 'X';
  expect_load_error(magic, "magic.qnnf", "wrong magic");
  expect_load_error(std::vector<uint8_t>(good.begin(), good.begin() + 12), "header.qnnf", "truncated");
  expect_load_error(std::vector<uint8_t>(good.begin(), good.end() - 1), "short.qnnf", "truncated");
  std::vector<uint8_t> flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  expect_load_error(flipped, "flip.qnnf", "CRC-32 mismatch");
  std::vector<uint8_t> version = good;
  qnn_test::put_u32(version, 8, 2);
  expect_load_error(version, "version.qnnf", "version 2");
  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  expect_load_error(trailing, "trailing.qnnf", "trailing bytes");

  std::vector<uint8_t> arch = good;
  qnn_test::put_u32(arch, kLayer1 + 8, 7);  // conv1 with 7 channels
  expect_load_error(resealed(arch), "arch.qnnf", "unsupported architecture (layer 1)");
  std::vector<uint8_t> format = good;
  qnn_test::put_u32(format, kLayer1 + 28, format[kLayer1 + 28] + 1u);  // conv1's weight F, the shifts unchanged
  expect_load_error(resealed(format), "format.qnnf", "differ from the formats'");
  std::vector<uint8_t> wide = good;
  qnn_test::put_u32(wide, kLayer1 + 24, 12);  // 12-bit weights: no exact scheme
  expect_load_error(resealed(wide), "wide.qnnf", "no exact scheme");
  std::vector<uint8_t> code = good;
  code[kLayer1 + 72] = 127;  // conv1: 7-bit weights, codes 0..126
  expect_load_error(resealed(code), "code.qnnf", "weight code out of range");
  std::vector<uint8_t> extra = good;
  extra.push_back(0);
  qnn_test::put_u32(extra, 16, static_cast<uint32_t>(extra.size() - 24));
  expect_load_error(resealed(extra), "extra.qnnf", "unparsed bytes");

  try {
    qnn::FxpNetwork::load(kModels + "/no-such.qnnf");
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(kModels + "/no-such.qnnf: cannot open", 0), 0u) << e.what();
  }
}

}  // namespace

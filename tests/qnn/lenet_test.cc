// Tests of qnn::LeNet5 against the fixtures written by `lowbit distortion fixtures`
// (models/distortion/<training>-seed0.lenetfx, 28 blurred test digits each):
//   - QNN-8 and QNN-4: logits and dense2's int32 sums equal lowbit.distortion.quant's IntegerLeNet bit
//     for bit, on every uint8 / uint4 GEMM path this CPU runs (LOWBIT_ISA forces each at load);
//   - float: logits within qnn::kLeNetFloatTolerance of PyTorch's (another summation order: see there);
//   - qnn::check_fixtures (what qbench lenet checks) accepts them and rejects a damaged fixture;
//   - warm inference allocates nothing (allocation_counter.cc counts operator new);
//   - damaged .lenet files throw std::runtime_error whose message starts with the path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
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
#include "qnn/lenet.h"

namespace {

const std::string kModels = std::string(std::getenv("QNN_TEST_MODELS") ? std::getenv("QNN_TEST_MODELS") : QNN_MODELS_DIR) +
                            "/distortion";
const char* const kTrainings[] = {"baseline-seed0", "logit_scale-seed0"};

qnn::Variant variant_of_bits(int bits) { return bits == 4 ? qnn::Variant::kQ4 : qnn::Variant::kQ8; }

qnn::Fixtures fixtures_of(const std::string& training) {
  return qnn::read_fixtures(kModels + "/" + training + ".lenetfx");
}

TEST(LeNet5, FixturesHoldBothQuantizedVariants) {
  for (const char* training : kTrainings) {
    const qnn::Fixtures f = fixtures_of(training);
    EXPECT_EQ(f.images.size(), 28u) << training;
    EXPECT_EQ(f.height, qnn::LeNet5::kInputSize);
    EXPECT_EQ(f.width, qnn::LeNet5::kInputSize);
    EXPECT_EQ(f.num_classes, qnn::LeNet5::kClasses);
    EXPECT_EQ(f.num_sums, qnn::LeNet5::kLastSums);
    EXPECT_EQ(f.bits, (std::vector<int>{8, 4})) << training;
  }
}

TEST(LeNet5, DescribesItself) {
  qnn::LeNet5 net = qnn::LeNet5::load(kModels + "/baseline-seed0.lenet");
  EXPECT_EQ(net.macs(), 6L * 25 * 28 * 28 + 16L * 150 * 10 * 10 + 400 * 120 + 120 * 84 + 84 * 10);
  EXPECT_TRUE(net.has_variant(qnn::Variant::kQ8));
  EXPECT_TRUE(net.has_variant(qnn::Variant::kQ4));
  EXPECT_FALSE(net.has_variant(qnn::Variant::kQ32));
  EXPECT_EQ(net.gemm_name(qnn::Variant::kFloat), "eigen_f32");
  EXPECT_EQ(net.gemm_name(qnn::Variant::kQ4), lowbit::select_path(lowbit::Scheme::kUint4).name);
  EXPECT_EQ(net.gemm_name(qnn::Variant::kQ8), lowbit::select_path(lowbit::Scheme::kUint8).name);
  float logits[qnn::LeNet5::kClasses];
  const std::vector<uint8_t> blank(32 * 32, 0);
  EXPECT_THROW(net.forward(blank.data(), qnn::Variant::kQ46, logits), std::runtime_error);
}

// Every image of both trainings' fixtures, both variants: logits with memcmp, sums with ==.
int check_quantized(qnn::LeNet5& net, const qnn::Fixtures& f, const std::string& where) {
  int checked = 0;
  for (size_t i = 0; i < f.images.size(); ++i) {
    const qnn::FixtureImage& im = f.images[i];
    for (const qnn::FixtureOutput& expected : im.outputs) {
      const qnn::Variant v = variant_of_bits(expected.bits);
      float logits[qnn::LeNet5::kClasses];
      const int cls = net.forward(im.pixels.data(), v, logits);
      EXPECT_EQ(net.last_sums(v), expected.sums) << where << " " << qnn::variant_name(v) << " image " << i;
      EXPECT_EQ(std::memcmp(logits, expected.logits.data(), sizeof logits), 0)
          << where << " " << qnn::variant_name(v) << " image " << i << ": logits differ from the reference";
      int best = 0;
      for (int j = 1; j < qnn::LeNet5::kClasses; ++j)
        if (expected.logits[j] > expected.logits[best]) best = j;
      EXPECT_EQ(cls, best);
      ++checked;
    }
  }
  return checked;
}

TEST(LeNet5, QuantizedVariantsMatchTheIntegerReferenceExactly) {
  for (const char* training : kTrainings) {
    qnn::LeNet5 net = qnn::LeNet5::load(kModels + "/" + training + ".lenet");
    const qnn::Fixtures f = fixtures_of(training);
    EXPECT_EQ(check_quantized(net, f, training), 28 * 2);
  }
}

// The same on every uint8 and uint4 path compiled in and usable here, forced at load by LOWBIT_ISA
// (one ISA selects both schemes' paths of that ISA).
TEST(LeNet5, QuantizedVariantsMatchOnEveryUsablePath) {
  qnn_test::ForcedIsa forced;
  const qnn::Fixtures f = fixtures_of(kTrainings[1]);
  int isas = 0;
  for (const lowbit::GemmPath* path : qnn_test::usable_paths(lowbit::Scheme::kUint4)) {
    forced.force(*path);
    qnn::LeNet5 net = qnn::LeNet5::load(kModels + "/" + kTrainings[1] + ".lenet");
    ASSERT_EQ(net.gemm_name(qnn::Variant::kQ4), path->name);
    check_quantized(net, f, path->name);
    ++isas;
  }
  EXPECT_GE(isas, 1);
}

TEST(LeNet5, FloatMatchesPyTorch) {
  for (const char* training : kTrainings) {
    qnn::LeNet5 net = qnn::LeNet5::load(kModels + "/" + training + ".lenet");
    const qnn::Fixtures f = fixtures_of(training);
    float worst = 0;
    for (size_t i = 0; i < f.images.size(); ++i) {
      float logits[qnn::LeNet5::kClasses];
      net.forward(f.images[i].pixels.data(), qnn::Variant::kFloat, logits);
      for (int j = 0; j < qnn::LeNet5::kClasses; ++j) {
        EXPECT_NEAR(logits[j], f.images[i].torch_logits[j], qnn::kLeNetFloatTolerance) << training << " image " << i;
        worst = std::max(worst, std::fabs(logits[j] - f.images[i].torch_logits[j]));
      }
    }
    std::printf("%s: largest |float logit - PyTorch's| = %.3g\n", training, worst);
  }
}

TEST(LeNet5, CheckFixturesAcceptsTheReferenceAndRejectsOneWrongLogit) {
  qnn::LeNet5 net = qnn::LeNet5::load(kModels + "/baseline-seed0.lenet");
  qnn::Fixtures f = fixtures_of("baseline-seed0");
  float worst = -1;
  EXPECT_EQ(qnn::check_fixtures(net, f, &worst), "");
  EXPECT_GE(worst, 0.0f);
  f.images.back().outputs.back().logits[3] = std::nextafter(f.images.back().outputs.back().logits[3], 1e9f);
  EXPECT_NE(qnn::check_fixtures(net, f).find("q4 logits of image 27"), std::string::npos)
      << qnn::check_fixtures(net, f);
}

TEST(LeNet5, WarmInferenceAllocatesNothing) {
  qnn::LeNet5 net = qnn::LeNet5::load(kModels + "/baseline-seed0.lenet");
  const qnn::Fixtures f = fixtures_of("baseline-seed0");
  for (qnn::Variant v : {qnn::Variant::kFloat, qnn::Variant::kQ8, qnn::Variant::kQ4}) {
    float logits[qnn::LeNet5::kClasses];
    net.forward(f.images[0].pixels.data(), v, logits);  // warm up (lowbit::Scratch grows once)
    const long before = qnn_test::allocations();
    for (int i = 0; i < 4; ++i) net.forward(f.images[i].pixels.data(), v, logits);
    EXPECT_EQ(qnn_test::allocations() - before, 0) << qnn::variant_name(v);
  }
}

// ------------------------------------------------------------------------------ damaged files

std::vector<uint8_t> committed_bytes() { return qnn::detail::read_bytes(kModels + "/baseline-seed0.lenet", "file"); }

void expect_load_error(const std::vector<uint8_t>& bytes, const std::string& name, const std::string& what) {
  qnn_test::expect_load_error([](const std::string& p) { qnn::LeNet5::load(p); }, bytes, name, what);
}

TEST(LeNet5File, DamagedFilesThrowNamingThePath) {
  const std::vector<uint8_t> good = committed_bytes();
  ASSERT_NO_THROW(qnn::LeNet5::from_bytes(good, "good"));

  std::vector<uint8_t> magic = good;
  magic[5] = 'X';
  expect_load_error(magic, "magic.lenet", "wrong magic");

  expect_load_error(std::vector<uint8_t>(good.begin(), good.begin() + 12), "header.lenet", "truncated");
  expect_load_error(std::vector<uint8_t>(good.begin(), good.end() - 1), "short.lenet", "truncated");

  std::vector<uint8_t> flipped = good;
  flipped[good.size() / 2] ^= 0x40;  // a weight bit: only the CRC can tell
  expect_load_error(flipped, "flip.lenet", "CRC-32 mismatch");

  std::vector<uint8_t> crc = good;
  qnn_test::put_u32(crc, 16, qnn::detail::crc32(good.data() + 20, good.size() - 20) + 1);
  expect_load_error(crc, "crc.lenet", "CRC-32 mismatch");

  std::vector<uint8_t> version = good;
  qnn_test::put_u32(version, 8, 2);
  expect_load_error(version, "version.lenet", "version 2");

  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  expect_load_error(trailing, "trailing.lenet", "trailing bytes");

  // A consistent header over a payload with another architecture (conv1 with 7 channels).
  std::vector<uint8_t> arch = good;
  qnn_test::put_u32(arch, 20 + 4 + 8, 7);
  qnn_test::put_u32(arch, 16, qnn::detail::crc32(arch.data() + 20, arch.size() - 20));
  expect_load_error(arch, "arch.lenet", "not the LeNet-5 architecture");

  try {
    qnn::LeNet5::load(kModels + "/no-such.lenet");
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(kModels + "/no-such.lenet: cannot open", 0), 0u) << e.what();
  }
}

TEST(LeNet5File, ChecksumIsZlibs) {
  // zlib's CRC-32 of "123456789" (the standard check value).
  const char* text = "123456789";
  EXPECT_EQ(qnn::detail::crc32(reinterpret_cast<const uint8_t*>(text), 9), 0xCBF43926u);
}

}  // namespace

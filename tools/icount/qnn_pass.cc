// icount-driver --qnn VARIANT: the instructions of one forward pass of the QNN test's network
// (qnn/, docs/qnn.md) in one variant, counted as the products are (driver.cc): the pass is first
// checked against the committed fixtures (models/mrz-v1-fixtures.bin, written by the Python integer
// model), then run in four counted calls of counted_qnn_region (1 warm-up, 1, 1 + reps, 1 + 2 reps
// passes); instructions per pass = (B - A) / reps.
#include "qnn_pass.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "lowbit/gemm.h"
#include "qnn/fixtures.h"
#include "qnn/network.h"
#include "record.h"
#include "results_writer.h"

extern "C" {
void icount_begin(void);
void icount_end(void);

// The counted code: `reps` forward passes of the same image (every pass takes the same path: the
// network is deterministic and allocates nothing once warm).
__attribute__((noipa, used)) void counted_qnn_region(qnn::Network* net, const uint8_t* image, int variant,
                                                     long reps) {
  float logits[qnn::kNumClasses];
  icount_begin();
  for (long i = 0; i < reps; ++i) net->forward(image, static_cast<qnn::Variant>(variant), logits);
  icount_end();
}
}  // extern "C"

namespace icount {
namespace {

// "" when the pass gives the fixtures' logits: bit for bit for the integer variants (QNN-32 those of
// QNN-8), within 1e-4 of PyTorch's for float (another summation order).
std::string check_pass(qnn::Network& net, qnn::Variant v, const qnn::FixtureImage& f) {
  float logits[qnn::kNumClasses];
  net.forward(f.pixels.data(), v, logits);
  if (v == qnn::Variant::kFloat) {
    for (int j = 0; j < qnn::kNumClasses; ++j)
      if (std::fabs(logits[j] - f.torch_logits[j]) > 1e-4f)
        return "float logit " + std::to_string(j) + " off";
    return "";
  }
  const int bits = v == qnn::Variant::kQ4 ? 4 : v == qnn::Variant::kQ46 ? 0 : 8;
  const qnn::FixtureOutput* expected = f.output(bits);
  if (expected == nullptr) return "the fixtures have no logits of this variant";
  return std::memcmp(logits, expected->logits.data(), sizeof logits) == 0 ? "" : "logits differ from the integer model";
}

}  // namespace

int count_qnn_pass(const std::string& variant_name, const std::string& models, long reps) {
  qnn::Variant v;
  if (!qnn::variant_from_name(variant_name, &v)) {
    std::fprintf(stderr, "icount-driver: unknown QNN variant '%s' (float, q8, q4, q32, q4_6)\n",
                 variant_name.c_str());
    return 2;
  }
  qnn::Network net = qnn::Network::load(models + "/mrz-v1.qnnw");
  if (!net.has_variant(v)) {
    std::fprintf(stderr, "icount-driver: %s/mrz-v1.qnnw has no %s variant\n", models.c_str(),
                 variant_name.c_str());
    return 2;
  }
  const qnn::Fixtures fixtures = qnn::read_fixtures(models + "/mrz-v1-fixtures.bin");
  if (fixtures.images.empty()) {
    std::fprintf(stderr, "icount-driver: %s/mrz-v1-fixtures.bin has no images\n", models.c_str());
    return 2;
  }
  const qnn::FixtureImage& fixture = fixtures.images.front();
  const std::string error = check_pass(net, v, fixture);
  if (!error.empty()) {
    std::fprintf(stderr, "icount-driver: qnn %s: WRONG RESULT, nothing counted: %s\n", variant_name.c_str(),
                 error.c_str());
    return 1;
  }
  const int code = static_cast<int>(v);
  counted_qnn_region(&net, fixture.pixels.data(), code, 1);
  counted_qnn_region(&net, fixture.pixels.data(), code, 1);
  counted_qnn_region(&net, fixture.pixels.data(), code, 1 + reps);
  counted_qnn_region(&net, fixture.pixels.data(), code, 1 + 2 * reps);

  long macs = 0;
  for (const qnn::LayerInfo& l : net.layers()) macs += l.macs;
  print_record({{"qnn", qnn::variant_name(v)},
                {"paper_name", qnn::variant_paper_name(v)},
                {"gemm", net.gemm_name(v)},
                {"macs", macs},
                {"reps", reps}},
               reps);
  return 0;
}

}  // namespace icount

// icount-driver --lenet VARIANT: the instructions of one forward pass of LeNet-5 (qnn::LeNet5,
// docs/distortion.md) in one variant, counted as the QNN pass is (qnn_pass.cc): checked first against
// the committed fixtures (written by lowbit.distortion.quant), then four counted calls of
// counted_lenet_region (1 warm-up, 1, 1 + reps, 1 + 2 reps passes); per pass = (B - A) / reps.
#include "lenet_pass.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "qnn/fixtures.h"
#include "qnn/lenet.h"
#include "record.h"

extern "C" {
void icount_begin(void);
void icount_end(void);

__attribute__((noipa, used)) void counted_lenet_region(qnn::LeNet5* net, const uint8_t* image, int variant,
                                                       long reps) {
  float logits[qnn::LeNet5::kClasses];
  icount_begin();
  for (long i = 0; i < reps; ++i) net->forward(image, static_cast<qnn::Variant>(variant), logits);
  icount_end();
}
}  // extern "C"

namespace icount {

int count_lenet_pass(const std::string& variant_name, const std::string& models, long reps) {
  qnn::Variant v;
  qnn::LeNet5 net = qnn::LeNet5::load(models + "/" + kLeNetModel);
  if (!qnn::variant_from_name(variant_name, &v) || !net.has_variant(v)) {
    std::fprintf(stderr, "icount-driver: LeNet-5 has no variant '%s' (float, q8, q4)\n", variant_name.c_str());
    return 2;
  }
  const qnn::Fixtures fixtures = qnn::read_fixtures(models + "/" + kLeNetFixtures);
  const std::string error = qnn::check_fixtures(net, fixtures);
  if (!error.empty()) {
    std::fprintf(stderr, "icount-driver: lenet %s: WRONG RESULT, nothing counted: %s\n", variant_name.c_str(),
                 error.c_str());
    return 1;
  }
  const uint8_t* image = fixtures.images.front().pixels.data();
  const int code = static_cast<int>(v);
  counted_lenet_region(&net, image, code, 1);
  counted_lenet_region(&net, image, code, 1);
  counted_lenet_region(&net, image, code, 1 + reps);
  counted_lenet_region(&net, image, code, 1 + 2 * reps);
  print_record({{"lenet", qnn::variant_name(v)},
                {"model", kLeNetModel},
                {"gemm", net.gemm_name(v)},
                {"macs", net.macs()},
                {"reps", reps}},
               reps);
  return 0;
}

}  // namespace icount

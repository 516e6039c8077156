// LeNet-5 against its fixtures: what `qbench lenet` and the instruction-count driver check before
// they time or count anything.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "qnn/lenet.h"

namespace qnn {

std::string check_fixtures(LeNet5& net, const Fixtures& fixtures, float* max_float_error) {
  if (fixtures.height != LeNet5::kInputSize || fixtures.width != LeNet5::kInputSize ||
      fixtures.num_classes != LeNet5::kClasses || fixtures.num_sums != LeNet5::kLastSums)
    return fixtures.path + ": not LeNet-5 fixtures (image, class or sum counts)";
  if (fixtures.images.empty()) return fixtures.path + ": no images";
  float worst = 0;
  float logits[LeNet5::kClasses];
  for (size_t i = 0; i < fixtures.images.size(); ++i) {
    const FixtureImage& im = fixtures.images[i];
    const std::string where = " of image " + std::to_string(i) + " of " + fixtures.path;
    net.forward(im.pixels.data(), Variant::kFloat, logits);
    for (int j = 0; j < LeNet5::kClasses; ++j) worst = std::max(worst, std::fabs(logits[j] - im.torch_logits[j]));
    if (!(worst <= kLeNetFloatTolerance))
      return "float logits" + where + " differ from PyTorch's by " + std::to_string(worst);
    for (const FixtureOutput& expected : im.outputs) {
      const Variant v = expected.bits == 8 ? Variant::kQ8 : expected.bits == 4 ? Variant::kQ4 : Variant::kQ46;
      if (!net.has_variant(v)) return net.path() + ": has no " + std::to_string(expected.bits) + "-bit variant";
      net.forward(im.pixels.data(), v, logits);
      if (net.last_sums(v) != expected.sums) return std::string(variant_name(v)) + " dense2 sums" + where + " differ";
      if (std::memcmp(logits, expected.logits.data(), sizeof logits) != 0)
        return std::string(variant_name(v)) + " logits" + where + " differ from the integer reference";
    }
  }
  if (max_float_error) *max_float_error = worst;
  return "";
}

}  // namespace qnn

// The sums over a Timing's (layer, stage) table.
#include "qnn/network.h"

namespace qnn {

double Timing::stage_seconds(Stage s) const {
  double sum = 0;
  for (const auto& layer : seconds) sum += layer[static_cast<int>(s)];
  return sum;
}

double Timing::layer_seconds(int layer) const {
  double sum = 0;
  for (double stage : seconds[layer]) sum += stage;
  return sum;
}

double Timing::conv_seconds() const {
  double sum = 0;
  for (int l = 0; l + 1 < kTimedLayers; ++l) sum += layer_seconds(l);
  return sum;
}

double Timing::total_seconds() const { return conv_seconds() + layer_seconds(kTimedLayers - 1); }

}  // namespace qnn

// Charges the wall-clock time of a forward pass to (layer, stage) of a qnn::Timing.
#pragma once

#include <chrono>

#include "qnn/network.h"

namespace qnn {
namespace detail {

// Charges the time since its previous reading to (layer, stage) of a Timing; a no-op without one, so
// that untimed inference reads no clock.
class StageClock {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StageClock(Timing* timing) : timing_(timing) {
    if (timing_) last_ = Clock::now();
  }
  void charge(int layer, Stage stage) {
    if (!timing_) return;
    const Clock::time_point now = Clock::now();
    timing_->seconds[layer][static_cast<int>(stage)] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  Timing* timing_;
  Clock::time_point last_;
};

}  // namespace detail
}  // namespace qnn

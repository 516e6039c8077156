// `qbench lenet`: the distortion study's LeNet-5 (docs/distortion.md) through the QNN engine: checks a
// .lenet model against its .lenetfx fixtures (the Python integer reference, bit for bit), then times
// the forward pass of each variant (float, q8, q4) per image.
#pragma once

#include <functional>
#include <string>

namespace qbench {

struct LenetOptions {
  std::string model_path;
  std::string fixtures_path;
  std::string out_path;
  bool overwrite = false;
  int repetitions = 9;
  double min_time = 0.05;
  bool allow_scalar_baselines = false;  // harness/baseline_simd_guard.h (the float variant is Eigen)
  std::string command_line;
  // Called once the model and fixtures are read and the model reproduces them, before anything is
  // measured (qbench measures the peak rates there).
  std::function<void()> before_measuring;
};

// Exit status: 0 success; 1 the model does not reproduce its fixtures (nothing timed); 2 bad input
// (model or fixtures file; the message names it); 130 interrupted (what was measured is written,
// marked partial).
int run_lenet(const LenetOptions& options);

}  // namespace qbench

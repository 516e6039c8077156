// `qbench qnn`: the QNN test of Trusov et al. 2020 (the MRZ character network in float, QNN-8,
// QNN-4, QNN-32; also QNN-4.6 and QNN-FXP): accuracy on both test sets, then convolution and total
// time per image.
#pragma once

#include <functional>
#include <string>

namespace qbench {

struct QnnOptions {
  std::string config_path;
  std::string out_path;
  bool overwrite = false;
  int repetitions = 9;
  double min_time = 0.05;
  bool allow_scalar_baselines = false;  // harness/baseline_simd_guard.h
  std::string command_line;
  // Called once every input (config, weights, .qnnf, test sets) is read and checked, before anything
  // is measured (qbench measures the peak rates there).
  std::function<void()> before_measuring;
};

// The config's keys: "weights" (.qnnw), "fxp" (optional: the QNN-FXP network, a .qnnf file),
// "variants" (optional: names; default every variant the files hold), "data.test_sets" {name: .qnnd},
// "timing.images_per_repetition".
// Exit status: 0 success; 2 bad input (config, weights, .qnnf or data file; the message names it);
// 130 interrupted (what was measured is written, marked partial).
int run_qnn(const QnnOptions& options);

}  // namespace qbench

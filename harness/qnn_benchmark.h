// `qbench qnn`: the QNN test of Trusov et al. 2020 (the MRZ character network in float, QNN-8,
// QNN-4, QNN-32): accuracy on both test sets, then convolution and total time per image.
#pragma once

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
};

// Exit status: 0 success; 2 bad input (config, weights or data file; the message names it);
// 130 interrupted (what was measured is written, marked partial).
int run_qnn(const QnnOptions& options);

}  // namespace qbench

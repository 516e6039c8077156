// config -> plan (kernels x shapes) -> operands -> verify against the reference -> time -> JSON.
#pragma once

#include <string>

#include "config.h"

namespace qbench {

struct SweepOptions {
  Config config;
  std::string config_path;
  std::string out_path;  // results file; never overwritten unless `overwrite`
  bool overwrite = false;
  bool interleave = true;    // random interleaving of repetitions (Google Benchmark)
  std::string command_line;  // for provenance
};

// Exit status: 0 all verified and timed; 1 a kernel failed verification (it is not timed, the
// rest are); 130 interrupted (what was measured is written, marked partial). Throws
// ResultsPathError, before any work, when the results file cannot be written.
int run_sweep(const SweepOptions& options);

// Correctness only: every kernel of the plan on every shape. Exit 0 or 1.
int verify_sweep(const Config& config);

}  // namespace qbench

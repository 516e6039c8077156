// `qbench peak`: this core's peak rate of the instructions our kernels and the baselines are built
// on, each measured by a throughput loop (peak_loop.h) for a fixed time, median of repetitions.
// The results files record it as context.qbench.peak (harness/results/peak_record.h), the
// denominator of the tables' share of peak (the roofline).
#pragma once

#include <iosfwd>
#include <optional>
#include <vector>

#include "peak_loop.h"

namespace qbench {

struct PeakOptions {
  int repetitions = 5;
  double seconds_per_repetition = 0.005;  // 8 loops x 5 x 5 ms: about 0.2 s in all
};

struct PeakRate {
  const PeakLoop* loop;
  std::vector<double> instructions_per_second;  // one per repetition, in the order measured
  double median_instructions_per_second = 0;
  double multiply_adds_per_second() const {
    return median_instructions_per_second * loop->multiply_adds_per_instruction;
  }
};

struct Peak {
  PeakOptions options;
  std::vector<PeakRate> rates;  // the loops this CPU runs, in a fixed order
  // The core clock while the loops ran: a chain of dependent integer adds, one per cycle on the
  // cores we run on (instructions per second = cycles per second). Empty on other architectures.
  std::optional<PeakRate> clock;
  double seconds = 0;  // wall time of the whole measurement
};

// Every loop this CPU runs (lowbit::cpu_supports), repetitions interleaved: repetition i of every
// loop runs before repetition i + 1 of any, so a clock change affects all loops alike.
Peak measure_peak(const PeakOptions& options);

// The table `qbench peak` prints.
void print_peak(const Peak& peak, std::ostream& out);

}  // namespace qbench

// Timing with Google Benchmark in interleaved rounds, shared by `qbench run` and `qbench qnn`.
//
// Every round times each cell once, in a fresh random order, so slow drifts of the machine spread
// over all cells alike, and an interrupted run keeps every repetition completed so far. The result is
// Google Benchmark's own JSON (its JSONReporter, per round), each entry's repetition fields set to
// the round, plus mean / median / stddev / cv aggregates in Google Benchmark's form, so that
// tools/compare.py reads the file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

namespace qbench {

struct TimedCell {
  std::string name;                                 // the benchmark name, e.g. gemm/uint4/8/100/10
  std::function<void()> run;                        // one iteration
  std::function<void(benchmark::State&)> counters;  // sets state.counters after the loop
};

struct TimedRounds {
  nlohmann::json context;     // Google Benchmark's context (machine, caches, ...)
  nlohmann::json benchmarks;  // every completed repetition, then aggregates of complete cells
  bool interrupted = false;
};

// SIGINT / SIGTERM set a flag that stops timing between measurements; a second signal kills as
// usual. Install one for the whole command (preparation included).
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};
bool interrupted();

TimedRounds time_in_rounds(const std::vector<TimedCell>& cells, int repetitions, double min_time,
                           bool shuffle, uint64_t seed);

}  // namespace qbench

#include "sweep.h"

#include <deque>
#include <iostream>
#include <map>
#include <memory>

#include <benchmark/benchmark.h>

#include "gemm_problem.h"
#include "known_kernels.h"
#include "results_writer.h"
#include "timed_rounds.h"

namespace qbench {
namespace {

using nlohmann::json;

struct Cell {
  const GemmKernel* kernel;
  const GemmProblem* problem;
  std::unique_ptr<PreparedGemm> prepared;
  std::string error;  // verification failure; the cell is then not timed
};

struct Plan {
  std::deque<GemmProblem> problems;  // deque: cells keep pointers into it
  std::vector<Cell> cells;
  json skipped = json::array();
  json verification = json::array();
  int failures = 0;
};

std::string benchmark_name(const Config& config, const Cell& cell) {
  const GemmShape& s = cell.problem->shape;
  return std::string(config.weights == WeightsMode::kPrepacked ? "gemm_prepacked/" : "gemm/") +
         cell.kernel->id + "/" + std::to_string(s.height) + "/" + std::to_string(s.width) + "/" +
         std::to_string(s.depth);
}

// Builds the operands, prepares every usable kernel on every shape and checks it. Kernels that
// cannot run here are skipped with their reason.
Plan make_plan(const Config& config) {
  Plan plan;
  std::map<std::pair<std::size_t, OperandFormat>, const GemmProblem*> problem_of;
  for (const std::string& id : config.kernels) {
    const KernelLookup lookup = known_kernels().lookup(id);  // ids were checked with the config
    if (!lookup.unavailable.empty()) {
      std::cerr << "qbench: skipping " << id << ": " << lookup.unavailable << "\n";
      plan.skipped.push_back(skipped_record(id, lookup.unavailable));
      continue;
    }
    const GemmKernel& kernel = *lookup.kernel;
    if (config.weights == WeightsMode::kPrepacked && !kernel.supports_prepacked)
      std::cerr << "qbench: " << id << " has no pre-packed mode; it packs per call\n";
    for (std::size_t s = 0; s < config.shapes.size(); ++s) {
      const GemmProblem*& problem = problem_of[{s, kernel.operands}];
      if (problem == nullptr)
        problem = &plan.problems.emplace_back(make_problem(config.shapes[s], kernel.operands, config.seed));
      Cell cell{&kernel, problem, kernel.prepare(*problem, config.weights), ""};
      cell.error = cell.prepared->check();
      plan.verification.push_back(verification_record(id, problem->shape, cell.error));
      std::cerr << "verify " << id << " " << problem->shape.str() << ": "
                << (cell.error.empty() ? "ok" : "FAILED: " + cell.error) << "\n";
      if (!cell.error.empty()) ++plan.failures;
      plan.cells.push_back(std::move(cell));
    }
  }
  return plan;
}

const char* kTimed =
    "one iteration = one complete product R = W X from the operands in their stored form: packing "
    "of both operands (weights too, unless weights_mode is prepacked), the multiplication and the "
    "zero-point corrections, one thread; operand generation and conversion to each library's input "
    "type (float, int32, signed 8-bit, transposed) happen once, outside the timed loop";

json shape_labels(const std::vector<GemmShape>& shapes) {
  json labels = json::array();
  for (const GemmShape& s : shapes) labels.push_back(s.str());
  return labels;
}

}  // namespace

int verify_sweep(const Config& config) {
  const Plan plan = make_plan(config);
  std::cerr << "qbench verify: " << plan.cells.size() - plan.failures << " of " << plan.cells.size()
            << " (kernel, shape) pairs agree with the reference\n";
  return plan.failures == 0 ? 0 : 1;
}

int run_sweep(const SweepOptions& options) {
  const Config& config = options.config;
  check_results_path(options.out_path, options.overwrite);
  InterruptGuard guard;
  Plan plan = make_plan(config);
  if (interrupted()) {
    std::cerr << "qbench: interrupted before timing; nothing measured, nothing written\n";
    return 130;
  }

  json kernels = json::object();
  std::vector<TimedCell> cells;
  for (const Cell& cell : plan.cells) {
    kernels[cell.kernel->id] = kernel_record(*cell.kernel);
    if (!cell.error.empty()) continue;
    const GemmShape shape = cell.problem->shape;
    PreparedGemm* prepared = cell.prepared.get();
    cells.push_back({benchmark_name(config, cell), [prepared] { prepared->run(); },
                     [shape](benchmark::State& state) {
                       state.counters["GOPS"] = benchmark::Counter(
                           shape.ops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
                       state.counters["height"] = shape.height;
                       state.counters["width"] = shape.width;
                       state.counters["depth"] = shape.depth;
                     }});
  }
  std::cerr << "qbench: timing " << cells.size() << " (kernel, shape) pairs x " << config.repetitions
            << " repetitions, >= " << config.min_time << " s each"
            << (options.interleave ? ", each repetition a round in random order" : "") << "\n";
  const TimedRounds timed =
      time_in_rounds(cells, config.repetitions, config.min_time, options.interleave, config.seed);
  Measurement m;
  m.partial = timed.interrupted;
  m.command = options.command_line;
  m.config_path = options.config_path;
  m.config = config.source;
  m.timed = kTimed;
  m.fields = {{"effective",
               {{"kernels", config.kernels},
                {"shapes", shape_labels(config.shapes)},
                {"repetitions", config.repetitions},
                {"min_time", config.min_time},
                {"seed", config.seed},
                {"interleaved", options.interleave}}},
              {"weights_mode", weights_mode_name(config.weights)},
              {"kernels", kernels},
              {"skipped", plan.skipped},
              {"verification", plan.verification}};
  m.context = timed.context;
  m.benchmarks = timed.benchmarks;
  if (const int status = write_results_and_report(options.out_path, m); status != 0) return status;
  if (plan.failures > 0) {
    std::cerr << "qbench: " << plan.failures
              << " (kernel, shape) pairs FAILED verification and were not timed\n";
    return 1;
  }
  return 0;
}

}  // namespace qbench

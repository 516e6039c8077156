#include "sweep.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include <benchmark/benchmark.h>

#include "gemm_problem.h"
#include "provenance.h"
#include "sha256.h"

namespace qbench {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted = true; }

// SIGINT / SIGTERM stop the sweep between measurements; a second one kills as usual.
class InterruptGuard {
 public:
  InterruptGuard() {
    struct sigaction action = {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_, old_term_;
};

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
  std::map<std::pair<std::size_t, int>, const GemmProblem*> problem_of;  // (shape, bits)
  for (const std::string& id : config.kernels) {
    const GemmKernel& kernel = *find_kernel(id);
    const std::string why = kernel.unavailable();
    if (!why.empty()) {
      std::cerr << "qbench: skipping " << id << ": " << why << "\n";
      plan.skipped.push_back({{"kernel", id}, {"reason", why}});
      continue;
    }
    if (config.weights == WeightsMode::kPrepacked && !kernel.supports_prepacked)
      std::cerr << "qbench: " << id << " has no pre-packed mode; it packs per call\n";
    for (std::size_t s = 0; s < config.shapes.size(); ++s) {
      const GemmProblem*& problem = problem_of[{s, kernel.operand_bits}];
      if (problem == nullptr)
        problem = &plan.problems.emplace_back(make_problem(config.shapes[s], kernel.operand_bits, config.seed));
      Cell cell{&kernel, problem, kernel.prepare(*problem, config.weights), ""};
      cell.error = cell.prepared->check();
      plan.verification.push_back(
          {{"kernel", id}, {"shape", problem->shape.str()}, {"ok", cell.error.empty()}, {"message", cell.error}});
      std::cerr << "verify " << id << " " << problem->shape.str() << ": "
                << (cell.error.empty() ? "ok" : "FAILED: " + cell.error) << "\n";
      if (!cell.error.empty()) ++plan.failures;
      plan.cells.push_back(std::move(cell));
    }
  }
  return plan;
}

void register_cell(const Config& config, const Cell& cell) {
  const GemmShape shape = cell.problem->shape;
  PreparedGemm* prepared = cell.prepared.get();
  benchmark::RegisterBenchmark(benchmark_name(config, cell).c_str(), [prepared, shape](benchmark::State& state) {
    if (g_interrupted) {
      state.SkipWithError("interrupted");
      return;
    }
    for (auto _ : state) {
      prepared->run();
      benchmark::ClobberMemory();
    }
    state.counters["GOPS"] = benchmark::Counter(shape.ops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["height"] = shape.height;
    state.counters["width"] = shape.width;
    state.counters["depth"] = shape.depth;
  })->Unit(benchmark::kMicrosecond);
}

// Summary statistics over the repetitions of one cell, in the form Google Benchmark writes its own
// aggregates (so tools/compare.py reads them): mean, median, stddev, cv.
json aggregates_of(const std::vector<json>& runs) {
  auto column = [&](const char* field) {
    std::vector<double> v;
    for (const json& r : runs) v.push_back(r.value(field, 0.0));
    return v;
  };
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0.0 : sum / v.size();
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  auto stddev = [&](const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    const double m = mean(v);
    double sq = 0;
    for (double x : v) sq += (x - m) * (x - m);
    return std::sqrt(sq / (v.size() - 1));
  };
  json out = json::array();
  const json& first = runs.front();
  for (const char* name : {"mean", "median", "stddev", "cv"}) {
    json a = {{"name", first["run_name"].get<std::string>() + "_" + name},
              {"family_index", first["family_index"]},
              {"per_family_instance_index", 0},
              {"run_name", first["run_name"]},
              {"run_type", "aggregate"},
              {"repetitions", runs.size()},
              {"threads", 1},
              {"aggregate_name", name},
              {"aggregate_unit", std::string(name) == "cv" ? "percentage" : "time"},
              {"iterations", runs.size()},
              {"time_unit", first["time_unit"]}};
    for (const char* field : {"real_time", "cpu_time", "GOPS"}) {
      const std::vector<double> v = column(field);
      const std::string n = name;
      a[field] = n == "mean" ? mean(v) : n == "median" ? median(v) : n == "stddev" ? stddev(v)
                 : mean(v) == 0 ? 0.0 : stddev(v) / mean(v);
    }
    for (const char* field : {"height", "width", "depth"}) a[field] = first[field];
    out.push_back(a);
  }
  return out;
}

// Writes `doc` to `path` through a temporary file and a rename, so a reader never sees half a file.
void write_atomically(const std::string& path, const json& doc) {
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temporary);
    out << doc.dump(2) << "\n";
    if (!out) throw std::runtime_error(temporary + ": write failed");
  }
  fs::rename(temporary, target);
}

std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof(text), format, &utc);
  return text;
}

const char* kTimed =
    "one iteration = one complete product R = W X from the operands in their stored form: packing "
    "of both operands (weights too, unless weights_mode is prepacked), the multiplication and the "
    "zero-point corrections, one thread; operand generation and conversion to each library's input "
    "type (float, int32, signed 8-bit, transposed) happen once, outside the timed loop";

}  // namespace

std::string default_results_path(const Config& config) {
  return "results/" + config.name + "-" + host_name() + "-" + utc_now("%Y%m%dT%H%M%SZ") + ".json";
}

int verify_sweep(const Config& config) {
  const Plan plan = make_plan(config);
  std::cerr << "qbench verify: " << plan.cells.size() - plan.failures << " of " << plan.cells.size()
            << " (kernel, shape) pairs agree with the reference\n";
  return plan.failures == 0 ? 0 : 1;
}

int run_sweep(const SweepOptions& options) {
  const Config& config = options.config;
  if (!options.overwrite && fs::exists(options.out_path)) {
    std::cerr << "qbench: " << options.out_path
              << " exists; choose another --out or pass --overwrite\n";
    return 2;
  }
  InterruptGuard guard;
  Plan plan = make_plan(config);
  if (g_interrupted) {
    std::cerr << "qbench: interrupted before timing; nothing measured, nothing written\n";
    return 130;
  }

  json kernels = json::object();
  int timed = 0;
  std::map<std::string, std::size_t> cell_of;  // benchmark name -> cell
  for (std::size_t i = 0; i < plan.cells.size(); ++i) {
    const Cell& cell = plan.cells[i];
    kernels[cell.kernel->id] = {{"implementation", cell.kernel->implementation()},
                                {"description", cell.kernel->description},
                                {"operand_bits", cell.kernel->operand_bits}};
    cell_of[benchmark_name(config, cell)] = i;
    if (cell.error.empty()) ++timed;
  }
  std::cerr << "qbench: timing " << timed << " (kernel, shape) pairs x " << config.repetitions
            << " repetitions, >= " << config.min_time << " s each"
            << (options.interleave ? ", each repetition a round in random order" : "") << "\n";

  // Repetitions are rounds: every round times each cell once, in a fresh random order, so slow
  // drifts of the machine spread over all kernels alike, and an interrupted sweep keeps every
  // repetition completed so far. min_time goes through Google Benchmark's flag, not per benchmark,
  // which would append "/min_time:..." to the names compare.py and the scripts match on.
  std::vector<std::string> args = {"qbench", "--benchmark_min_time=" + std::to_string(config.min_time)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());

  std::vector<std::size_t> timed_cells;
  for (std::size_t i = 0; i < plan.cells.size(); ++i)
    if (plan.cells[i].error.empty()) timed_cells.push_back(i);
  std::vector<std::vector<json>> runs_of(plan.cells.size());
  json gbench_context;
  std::mt19937_64 order_rng(config.seed);
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < config.repetitions && !g_interrupted && !timed_cells.empty(); ++round) {
    if (options.interleave) std::shuffle(timed_cells.begin(), timed_cells.end(), order_rng);
    for (std::size_t i : timed_cells) register_cell(config, plan.cells[i]);
    std::ostringstream round_json;
    benchmark::JSONReporter reporter;
    reporter.SetOutputStream(&round_json);
    reporter.SetErrorStream(&std::cerr);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::ClearRegisteredBenchmarks();
    json round_doc = json::parse(round_json.str());
    if (gbench_context.is_null()) gbench_context = round_doc["context"];
    for (json& run : round_doc["benchmarks"]) {
      if (run.value("error_occurred", false)) continue;  // interrupted
      const std::size_t cell = cell_of.at(run["run_name"].get<std::string>());
      run["family_index"] = cell;
      run["repetition_index"] = runs_of[cell].size();
      run["repetitions"] = config.repetitions;
      runs_of[cell].push_back(run);
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (g_interrupted) break;
    std::fprintf(stderr, "qbench: repetition %d of %d done, %zu kernel x shape cells, %.0f s elapsed, ~%.0f s to go\n",
                 round + 1, config.repetitions, timed_cells.size(), elapsed,
                 elapsed / (round + 1) * (config.repetitions - round - 1));
  }

  json doc = {{"context", gbench_context.is_null() ? json::object() : gbench_context},
              {"benchmarks", json::array()}};
  const bool partial = g_interrupted;
  for (const std::vector<json>& runs : runs_of) {
    for (const json& run : runs) doc["benchmarks"].push_back(run);
    if (runs.size() == static_cast<std::size_t>(config.repetitions) && runs.size() > 1)
      for (const json& a : aggregates_of(runs)) doc["benchmarks"].push_back(a);
  }
  json q = provenance();
  q["schema_version"] = 1;
  q["measure"] = "time";
  q["partial"] = partial;
  q["command"] = options.command_line;
  q["config_path"] = options.config_path;
  q["config"] = config.source;
  q["config_sha256"] = sha256_hex(config.source.dump());
  q["effective"] = {{"kernels", config.kernels},
                    {"shapes", [&] {
                       json shapes = json::array();
                       for (const GemmShape& s : config.shapes) shapes.push_back(s.str());
                       return shapes;
                     }()},
                    {"repetitions", config.repetitions},
                    {"min_time", config.min_time},
                    {"seed", config.seed},
                    {"interleaved", options.interleave}};
  q["weights_mode"] = weights_mode_name(config.weights);
  q["timed"] = kTimed;
  q["kernels"] = kernels;
  q["skipped"] = plan.skipped;
  q["verification"] = plan.verification;
  q["finished_utc"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
  doc["context"]["qbench"] = q;
  write_atomically(options.out_path, doc);

  if (partial) {
    std::cerr << "qbench: interrupted; what was measured is in " << options.out_path
              << " (marked \"partial\": true)\n";
    return 130;
  }
  std::cerr << "qbench: wrote " << options.out_path << "\n";
  if (plan.failures > 0) {
    std::cerr << "qbench: " << plan.failures << " (kernel, shape) pairs FAILED verification and were not timed\n";
    return 1;
  }
  return 0;
}

}  // namespace qbench

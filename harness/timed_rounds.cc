#include "timed_rounds.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

namespace qbench {
namespace {

using nlohmann::json;

std::atomic<bool> g_interrupted{false};
struct sigaction g_old_int, g_old_term;

extern "C" void on_interrupt(int) { g_interrupted = true; }

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / v.size();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean(v);
  double squares = 0;
  for (double x : v) squares += (x - m) * (x - m);
  return std::sqrt(squares / (v.size() - 1));
}

// mean, median, stddev and cv over the repetitions of one cell, of the times and every counter.
json aggregates_of(const std::vector<json>& runs) {
  const json& first = runs.front();
  std::vector<std::string> fields = {"real_time", "cpu_time"};
  for (const auto& [key, value] : first.items()) {
    static const std::vector<std::string> standard = {"name",
                                                      "family_index",
                                                      "per_family_instance_index",
                                                      "run_name",
                                                      "run_type",
                                                      "repetitions",
                                                      "repetition_index",
                                                      "threads",
                                                      "iterations",
                                                      "real_time",
                                                      "cpu_time",
                                                      "time_unit"};
    if (value.is_number() && std::find(standard.begin(), standard.end(), key) == standard.end())
      fields.push_back(key);
  }
  json out = json::array();
  for (const std::string name : {"mean", "median", "stddev", "cv"}) {
    json a = {{"name", first["run_name"].get<std::string>() + "_" + name},
              {"family_index", first["family_index"]},
              {"per_family_instance_index", 0},
              {"run_name", first["run_name"]},
              {"run_type", "aggregate"},
              {"repetitions", runs.size()},
              {"threads", 1},
              {"aggregate_name", name},
              {"aggregate_unit", name == "cv" ? "percentage" : "time"},
              {"iterations", runs.size()},
              {"time_unit", first["time_unit"]}};
    for (const std::string& field : fields) {
      std::vector<double> v;
      for (const json& r : runs) v.push_back(r.value(field, 0.0));
      a[field] = name == "mean"     ? mean(v)
                 : name == "median" ? median(v)
                 : name == "stddev" ? stddev(v)
                                    : (mean(v) == 0 ? 0.0 : stddev(v) / mean(v));
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = false;
  struct sigaction action = {};
  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool interrupted() { return g_interrupted; }

TimedRounds time_in_rounds(const std::vector<TimedCell>& cells, int repetitions, double min_time,
                           bool shuffle, uint64_t seed) {
  // min_time goes through Google Benchmark's flag, not per benchmark, which would append
  // "/min_time:..." to the names that compare.py and the scripts match on.
  std::vector<std::string> args = {"qbench", "--benchmark_min_time=" + std::to_string(min_time)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());

  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < cells.size(); ++i) index_of[cells[i].name] = i;
  std::vector<std::size_t> order(cells.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<std::vector<json>> runs_of(cells.size());
  std::mt19937_64 order_rng(seed);
  TimedRounds result;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < repetitions && !g_interrupted && !cells.empty(); ++round) {
    if (shuffle) std::shuffle(order.begin(), order.end(), order_rng);
    for (std::size_t i : order) {
      const TimedCell* cell = &cells[i];
      benchmark::RegisterBenchmark(cell->name.c_str(), [cell](benchmark::State& state) {
        if (g_interrupted) {
          state.SkipWithError("interrupted");
          return;
        }
        for (auto _ : state) {
          cell->run();
          benchmark::ClobberMemory();
        }
        if (cell->counters) cell->counters(state);
      })->Unit(benchmark::kMicrosecond);
    }
    std::ostringstream round_json;
    benchmark::JSONReporter reporter;
    reporter.SetOutputStream(&round_json);
    reporter.SetErrorStream(&std::cerr);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::ClearRegisteredBenchmarks();
    json round_doc = json::parse(round_json.str());
    if (result.context.is_null()) result.context = round_doc["context"];
    for (json& run : round_doc["benchmarks"]) {
      if (run.value("error_occurred", false)) continue;  // interrupted
      const std::size_t cell = index_of.at(run["run_name"].get<std::string>());
      run["family_index"] = cell;
      run["repetition_index"] = runs_of[cell].size();
      run["repetitions"] = repetitions;
      runs_of[cell].push_back(run);
    }
    if (g_interrupted) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "qbench: repetition %d of %d done (%zu cells), %.0f s elapsed, ~%.0f s to go\n",
                 round + 1, repetitions, cells.size(), elapsed,
                 elapsed / (round + 1) * (repetitions - round - 1));
  }
  result.interrupted = g_interrupted;
  if (result.context.is_null()) result.context = json::object();
  result.benchmarks = json::array();
  for (const std::vector<json>& runs : runs_of) {
    for (const json& run : runs) result.benchmarks.push_back(run);
    // Aggregates only of complete cells; scripts recompute medians from repetitions anyway.
    if (runs.size() == static_cast<std::size_t>(repetitions) && runs.size() > 1)
      for (const json& a : aggregates_of(runs)) result.benchmarks.push_back(a);
  }
  return result;
}

}  // namespace qbench

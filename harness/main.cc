// qbench: the project's one program. `qbench --help` lists the subcommands.
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "baseline_simd_guard.h"
#include "config.h"
#include "known_kernels.h"
#include "lenet_benchmark.h"
#include "lowbit/gemm.h"
#include "peak.h"
#include "peak_record.h"
#include "provenance.h"
#include "qnn_benchmark.h"
#include "results_writer.h"
#include "sweep.h"

namespace {

using namespace qbench;

// Command-line values that override the config file.
struct Overrides {
  std::string config_path;
  std::string shapes, kernels, weights;
  int repetitions = 0;
  double min_time = 0;
};

void add_plan_options(CLI::App* app, Overrides& o) {
  app->add_option("--config", o.config_path, "JSON config (see README: Configs)")->required();
  app->add_option("--shapes", o.shapes, "HxWxD[,HxWxD...]: replaces the config's shapes");
  app->add_option("--kernels", o.kernels, "a,b,...: replaces the config's kernels (see `qbench list`)");
  app->add_option("--repetitions", o.repetitions, "repetitions per (kernel, shape)")
      ->check(CLI::Range(1, 1000));
  app->add_option("--min-time", o.min_time, "minimum seconds per repetition")->check(CLI::Range(1e-6, 60.0));
  app->add_option("--weights", o.weights, "per_call (default) or prepacked")
      ->check(CLI::IsMember({"per_call", "prepacked"}));
}

Config resolve(const Overrides& o) {
  Config c = load_config(o.config_path);
  if (!o.shapes.empty()) c.shapes = parse_shape_list(o.shapes, "--shapes");
  if (!o.kernels.empty()) c.kernels = parse_kernel_list(o.kernels, "--kernels");
  if (o.repetitions > 0) c.repetitions = o.repetitions;
  if (o.min_time > 0) c.min_time = o.min_time;
  if (!o.weights.empty())
    c.weights = o.weights == "prepacked" ? WeightsMode::kPrepacked : WeightsMode::kPackedPerCall;
  return c;
}

int list_kernels() {
  std::cout << "CPU: " << cpu_model() << "\n\nKernels (id: what runs here)\n";
  for (const GemmKernel& k : known_kernels().kernels()) {
    const std::string why = k.unavailable();
    std::cout << "  " << k.id << std::string(k.id.size() < 20 ? 20 - k.id.size() : 1, ' ')
              << (why.empty() ? k.implementation() : "unavailable: " + why) << "\n";
  }
  std::cout << "\nuint8, uint4, uint4_6: the most capable path this CPU runs (force an instruction set with "
            << lowbit::kForceIsaVariable << "=<isa>);\n<scheme>@<isa>: that path only, whatever "
            << lowbit::kForceIsaVariable << " says. Paths not listed are not compiled into this binary.\n";
  return 0;
}

int print_peak_rates(const PeakOptions& options, bool as_json) {
  const Peak peak = measure_peak(options);
  if (as_json) {
    std::cout << peak_record(peak).dump(2) << "\n";
  } else {
    std::cout << "CPU: " << cpu_model() << "\n";
    print_peak(peak, std::cout);
  }
  return 0;
}

// Once per program, before anything is timed: the denominator of the tables' share of peak.
void measure_peak_for_results() {
  const Peak peak = measure_peak(PeakOptions{});
  record_peak(peak);
  std::cerr << "qbench: peak rates measured in " << peak.seconds << " s (context.qbench.peak; "
            << "--no-peak skips this)\n";
}

// The options `qbench qnn` and `qbench lenet` share (QnnOptions / LenetOptions).
template <typename Options>
void add_network_options(CLI::App* app, const std::string& name, Options& o, bool& no_peak,
                         const char* allow_scalar_help) {
  app->add_option("--out", o.out_path, "results file (default: results/" + name + "-<host>-<time>.json)");
  app->add_flag("--overwrite", o.overwrite, "replace an existing results file");
  app->add_option("--repetitions", o.repetitions, "repetitions per cell")->check(CLI::Range(1, 1000));
  app->add_option("--min-time", o.min_time, "minimum seconds per repetition")->check(CLI::Range(1e-6, 60.0));
  app->add_flag("--no-peak", no_peak, "do not measure the peak rates first (~0.2 s; `qbench peak`)");
  app->add_flag("--allow-scalar-baselines", o.allow_scalar_baselines, allow_scalar_help);
}

// The results path (default, checked) and the command line; the peak is measured by the command once
// it has checked its own inputs (before_measuring).
template <typename Options>
Options before_network_timing(const std::string& name, Options o, bool no_peak, const std::string& command) {
  if (o.out_path.empty()) o.out_path = default_results_path(name);
  check_results_path(o.out_path, o.overwrite);
  if (!no_peak) o.before_measuring = measure_peak_for_results;
  o.command_line = command;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qbench: verify and time low-bit quantized matrix multiplication (Trusov et al. 2020)"};
  app.require_subcommand(1);

  Overrides run_overrides;
  SweepOptions sweep;
  bool no_interleave = false;
  bool allow_scalar_baselines = false;
  const char* allow_scalar_help = "time Eigen / gemmlowp even if compiled without the SIMD this CPU has";
  CLI::App* run = app.add_subcommand("run", "verify every kernel on every shape, then time them; write JSON");
  add_plan_options(run, run_overrides);
  run->add_option("--out", sweep.out_path, "results file (default: results/<name>-<host>-<time>.json)");
  run->add_flag("--overwrite", sweep.overwrite, "replace an existing results file");
  run->add_flag("--no-interleave", no_interleave, "run repetitions in order instead of randomly interleaved");
  bool no_peak = false;
  run->add_flag("--no-peak", no_peak, "do not measure the peak rates first (~0.2 s; `qbench peak`)");
  run->add_flag("--allow-scalar-baselines", allow_scalar_baselines, allow_scalar_help);

  Overrides verify_overrides;
  CLI::App* verify = app.add_subcommand("verify", "check every kernel against the reference; no timing");
  add_plan_options(verify, verify_overrides);

  CLI::App* list = app.add_subcommand("list", "kernels and ISA paths usable on this CPU, and why any is not");

  QnnOptions qnn_options;
  CLI::App* qnn =
      app.add_subcommand("qnn", "the paper's QNN test: accuracy and time of the MRZ network variants");
  qnn->add_option("--config", qnn_options.config_path, "QNN config (configs/qnn-mrz.json)")->required();
  add_network_options(qnn, "qnn", qnn_options, no_peak, allow_scalar_help);

  LenetOptions lenet_options;
  CLI::App* lenet = app.add_subcommand(
      "lenet", "the distortion study's LeNet-5: check a model against its fixtures, then time float/q8/q4");
  lenet->add_option("--model", lenet_options.model_path, "a .lenet model (models/distortion/*.lenet)")
      ->required();
  lenet->add_option("--fixtures", lenet_options.fixtures_path, "its .lenetfx fixtures (lowbit distortion fixtures)")
      ->required();
  add_network_options(lenet, "lenet", lenet_options, no_peak, allow_scalar_help);

  PeakOptions peak_options{9, 0.02};
  bool peak_json = false;
  CLI::App* peak = app.add_subcommand(
      "peak", "this core's peak rate of the instructions the kernels and baselines are built on");
  peak->add_option("--repetitions", peak_options.repetitions, "repetitions per instruction (median)")
      ->check(CLI::Range(1, 1000));
  peak->add_option("--min-time", peak_options.seconds_per_repetition, "seconds per repetition")
      ->check(CLI::Range(1e-4, 10.0));
  peak->add_flag("--json", peak_json, "print the context.qbench.peak record instead of the table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 106/109 for usage errors; every bad input of qbench exits 2.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (list->parsed()) return list_kernels();
    if (verify->parsed()) return verify_sweep(resolve(verify_overrides));
    if (peak->parsed()) return print_peak_rates(peak_options, peak_json);
    std::ostringstream command;
    for (int i = 0; i < argc; ++i) command << (i ? " " : "") << argv[i];
    // Every input is checked (the results path first) before anything is measured.
    if (qnn->parsed()) return run_qnn(before_network_timing("qnn", qnn_options, no_peak, command.str()));
    if (lenet->parsed())
      return run_lenet(before_network_timing("lenet", lenet_options, no_peak, command.str()));
    sweep.config = resolve(run_overrides);
    if (sweep.out_path.empty()) sweep.out_path = default_results_path(sweep.config.name);
    check_results_path(sweep.out_path, sweep.overwrite);
    const std::string refusal =
        allow_scalar_baselines ? "" : scalar_baseline_refusals(sweep.config.kernels, false);
    if (!refusal.empty()) throw ConfigError(refusal);
    if (!no_peak) measure_peak_for_results();
    sweep.config_path = run_overrides.config_path;
    sweep.interleave = !no_interleave;
    sweep.command_line = command.str();
    return run_sweep(sweep);
  } catch (const ConfigError& e) {
    std::cerr << "qbench: " << e.what() << "\n";
    return 2;
  } catch (const ResultsPathError& e) {
    std::cerr << "qbench: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "qbench: error: " << e.what() << "\n";
    return 1;
  }
}

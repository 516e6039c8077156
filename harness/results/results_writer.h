// The results file: Google Benchmark's JSON plus context.qbench (docs/results-schema.md). This is the
// one place that decides its form: `qbench run`, `qbench qnn` and the instruction-count driver build
// their records with it, and every results file is assembled and written by write_results().
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "gemm_kernel.h"
#include "peak.h"

namespace qbench {

// context.qbench.schema_version: raised when a field changes meaning or goes away (not when one is
// added); python/lowbit/results.py lists the versions it reads.
constexpr int kResultsSchemaVersion = 1;

// A results path that cannot be written; the message names it.
class ResultsPathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one command measured, and how, besides the provenance every file gets.
struct Measurement {
  std::string measure = "time";  // or "instructions"
  bool partial = false;          // interrupted: some repetitions or cells are missing
  std::string command;           // the command line
  std::string config_path;
  nlohmann::json config;                              // the config file as read
  std::string timed;                                  // what one iteration is, in words
  nlohmann::json fields = nlohmann::json::object();   // the command's own context.qbench fields
  nlohmann::json context = nlohmann::json::object();  // Google Benchmark's context
  nlohmann::json benchmarks = nlohmann::json::array();
};

// Checks, before any measurement, that a results file can be written to `path`: it is refused if
// it exists (unless `overwrite`), its folder is created if missing, and the temporary file the
// final write goes through is created and removed. Throws ResultsPathError naming the path.
void check_results_path(const std::string& path, bool overwrite);

// The whole document: {"context": measurement.context + {"qbench": provenance + schema_version +
// measure, partial, command, config_path, config, config_sha256, timed, fields..., finished_utc},
// "benchmarks": measurement.benchmarks}.
nlohmann::json results_document(const Measurement& measurement);

// Writes results_document(measurement) through a temporary file and a rename: a reader never sees
// half a file.
void write_results(const std::string& path, const Measurement& measurement);

// write_results(), then one line on stderr: "qbench: wrote <path>", or for a partial measurement that
// the command was interrupted and what was measured is there. Returns the command's exit status so
// far: 130 when partial (as a shell reports SIGINT), else 0.
int write_results_and_report(const std::string& path, const Measurement& measurement);

// From this call on, every results file this program writes records peak_record(peak) as
// context.qbench.peak: `qbench run` and `qbench qnn` measure the peak once, before they time
// anything (unless --no-peak), and every command's file then carries it without passing it along.
void record_peak(const Peak& peak);

// Records shared by the commands (each an element of context.qbench's lists or maps).
nlohmann::json kernel_record(const GemmKernel& kernel);  // kernels[id]: implementation, description, ...
nlohmann::json skipped_record(const std::string& kernel_id, const std::string& reason);
nlohmann::json verification_record(const std::string& kernel_id, const GemmShape& shape,
                                   const std::string& error);

// results/<name>-<host>-<UTC time>.json, the default path of a command's results.
std::string default_results_path(const std::string& name);

// The current UTC time formatted by strftime.
std::string utc_now(const char* format);

}  // namespace qbench

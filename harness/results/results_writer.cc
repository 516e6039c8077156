#include "results_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "peak_record.h"
#include "provenance.h"
#include "sha256.h"

namespace qbench {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string temporary_path(const std::string& path) { return path + ".tmp." + std::to_string(getpid()); }

// context.qbench.peak of the files written after record_peak(); null: not measured, not written.
json& recorded_peak() {
  static json peak = nullptr;
  return peak;
}

}  // namespace

void check_results_path(const std::string& path, bool overwrite) {
  if (path.empty()) throw ResultsPathError("the results path is empty");
  std::error_code error;
  if (fs::exists(path, error) && !overwrite)
    throw ResultsPathError(path + " exists; choose another --out or pass --overwrite");
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    fs::create_directories(parent, error);
    if (error)
      throw ResultsPathError(path + ": cannot create its folder " + parent.string() + ": " + error.message());
  }
  // The very operation the final write starts with, so that what would fail then fails now.
  const std::string temporary = temporary_path(path);
  {
    std::ofstream probe(temporary);
    if (!probe) throw ResultsPathError(path + ": cannot be written (" + std::strerror(errno) + ")");
  }
  fs::remove(temporary, error);
}

json results_document(const Measurement& m) {
  json q = provenance();
  q["schema_version"] = kResultsSchemaVersion;
  q["measure"] = m.measure;
  q["partial"] = m.partial;
  q["command"] = m.command;
  q["config_path"] = m.config_path;
  q["config"] = m.config;
  q["config_sha256"] = sha256_hex(m.config.dump());
  q["timed"] = m.timed;
  if (!recorded_peak().is_null()) q["peak"] = recorded_peak();
  for (const auto& [key, value] : m.fields.items()) q[key] = value;
  q["finished_utc"] = utc_now("%Y-%m-%dT%H:%M:%SZ");
  json doc = {{"context", m.context.is_object() ? m.context : json::object()}, {"benchmarks", m.benchmarks}};
  doc["context"]["qbench"] = q;
  return doc;
}

void write_results(const std::string& path, const Measurement& measurement) {
  const json doc = results_document(measurement);
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string temporary = temporary_path(path);
  {
    std::ofstream out(temporary);
    out << doc.dump(2) << "\n";
    if (!out) throw std::runtime_error(temporary + ": write failed");
  }
  fs::rename(temporary, target);
}

int write_results_and_report(const std::string& path, const Measurement& measurement) {
  write_results(path, measurement);
  if (measurement.partial) {
    std::cerr << "qbench: interrupted; what was measured is in " << path << " (marked \"partial\": true)\n";
    return 130;
  }
  std::cerr << "qbench: wrote " << path << "\n";
  return 0;
}

void record_peak(const Peak& peak) { recorded_peak() = peak_record(peak); }

json kernel_record(const GemmKernel& kernel) {
  const bool available = kernel.unavailable().empty();
  json record = {{"implementation", available ? kernel.implementation() : std::string("-")},
                 {"description", kernel.description},
                 {"operand_bits", kernel.operands.bits}};
  if (kernel.operands.weight_levels > 0)
    record["levels"] = {{"activations", kernel.operands.activation_levels},
                        {"weights", kernel.operands.weight_levels}};
  return record;
}

json skipped_record(const std::string& kernel_id, const std::string& reason) {
  return {{"kernel", kernel_id}, {"reason", reason}};
}

json verification_record(const std::string& kernel_id, const GemmShape& shape, const std::string& error) {
  return {{"kernel", kernel_id}, {"shape", shape.str()}, {"ok", error.empty()}, {"message", error}};
}

std::string default_results_path(const std::string& name) {
  return "results/" + name + "-" + host_name() + "-" + utc_now("%Y%m%dT%H%M%SZ") + ".json";
}

std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof(text), format, &utc);
  return text;
}

}  // namespace qbench

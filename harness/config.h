// A sweep's configuration: a JSON file (format in README.md, "Configs"), with command-line overrides.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gemm_kernel.h"

namespace qbench {

// A configuration problem; the message names the file or option and the field.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string name;
  std::string description;
  std::vector<std::string> kernels;
  std::vector<GemmShape> shapes;
  int repetitions = 9;
  double min_time = 0.05;  // seconds per repetition
  WeightsMode weights = WeightsMode::kPackedPerCall;
  uint64_t seed = 1;
  nlohmann::json source;  // the file as read, for provenance
};

constexpr int kMaxDimension = 100000;

// Reads a JSON file (a `qbench run` or `qbench qnn` config). Throws ConfigError naming the file.
nlohmann::json read_json_file(const std::string& path);

// Reads and validates a config file. Throws ConfigError.
Config load_config(const std::string& path);

// Validates an in-memory document (the file's contents); `origin` prefixes messages.
Config parse_config(const nlohmann::json& doc, const std::string& origin);

// "8x100x10,24x400x40" -> shapes. Throws ConfigError naming `origin`.
std::vector<GemmShape> parse_shape_list(const std::string& text, const std::string& origin);

// "a,b" -> {"a", "b"}, each a known kernel id; a per-path id ("uint4@avx2") must also be able to run
// here (in a config file it is skipped with its reason instead). Throws ConfigError naming `origin`.
std::vector<std::string> parse_kernel_list(const std::string& text, const std::string& origin);

const char* weights_mode_name(WeightsMode mode);

}  // namespace qbench

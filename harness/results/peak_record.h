// context.qbench.peak (docs/results-schema.md): what a peak measurement (harness/peak) records.
#pragma once

#include <nlohmann/json.hpp>

#include "peak.h"

namespace qbench {

// {"repetitions", "seconds_per_repetition", "statistic", "seconds", "clock_hz" (or null),
//  "instructions": {key: {"isa", "instruction", "multiply_adds_per_instruction", "accumulators",
//  "instructions_per_second", "multiply_adds_per_second", "multiply_adds_per_cycle" (or null),
//  "samples_instructions_per_second"}}}
nlohmann::json peak_record(const Peak& peak);

}  // namespace qbench

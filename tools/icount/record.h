// The one JSON line icount-driver prints per count: kernel (driver.cc), QNN pass (qnn_pass.cc) or
// LeNet-5 pass (lenet_pass.cc).
#pragma once

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "lowbit/gemm.h"
#include "results_writer.h"

namespace icount {

// Completes `record` (what was counted) with the fields every count shares: the ISA forced through
// the environment, the check that passed, the repetitions of the four counted regions, the schema
// version. The keys print sorted, whichever order they were added in.
inline void print_record(nlohmann::json record, long reps) {
  const char* forced = std::getenv(lowbit::kForceIsaVariable);
  record["forced_isa"] = forced != nullptr ? forced : "";
  record["check"] = "ok";
  record["regions"] = {1, 1, 1 + reps, 1 + 2 * reps};
  record["schema_version"] = qbench::kResultsSchemaVersion;
  std::printf("%s\n", record.dump().c_str());
}

}  // namespace icount

// The core a run is pinned to (make reproduce: taskset -c $(scripts/pick-core.sh)), as recorded in
// the provenance: on a big.LITTLE board a figure means nothing without the core type and its clock.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace qbench {

// {"cpu", "type" (ARM: "CPU part" 0x..; x86: model name), "implementer" (ARM), "max_freq_khz",
// "cur_freq_khz", "governor"}: what /proc/cpuinfo and cpufreq say about one core; a field that
// cannot be read is left out. `sysfs_cpu` is normally /sys/devices/system/cpu.
nlohmann::json core_facts(int cpu, const std::string& sysfs_cpu, const std::string& proc_cpuinfo);

// core_facts() of the one core this process may run on, null when it may run on several.
nlohmann::json pinned_core();

}  // namespace qbench

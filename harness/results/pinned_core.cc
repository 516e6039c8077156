#include "pinned_core.h"

#include <sched.h>

#include <fstream>

namespace qbench {
namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The value of `field` in the /proc/cpuinfo block "processor : <cpu>".
std::string cpuinfo_field_of(int cpu, const std::string& field, const std::string& proc_cpuinfo) {
  std::ifstream in(proc_cpuinfo);
  std::string line;
  int current = -1;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (key == "processor")
      current = std::atoi(value.c_str());
    else if (key == field && current == cpu)
      return value;
  }
  return "";
}

}  // namespace

nlohmann::json core_facts(int cpu, const std::string& sysfs_cpu, const std::string& proc_cpuinfo) {
  nlohmann::json core = {{"cpu", cpu}};
  const std::string part = cpuinfo_field_of(cpu, "CPU part", proc_cpuinfo);
  const std::string type = part.empty() ? cpuinfo_field_of(cpu, "model name", proc_cpuinfo) : part;
  if (!type.empty()) core["type"] = type;
  const std::string implementer = cpuinfo_field_of(cpu, "CPU implementer", proc_cpuinfo);
  if (!implementer.empty()) core["implementer"] = implementer;
  const std::string cpufreq = sysfs_cpu + "/cpu" + std::to_string(cpu) + "/cpufreq/";
  for (const char* name : {"cpuinfo_max_freq", "scaling_cur_freq"}) {
    const std::string khz = first_line(cpufreq + name);
    if (!khz.empty())
      core[std::string(name) == "cpuinfo_max_freq" ? "max_freq_khz" : "cur_freq_khz"] = std::stoll(khz);
  }
  const std::string governor = first_line(cpufreq + "scaling_governor");
  if (!governor.empty()) core["governor"] = governor;
  return core;
}

nlohmann::json pinned_core() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) != 1) return nullptr;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) return core_facts(cpu, "/sys/devices/system/cpu", "/proc/cpuinfo");
  return nullptr;
}

}  // namespace qbench

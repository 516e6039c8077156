#include "peak_record.h"

#include "lowbit/gemm.h"

namespace qbench {

nlohmann::json peak_record(const Peak& peak) {
  using nlohmann::json;
  const double hz = peak.clock ? peak.clock->median_instructions_per_second : 0;
  json instructions = json::object();
  for (const PeakRate& rate : peak.rates) {
    const PeakLoop& loop = *rate.loop;
    instructions[loop.key] = {
        {"isa", lowbit::isa_name(loop.isa)},
        {"instruction", loop.instruction},
        {"multiply_adds_per_instruction", loop.multiply_adds_per_instruction},
        {"accumulators", loop.instructions_per_round},
        {"instructions_per_second", rate.median_instructions_per_second},
        {"multiply_adds_per_second", rate.multiply_adds_per_second()},
        {"multiply_adds_per_cycle", hz > 0 ? json(rate.multiply_adds_per_second() / hz) : json(nullptr)},
        {"samples_instructions_per_second", rate.instructions_per_second}};
  }
  json clock = nullptr;
  if (peak.clock)
    clock = {{"hz", hz},
             {"method", peak.clock->loop->instruction},
             {"samples_hz", peak.clock->instructions_per_second}};
  return {{"repetitions", peak.options.repetitions},
          {"seconds_per_repetition", peak.options.seconds_per_repetition},
          {"statistic", "median"},
          {"timer", "std::chrono::steady_clock"},
          {"seconds", peak.seconds},
          {"clock", clock},
          {"instructions", instructions}};
}

}  // namespace qbench

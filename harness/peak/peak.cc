#include "peak.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <ostream>

namespace qbench {
namespace {

// A chain of dependent 64-bit adds: each waits for the previous one, so one runs per cycle and the
// rate of the chain is the clock. The loop counter runs beside it and costs no cycle of the chain.
constexpr int kAddsPerRound = 64;

#if defined(__x86_64__) || defined(__arm__) || defined(__aarch64__)
void dependent_adds(std::int64_t rounds) {
  unsigned long value = 0;
  const unsigned long step = 1;
  for (std::int64_t r = 0; r < rounds; ++r) {
#if defined(__x86_64__)
    asm volatile(".rept 64\n\tadd %1, %0\n\t.endr" : "+r"(value) : "r"(step));
#else
    asm volatile(".rept 64\n\tadd %0, %0, %1\n\t.endr" : "+r"(value) : "r"(step));
#endif
  }
  asm volatile("" : : "r"(value));
}
const PeakLoop kClockLoop = {"clock", lowbit::Isa::kScalar, "dependent integer add (1 cycle each)",
                             0,       kAddsPerRound,        dependent_adds};
const PeakLoop* clock_loop() { return &kClockLoop; }
#else
const PeakLoop* clock_loop() { return nullptr; }
#endif

std::vector<const PeakLoop*> usable_loops() {
  std::vector<PeakLoopList> lists;
#if defined(__x86_64__)
  lists = {peak_loops_avx2(), peak_loops_avx512bw(), peak_loops_avx512vnni()};
#elif defined(__aarch64__)
  lists = {peak_loops_neon64(), peak_loops_neondot()};
#elif defined(__arm__)
  lists = {peak_loops_neon()};
#endif
  std::vector<const PeakLoop*> loops;
  for (const PeakLoopList& list : lists)
    for (std::size_t i = 0; i < list.count; ++i)
      if (lowbit::cpu_supports(list.loops[i].isa)) loops.push_back(&list.loops[i]);
  return loops;
}

// Instructions per second of one repetition: the loop runs in chunks until `seconds` have passed.
// A chunk is long (thousands of instructions) next to the clock read between chunks.
double time_repetition(const PeakLoop& loop, double seconds) {
  using Clock = std::chrono::steady_clock;
  constexpr std::int64_t kChunkRounds = 4096;
  loop.run(kChunkRounds / 4);  // warm up: caches, and the wide units powered on
  std::int64_t rounds = 0;
  const Clock::time_point start = Clock::now();
  double elapsed = 0;
  do {
    loop.run(kChunkRounds);
    rounds += kChunkRounds;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(rounds) * loop.instructions_per_round / elapsed;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

Peak measure_peak(const PeakOptions& options) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Peak peak;
  peak.options = options;
  for (const PeakLoop* loop : usable_loops()) peak.rates.push_back({loop, {}, 0});
  if (const PeakLoop* clock = clock_loop()) peak.clock = PeakRate{clock, {}, 0};
  for (int repetition = 0; repetition < options.repetitions; ++repetition) {
    for (PeakRate& rate : peak.rates)
      rate.instructions_per_second.push_back(time_repetition(*rate.loop, options.seconds_per_repetition));
    if (peak.clock)
      peak.clock->instructions_per_second.push_back(
          time_repetition(*peak.clock->loop, options.seconds_per_repetition));
  }
  for (PeakRate& rate : peak.rates)
    rate.median_instructions_per_second = median(rate.instructions_per_second);
  if (peak.clock) peak.clock->median_instructions_per_second = median(peak.clock->instructions_per_second);
  peak.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return peak;
}

void print_peak(const Peak& peak, std::ostream& out) {
  const double hz = peak.clock ? peak.clock->median_instructions_per_second : 0;
  out << "Peak rates of one core: median of " << peak.options.repetitions << " repetitions of "
      << peak.options.seconds_per_repetition << " s each (" << std::fixed << std::setprecision(2)
      << peak.seconds << " s in all)\n";
  if (hz > 0) out << "clock: " << hz * 1e-9 << " GHz (a chain of dependent integer adds)\n";
  out << "\n"
      << std::left << std::setw(18) << "key" << std::setw(12) << "isa" << std::setw(28) << "instruction"
      << std::right << std::setw(10) << "MACs/inst" << std::setw(12) << "Ginst/s" << std::setw(12) << "GMAC/s"
      << std::setw(12) << "inst/cycle" << std::setw(12) << "MAC/cycle"
      << "\n";
  for (const PeakRate& rate : peak.rates) {
    const double ips = rate.median_instructions_per_second;
    out << std::left << std::setw(18) << rate.loop->key << std::setw(12) << lowbit::isa_name(rate.loop->isa)
        << std::setw(28) << rate.loop->instruction << std::right << std::setw(10)
        << rate.loop->multiply_adds_per_instruction << std::setw(12) << ips * 1e-9 << std::setw(12)
        << rate.multiply_adds_per_second() * 1e-9;
    if (hz > 0) out << std::setw(12) << ips / hz << std::setw(12) << rate.multiply_adds_per_second() / hz;
    out << "\n";
  }
  out << "\nMAC = one product accumulated (a GEMM of H x W x D does H*W*D; qbench's GOPS count 2 per MAC).\n"
         "A pair (\"a + b\") counts as one instruction: the multiply-add and the add that accumulates it.\n";
}

}  // namespace qbench

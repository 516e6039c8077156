// One throughput loop of `qbench peak`: an instruction issued on enough independent accumulators
// that its latency is hidden, so the loop runs at the instruction's throughput.
//
// This header is shared by the ISA files (harness/peak/*__<isa>.cc), which are compiled with that
// ISA's flags: it holds plain data only (no std:: templates), so that no inline function compiled
// with wider instructions can be picked by the linker for code that runs everywhere.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lowbit/gemm.h"

namespace qbench {

struct PeakLoop {
  const char* key;          // record key, e.g. "vpmaddubsw_ymm"
  lowbit::Isa isa;          // the loop runs only where lowbit::cpu_supports(isa)
  const char* instruction;  // what one counted instruction is, in assembly terms
  int multiply_adds_per_instruction;
  int instructions_per_round;  // = independent accumulators
  void (*run)(std::int64_t rounds);
};

struct PeakLoopList {
  const PeakLoop* loops;
  std::size_t count;
};

// One list per ISA file; peak.cc declares the ones the target architecture compiles.
PeakLoopList peak_loops_avx2();
PeakLoopList peak_loops_avx512bw();
PeakLoopList peak_loops_avx512vnni();
PeakLoopList peak_loops_neon();     // ARMv7 NEON
PeakLoopList peak_loops_neon64();   // AArch64 Advanced SIMD
PeakLoopList peak_loops_neondot();  // AArch64 dot product

}  // namespace qbench

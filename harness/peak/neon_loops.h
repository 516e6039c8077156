// The NEON peak loops, one source for ARMv7 NEON (peak__neon.cc) and AArch64 Advanced SIMD
// (peak__neon64.cc): f32 multiply-accumulate (Eigen's float GEMM), vmlal.u8 / umlal (8-bit
// products widened into 16-bit accumulators) and vmull.u8 + vpadal.u16 / umull + uadalp (products
// added pairwise into 32-bit accumulators), the instructions of the paper's 8- and 4-bit kernels.
// Internal linkage: included by one file per architecture.
#pragma once

#include "neon_asm_loop.h"
#include "peak_loop.h"

namespace qbench {
namespace {

// Multiply-accumulates chain on every register (8 on ARMv7, 12 on AArch64: latencies of 4-6
// cycles at 1-2 per cycle). Pairs: accumulators in the first half, temporaries in the second;
// only the 1-cycle-ish accumulate is on a chain.
#if defined(__aarch64__)
constexpr int kMacChains = 12;
constexpr int kPairChains = 6;
#define QBENCH_NEON_PAIR(a, t) "umull v" #t ".8h, %[x].8b, %[y].8b\n\tuadalp v" #a ".4s, v" #t ".8h\n\t"
#define QBENCH_NEON_PAIRS                                                                      \
  QBENCH_NEON_PAIR(0, 6)                                                                       \
  QBENCH_NEON_PAIR(1, 7) QBENCH_NEON_PAIR(2, 8) QBENCH_NEON_PAIR(3, 9) QBENCH_NEON_PAIR(4, 10) \
      QBENCH_NEON_PAIR(5, 11)
#define QBENCH_NEON_FMA "fmla v\\r\\().4s, %[x].4s, %[y].4s\n\t"
#define QBENCH_NEON_MLAL "umlal v\\r\\().8h, %[x].8b, %[y].8b\n\t"
#else
constexpr int kMacChains = 8;
constexpr int kPairChains = 4;
#define QBENCH_NEON_PAIR(a, t) "vmull.u8 q" #t ", %P[x], %P[y]\n\tvpadal.u16 q" #a ", q" #t "\n\t"
#define QBENCH_NEON_PAIRS \
  QBENCH_NEON_PAIR(0, 4) QBENCH_NEON_PAIR(1, 5) QBENCH_NEON_PAIR(2, 6) QBENCH_NEON_PAIR(3, 7)
#define QBENCH_NEON_FMA "vmla.f32 q\\r, %q[x], %q[y]\n\t"  // what -mfpu=neon code uses
#define QBENCH_NEON_MLAL "vmlal.u8 q\\r, %P[x], %P[y]\n\t"
#endif

void mla_f32(std::int64_t rounds) {
  const float32x4_t x = vdupq_n_f32(0.5f), y = vdupq_n_f32(0.25f);
  QBENCH_NEON_ASM_LOOP(rounds, x, y, QBENCH_NEON_REGISTERS QBENCH_NEON_FMA ".endr\n\t");
}

void mlal_u8(std::int64_t rounds) {
  const uint8x8_t x = vdup_n_u8(3), y = vdup_n_u8(2);
  QBENCH_NEON_ASM_LOOP(rounds, x, y, QBENCH_NEON_REGISTERS QBENCH_NEON_MLAL ".endr\n\t");
}

void mull_padal_u8(std::int64_t rounds) {
  const uint8x8_t x = vdup_n_u8(3), y = vdup_n_u8(2);
  QBENCH_NEON_ASM_LOOP(rounds, x, y, QBENCH_NEON_PAIRS);
}

#if defined(__aarch64__)
constexpr lowbit::Isa kNeonIsa = lowbit::Isa::kNeon64;
#else
constexpr lowbit::Isa kNeonIsa = lowbit::Isa::kNeon;
#endif

// Multiply-adds per instruction: 4 f32 lanes; 8 u8 x u8 products.
const PeakLoop kNeonLoops[] = {
#if defined(__aarch64__)
    {"mla_f32_q", kNeonIsa, "fmla v.4s", 4, kMacChains, mla_f32},
    {"mlal_u8", kNeonIsa, "umlal v.8h, v.8b, v.8b", 8, kMacChains, mlal_u8},
    {"mull_padal_u8", kNeonIsa, "umull v.8h + uadalp v.4s", 8, kPairChains, mull_padal_u8},
#else
    {"mla_f32_q", kNeonIsa, "vmla.f32 q", 4, kMacChains, mla_f32},
    {"mlal_u8", kNeonIsa, "vmlal.u8 q, d, d", 8, kMacChains, mlal_u8},
    {"mull_padal_u8", kNeonIsa, "vmull.u8 q + vpadal.u16 q", 8, kPairChains, mull_padal_u8},
#endif
};

}  // namespace
}  // namespace qbench

// The NEON peak loops, one source for ARMv7 NEON (peak__neon.cc) and AArch64 Advanced SIMD
// (peak__neon64.cc): f32 multiply-accumulate (Eigen's float GEMM), vmlal.u8 / umlal (8-bit
// products widened into 16-bit accumulators) and vmull.u8 + vpadal.u16 / umull + uadalp (products
// added pairwise into 32-bit accumulators), the instructions of the paper's 8- and 4-bit kernels.
// Internal linkage: included by one file per architecture.
#pragma once

#include "neon_barriers.h"
#include "peak_loop.h"

namespace qbench {
namespace {

// Chains per loop: latencies of 4-6 cycles at 1-2 per cycle; ARMv7 has 16 q registers.
#if defined(__aarch64__)
constexpr int kMacChains = 12;
#else
constexpr int kMacChains = 8;
#endif
constexpr int kPairChains = 6;

void mla_f32(std::int64_t rounds) {
  float32x4_t acc[kMacChains];
  for (float32x4_t& a : acc) a = vdupq_n_f32(0.0f);
  float32x4_t x = vdupq_n_f32(0.5f);
  const float32x4_t y = vdupq_n_f32(0.25f);
  for (std::int64_t r = 0; r < rounds; ++r) {
    opaque(x);
#pragma GCC unroll 16
    for (float32x4_t& a : acc) {
#if defined(__aarch64__)
      a = vfmaq_f32(a, x, y);  // fmla: vmlaq_f32 would be split into fmul + fadd
#else
      a = vmlaq_f32(a, x, y);  // vmla.f32, what -mfpu=neon code uses
#endif
    }
  }
  keep(acc);
}

void mlal_u8(std::int64_t rounds) {
  uint16x8_t acc[kMacChains];
  for (uint16x8_t& a : acc) a = vdupq_n_u16(0);
  uint8x8_t x = vdup_n_u8(3);
  const uint8x8_t y = vdup_n_u8(2);
  for (std::int64_t r = 0; r < rounds; ++r) {
    opaque(x);
#pragma GCC unroll 16
    for (uint16x8_t& a : acc) a = vmlal_u8(a, x, y);
  }
  keep(acc);
}

void mull_padal_u8(std::int64_t rounds) {
  uint32x4_t acc[kPairChains];
  for (uint32x4_t& a : acc) a = vdupq_n_u32(0);
  uint8x8_t x = vdup_n_u8(3);
  const uint8x8_t y = vdup_n_u8(2);
#pragma GCC unroll 1
  for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 16
    for (uint32x4_t& a : acc) {
      opaque(x);
      a = vpadalq_u16(a, vmull_u8(x, y));
    }
  }
  keep(acc);
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

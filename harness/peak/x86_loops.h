// The x86 peak loops at one vector width, one source for AVX2 (peak__avx2.cc: ymm) and AVX-512BW
// (peak__avx512bw.cc: zmm): f32 FMA (Eigen's float GEMM), vpmaddubsw + vpaddw (our uint8/uint4
// paths, oneDNN s8 on AVX2) and vpmaddwd + vpaddd (gemmlowp's AVX2 kernel, XNNPACK qu8).
// The including file defines QBENCH_X86_WIDTH ("ymm" or "zmm": the asm names registers by it),
// QBENCH_X86_BYTES (32 or 64) and QBENCH_X86_ISA, and is compiled with that ISA's flags.
// Internal linkage: included by one file per width.
#pragma once

#include <cstdint>

#include "peak_loop.h"
#include "x86_asm_loop.h"

namespace qbench {
namespace {

// Operands of the loops at the width (GCC vector types: the asm takes them in a ymm or zmm register).
typedef float X86Floats __attribute__((vector_size(QBENCH_X86_BYTES)));
typedef std::int8_t X86Bytes __attribute__((vector_size(QBENCH_X86_BYTES)));
typedef std::int16_t X86Halves __attribute__((vector_size(QBENCH_X86_BYTES)));

// FMA: 4 cycles of latency at 2 per cycle needs >= 8 chains; 12 leave headroom.
void fma_f32(std::int64_t rounds) {
  const X86Floats x = X86Floats{} + 0.5f, y = X86Floats{} + 0.25f;
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_TWELVE_CHAINS("vfmadd231ps", QBENCH_X86_WIDTH));
}

void maddubs_add(std::int64_t rounds) {
  const X86Bytes x = X86Bytes{} + std::int8_t{3}, y = X86Bytes{} + std::int8_t{-2};
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_SIX_PAIRS("vpmaddubsw", "vpaddw", QBENCH_X86_WIDTH));
}

void maddwd_add(std::int64_t rounds) {
  const X86Halves x = X86Halves{} + std::int16_t{3}, y = X86Halves{} + std::int16_t{-2};
  QBENCH_PEAK_ASM_LOOP(rounds, x, y, QBENCH_PEAK_SIX_PAIRS("vpmaddwd", "vpaddd", QBENCH_X86_WIDTH));
}

// One multiply-add = one product accumulated: f32 lanes (bytes / 4); u8 x s8 products, one per
// byte (vpmaddubsw); s16 x s16 products, one per 2 bytes (vpmaddwd).
const PeakLoop kX86Loops[] = {
    {"fma_f32_" QBENCH_X86_WIDTH, QBENCH_X86_ISA, "vfmadd231ps " QBENCH_X86_WIDTH, QBENCH_X86_BYTES / 4,
     kPeakTwelveChains, fma_f32},
    {"maddubs_u8s8_" QBENCH_X86_WIDTH, QBENCH_X86_ISA, "vpmaddubsw + vpaddw " QBENCH_X86_WIDTH,
     QBENCH_X86_BYTES, kPeakSixPairs, maddubs_add},
    {"maddwd_s16_" QBENCH_X86_WIDTH, QBENCH_X86_ISA, "vpmaddwd + vpaddd " QBENCH_X86_WIDTH,
     QBENCH_X86_BYTES / 2, kPeakSixPairs, maddwd_add},
};

}  // namespace
}  // namespace qbench

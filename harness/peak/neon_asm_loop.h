// The ARM peak loops are written in assembly, as the x86 ones (x86_asm_loop.h): with intrinsics
// GCC stored every accumulator to memory on every round. One asm statement holds the whole loop.
#pragma once

#include <arm_neon.h>

#include <cstdint>

// ARMv7: accumulators and temporaries in q0-q7 (d0-d15); AArch64: v0-v11. Clobbered, so the
// compiler puts the operands x and y elsewhere.
#if defined(__aarch64__)
#define QBENCH_NEON_REGISTERS ".irp r,0,1,2,3,4,5,6,7,8,9,10,11\n\t"
#define QBENCH_NEON_ZERO "movi v\\r\\().16b, #0\n\t"
#define QBENCH_NEON_COUNT_DOWN "subs %[n], %[n], #1\n\tb.ne 1b\n\t"
#define QBENCH_NEON_CLOBBERS "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11"
#else
#define QBENCH_NEON_REGISTERS ".irp r,0,1,2,3,4,5,6,7\n\t"
#define QBENCH_NEON_ZERO "vmov.i32 q\\r, #0\n\t"
#define QBENCH_NEON_COUNT_DOWN "subs %[n], %[n], #1\n\tbne 1b\n\t"
#define QBENCH_NEON_CLOBBERS \
  "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15"
#endif

// `rounds` (>= 1) times `body`, after zeroing the registers; %[x] and %[y] are the operands.
#define QBENCH_NEON_ASM_LOOP(rounds, x, y, body)        \
  do {                                                  \
    long count = static_cast<long>(rounds);             \
    asm volatile(QBENCH_NEON_REGISTERS QBENCH_NEON_ZERO \
                 ".endr\n\t"                            \
                 "1:\n\t" body QBENCH_NEON_COUNT_DOWN   \
                 : [n] "+r"(count)                      \
                 : [x] "w"(x), [y] "w"(y)               \
                 : QBENCH_NEON_CLOBBERS, "cc");         \
  } while (0)

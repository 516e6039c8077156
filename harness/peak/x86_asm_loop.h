// The x86 peak loops are written in assembly: with intrinsics the compiler copies accumulators
// between registers inside the loop (extra instructions the measurement would include). One asm
// statement holds the whole loop, so the accumulators stay in the registers the body names.
#pragma once

#include <cstdint>

// The vector registers 0-11 of a loop body (accumulators and temporaries): "clobbered", so the
// compiler puts the operands x and y elsewhere.
#define QBENCH_PEAK_CLOBBERS \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11"

// `rounds` (>= 1) times `body`, after zeroing registers 0-11 (an accumulator must not start as a NaN or a
// denormal). %[x] and %[y] are the operands, in the registers the compiler chose.
#define QBENCH_PEAK_ASM_LOOP(rounds, x, y, body) \
  asm volatile(                                  \
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11\n\t"     \
      "vpxor %%xmm\\r, %%xmm\\r, %%xmm\\r\n\t"   \
      ".endr\n\t"                                \
      "1:\n\t" body                              \
      "dec %[n]\n\t"                             \
      "jnz 1b\n\t"                               \
      : [n] "+r"(rounds)                         \
      : [x] "v"(x), [y] "v"(y)                   \
      : QBENCH_PEAK_CLOBBERS, "cc")

// Loop bodies. Registers are named by width (ymm or zmm) and number.
// 12 independent chains of `instruction x, y, acc` on registers 0-11.
#define QBENCH_PEAK_TWELVE_CHAINS(instruction, width)                        \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11\n\t" instruction " %[y], %[x], %%" width \
  "\\r\n\t"                                                                  \
  ".endr\n\t"

// One pair: temporary t = multiply(x, y), then accumulator a = add(a, t).
#define QBENCH_PEAK_PAIR(multiply, add, width, a, t) \
  multiply " %[y], %[x], %%" width #t "\n\t" add " %%" width #t ", %%" width #a ", %%" width #a "\n\t"

// 6 chains of pairs: accumulators 0-5, temporaries 6-11. Only the add is on an accumulator's chain
// (1 cycle); the multiply-adds are independent, so 6 chains are plenty.
#define QBENCH_PEAK_SIX_PAIRS(multiply, add, width)                                              \
  QBENCH_PEAK_PAIR(multiply, add, width, 0, 6)                                                   \
  QBENCH_PEAK_PAIR(multiply, add, width, 1, 7) QBENCH_PEAK_PAIR(multiply, add, width, 2, 8)      \
      QBENCH_PEAK_PAIR(multiply, add, width, 3, 9) QBENCH_PEAK_PAIR(multiply, add, width, 4, 10) \
          QBENCH_PEAK_PAIR(multiply, add, width, 5, 11)

namespace qbench {
constexpr int kPeakTwelveChains = 12;
constexpr int kPeakSixPairs = 6;
}  // namespace qbench

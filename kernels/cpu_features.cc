// Which instruction sets this CPU and operating system can execute, read once at run time:
// cpuid + xgetbv on x86 (the OS must save the wide registers), getauxval(AT_HWCAP) on ARM.
#include <cstdint>

#include "lowbit/gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__arm__) || defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace lowbit {
namespace {

struct CpuFeatures {
  bool avx2 = false;
  bool avx512bw = false;
  bool avx512vnni = false;
  bool neon = false;
  bool neon64 = false;
  bool neon_dot = false;
};

#if defined(__x86_64__) || defined(__i386__)
uint64_t read_xcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}
#endif

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27);
  if (!osxsave) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  f.avx2 = os_ymm && (ebx & (1u << 5));
  const bool avx512f = ebx & (1u << 16);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  f.avx512bw = f.avx2 && os_zmm && avx512f && avx512bw && avx512vl;
  f.avx512vnni = f.avx512bw && (ecx & (1u << 11));
#elif defined(__aarch64__)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  f.neon64 = hwcap & (1ul << 1);                   // HWCAP_ASIMD
  f.neon_dot = f.neon64 && (hwcap & (1ul << 20));  // HWCAP_ASIMDDP
#elif defined(__arm__)
  f.neon = getauxval(AT_HWCAP) & (1ul << 12);  // HWCAP_NEON
#endif
  return f;
}

const CpuFeatures& features() {
  static const CpuFeatures f = detect();
  return f;
}

}  // namespace

bool cpu_supports(Isa isa) {
  const CpuFeatures& f = features();
  switch (isa) {
    case Isa::kScalar:
      return true;
    case Isa::kNeon:
      return f.neon;
    case Isa::kNeon64:
      return f.neon64;
    case Isa::kNeonDot:
      return f.neon_dot;
    case Isa::kAvx2:
      return f.avx2;
    case Isa::kAvx512bw:
      return f.avx512bw;
    case Isa::kAvx512vnni:
      return f.avx512vnni;
  }
  return false;
}

}  // namespace lowbit

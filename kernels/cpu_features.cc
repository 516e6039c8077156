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

// One flag per Isa, indexed by its value: whether this CPU and OS run it.
class CpuFeatures {
 public:
  CpuFeatures() { set(Isa::kScalar, true); }
  void set(Isa isa, bool runs) { runs_[static_cast<int>(isa)] = runs; }
  // A value outside the enumeration (a bad cast) runs nowhere.
  bool runs(Isa isa) const { return static_cast<unsigned>(isa) < kCount && runs_[static_cast<int>(isa)]; }

 private:
  static constexpr unsigned kCount =
      static_cast<unsigned>(Isa::kAvx512vnni) + 1;  // kAvx512vnni: the last Isa
  bool runs_[kCount] = {};
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
  const bool avx2 = os_ymm && (ebx & (1u << 5));
  const bool avx512f = ebx & (1u << 16);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  const bool avx512 = avx2 && os_zmm && avx512f && avx512bw && avx512vl;  // F + BW + VL
  f.set(Isa::kAvx2, avx2);
  f.set(Isa::kAvx512bw, avx512);
  f.set(Isa::kAvx512vnni, avx512 && (ecx & (1u << 11)));
#elif defined(__aarch64__)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const bool asimd = hwcap & (1ul << 1);  // HWCAP_ASIMD
  f.set(Isa::kNeon64, asimd);
  f.set(Isa::kNeonDot, asimd && (hwcap & (1ul << 20)));  // HWCAP_ASIMDDP
#elif defined(__arm__)
  f.set(Isa::kNeon, getauxval(AT_HWCAP) & (1ul << 12));  // HWCAP_NEON
#endif
  return f;
}

const CpuFeatures& features() {
  static const CpuFeatures f = detect();
  return f;
}

}  // namespace

bool cpu_supports(Isa isa) { return features().runs(isa); }

}  // namespace lowbit

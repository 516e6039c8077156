#include "baseline_simd_guard.h"

#include "lowbit/gemm.h"

namespace qbench {

BaselineLibrary library_of_kernel(const std::string& kernel_id) {
  if (kernel_id == "float32" || kernel_id == "float32_rowmajor" || kernel_id == "int32")
    return BaselineLibrary::kEigen;
  if (kernel_id == "uint8_gemmlowp") return BaselineLibrary::kGemmlowp;
  return BaselineLibrary::kNone;
}

BaselineLibrary library_of_qnn_variant(const std::string& variant) {
  // qnn/src/eigen_gemm.cc: the float network and QNN-32 multiply with Eigen, built with the same
  // flags as the baselines (cmake/BaselineSimd.cmake).
  return variant == "float" || variant == "q32" ? BaselineLibrary::kEigen : BaselineLibrary::kNone;
}

bool cpu_has_simd_for(BaselineLibrary library) {
  if (library == BaselineLibrary::kNone) return false;
#if defined(__aarch64__)
  return true;
#elif defined(__arm__)
  return lowbit::cpu_supports(lowbit::Isa::kNeon);
#elif defined(__x86_64__) || defined(__i386__)
  return library == BaselineLibrary::kEigen || __builtin_cpu_supports("sse4.1");
#else
  return false;
#endif
}

std::string scalar_baseline_refusal(BaselineLibrary library, const CompiledSimd& compiled,
                                    bool cpu_has_simd) {
  if (library == BaselineLibrary::kNone || compiled.vectorized || !cpu_has_simd) return "";
  const char* name = library == BaselineLibrary::kEigen ? "Eigen" : "gemmlowp";
  return std::string(name) + " was compiled without SIMD (it reports '" + compiled.instruction_sets +
         "') but this CPU has SIMD for it: timing its scalar code would inflate every speedup. Rebuild "
         "with the CPU's SIMD (cmake/BaselineSimd.cmake: LOWBIT_BASELINES_NATIVE=ON, on 32-bit ARM "
         "LOWBIT_BASELINE_ARM_CPU=<core>), or pass --allow-scalar-baselines to time it anyway";
}

std::string scalar_baseline_refusals(const std::vector<std::string>& ids, bool qnn_variants) {
  bool eigen = false, gemmlowp = false;
  for (const std::string& id : ids) {
    const BaselineLibrary library = qnn_variants ? library_of_qnn_variant(id) : library_of_kernel(id);
    eigen = eigen || library == BaselineLibrary::kEigen;
    gemmlowp = gemmlowp || library == BaselineLibrary::kGemmlowp;
  }
  std::string refusals;
  auto add = [&refusals](const std::string& refusal) {
    if (!refusal.empty()) refusals += (refusals.empty() ? "" : "\n") + refusal;
  };
  if (eigen)
    add(scalar_baseline_refusal(BaselineLibrary::kEigen, eigen_compiled_simd(),
                                cpu_has_simd_for(BaselineLibrary::kEigen)));
  if (gemmlowp)
    add(scalar_baseline_refusal(BaselineLibrary::kGemmlowp, gemmlowp_compiled_simd(),
                                cpu_has_simd_for(BaselineLibrary::kGemmlowp)));
  return refusals;
}

}  // namespace qbench

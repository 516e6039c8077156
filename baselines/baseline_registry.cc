// The baseline libraries the runner knows: one registration line each.
#include "baselines.h"

#ifndef QBENCH_ONEDNN_MISSING  // baselines/CMakeLists.txt defines it where Debian lacks oneDNN
#define QBENCH_ONEDNN_MISSING "oneDNN was not found at build time (install libdnnl-dev, rebuild)"
#endif

namespace qbench {
namespace {

[[maybe_unused]] GemmKernel missing_library(const std::string& id, const std::string& why) {
  GemmKernel k;
  k.id = id;
  k.description = why;
  k.unavailable = [why] { return why; };
  k.implementation = [] { return std::string("-"); };
  return k;
}

}  // namespace

void add_baseline_kernels(KernelRegistry& registry) {
  registry.add(eigen_float32_colmajor_kernel());
  registry.add(eigen_float32_rowmajor_kernel());
  registry.add(eigen_int32_kernel());
  registry.add(gemmlowp_uint8_kernel());
#ifdef QBENCH_HAVE_ONEDNN
  registry.add(onednn_s8_kernel());
  registry.add(onednn_f32_kernel());
#else
  registry.add(missing_library("onednn_s8", QBENCH_ONEDNN_MISSING));
  registry.add(missing_library("onednn_f32", QBENCH_ONEDNN_MISSING));
#endif
#ifdef QBENCH_HAVE_XNNPACK
  registry.add(xnnpack_u8_kernel());
#else
  registry.add(
      missing_library("xnnpack_u8", "XNNPACK was not found at build time (install libxnnpack-dev, rebuild)"));
#endif
}

}  // namespace qbench

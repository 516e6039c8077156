// The kernels the runner knows: one registration line each.
#include "baselines.h"
#include "gemm_kernel.h"
#include "lowbit_kernel.h"

namespace qbench {
namespace {

[[maybe_unused]] GemmKernel missing_library(const std::string& id, const std::string& why) {
  GemmKernel k;
  k.id = id;
  k.description = why;
  k.supports_prepacked = false;
  k.unavailable = [why] { return why; };
  k.implementation = [] { return std::string("-"); };
  return k;
}

#ifndef QBENCH_ONEDNN_MISSING  // baselines/CMakeLists.txt defines it where Debian lacks oneDNN
#define QBENCH_ONEDNN_MISSING "oneDNN was not found at build time (install libdnnl-dev, rebuild)"
#endif

}  // namespace

const std::vector<GemmKernel>& all_kernels() {
  static const std::vector<GemmKernel> kernels = {
      eigen_float32_colmajor_kernel(),
      eigen_float32_rowmajor_kernel(),
      eigen_int32_kernel(),
      gemmlowp_uint8_kernel(),
      lowbit_kernel("uint8", lowbit::Scheme::kUint8, "ours, gemmlowp-style: 8-bit operands, 32-bit accumulators"),
      lowbit_kernel("uint4", lowbit::Scheme::kUint4, "ours, the paper's: packed 4-bit operands, 16-bit accumulators"),
      lowbit_kernel("uint4_6", lowbit::Scheme::kUint4_6,
                    "ours, 4.6-bit: (N_x, N_w) = (63, 9) levels, 8-bit products, 16-bit accumulators"),
#ifdef QBENCH_HAVE_ONEDNN
      onednn_s8_kernel(),
      onednn_f32_kernel(),
#else
      missing_library("onednn_s8", QBENCH_ONEDNN_MISSING),
      missing_library("onednn_f32", QBENCH_ONEDNN_MISSING),
#endif
#ifdef QBENCH_HAVE_XNNPACK
      xnnpack_u8_kernel(),
#else
      missing_library("xnnpack_u8",
                      "XNNPACK was not found at build time (install libxnnpack-dev, rebuild)"),
#endif
  };
  return kernels;
}

const GemmKernel* find_kernel(const std::string& id) {
  for (const GemmKernel& k : all_kernels())
    if (k.id == id) return &k;
  return nullptr;
}

}  // namespace qbench

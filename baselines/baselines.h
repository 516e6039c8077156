// The libraries the project compares against, as runner kernels; one file each in baselines/.
// They depend on qbench_core only: add_baseline_kernels() puts them into a program's registry.
#pragma once

#include "gemm_kernel.h"
#include "kernel_registry.h"

namespace qbench {

// Every baseline, one registration line each (baseline_registry.cc). A library not found at build
// time still has its ids, unavailable with the reason, so that configs naming it stay valid.
void add_baseline_kernels(KernelRegistry& registry);

GemmKernel eigen_float32_colmajor_kernel();  // id "float32"
GemmKernel eigen_float32_rowmajor_kernel();  // id "float32_rowmajor"
GemmKernel eigen_int32_kernel();             // id "int32"
GemmKernel gemmlowp_uint8_kernel();          // id "uint8_gemmlowp"
#ifdef QBENCH_HAVE_ONEDNN
GemmKernel onednn_s8_kernel();   // id "onednn_s8"
GemmKernel onednn_f32_kernel();  // id "onednn_f32"
#endif
#ifdef QBENCH_HAVE_XNNPACK
GemmKernel xnnpack_u8_kernel();  // id "xnnpack_u8"
#endif

}  // namespace qbench

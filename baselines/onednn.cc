// oneDNN baselines through its BLAS-like API, one thread:
//   onednn_s8:  dnnl_gemm_u8s8s32, the activations X as the u8 operand, the weights as s8;
//   onednn_f32: dnnl_sgemm on the dequantized floats.
// oneDNN 2.x's gemm functions take row-major matrices (unlike the Fortran BLAS) and pack both
// operands inside every call; there is no public prepacked form, so WeightsMode is meaningless here.
//
// One thread: the gemm API has no thread-count argument; it uses the CPU runtime's own count.
// Debian's libdnnl is built with DNNL_CPU_RUNTIME = OMP (dnnl_config.h; libdnnl.so links libgomp),
// so every call is preceded by omp_set_num_threads(1) on the calling thread (an OpenMP ICV, per
// thread). omp_set_num_threads is looked up at run time in the OpenMP library that libdnnl loaded,
// so that this file needs no OpenMP flags or link line of its own. A sequential build needs nothing;
// TBB and threadpool builds (not verified to run the plain gemm API on one thread) are reported
// unavailable.
//
// onednn_s8 is exact (compare_exact) only on ISAs with VNNI; elsewhere oneDNN saturates 16-bit
// intermediate sums, which a probe detects and reports as unavailable (onednn_s8_unavailable).
#include <dlfcn.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "baselines.h"
#include "oneapi/dnnl/dnnl.h"
#include "oneapi/dnnl/dnnl_debug.h"

namespace qbench {
namespace {

using SetNumThreads = void (*)(int);

#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
constexpr const char* kRuntime = "OpenMP runtime";
#elif DNNL_CPU_RUNTIME == DNNL_RUNTIME_SEQ
constexpr const char* kRuntime = "sequential runtime";
#elif DNNL_CPU_RUNTIME == DNNL_RUNTIME_THREADPOOL
constexpr const char* kRuntime = "threadpool runtime";
#elif DNNL_CPU_RUNTIME == DNNL_RUNTIME_TBB
constexpr const char* kRuntime = "TBB runtime";
#else
constexpr const char* kRuntime = "unknown CPU runtime";
#endif

// omp_set_num_threads of the OpenMP runtime libdnnl uses, or null when the build needs none.
SetNumThreads omp_set_num_threads_fn() {
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
  static const SetNumThreads fn = reinterpret_cast<SetNumThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  return fn;
#else
  return nullptr;
#endif
}

std::string onednn_unavailable() {
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
  if (omp_set_num_threads_fn() == nullptr)
    return "oneDNN uses OpenMP but omp_set_num_threads was not found: cannot run it on one thread";
  return "";
#elif DNNL_CPU_RUNTIME == DNNL_RUNTIME_SEQ
  return "";
#else
  return std::string("oneDNN was built with the ") + kRuntime +
         ": running its gemm on one thread is not implemented (only OpenMP and sequential builds)";
#endif
}

// Called before every product: cheap (it stores one per-thread variable), and correct whichever
// thread the runner uses.
inline void one_thread() {
  if (SetNumThreads set = omp_set_num_threads_fn()) set(1);
}

// Without VNNI (x86 ISAs below AVX2_VNNI / AVX512_CORE_VNNI), oneDNN's u8 x s8 gemm adds pairs of
// products in saturating 16-bit lanes (oneDNN's "int8 computations" guide warns of it): with
// full-range operands 255 * -128 + 255 * -128 saturates and the int32 result is wrong. Measured with
// DNNL_MAX_CPU_ISA=AVX2, AVX512_CORE and SSE41 (oneDNN 2.6.3): 21 of 25 8-bit shapes failed
// compare_exact, and this probe gave 16 x -32768; 4-bit values cannot saturate. The probe runs the
// worst case through the real function, whatever the ISA or version.
std::string onednn_s8_unavailable() {
  if (std::string why = onednn_unavailable(); !why.empty()) return why;
  static const std::string why = [] {
    constexpr int n = 32;  // large enough for the blocked kernels, not a small-size special case
    std::vector<uint8_t> a(n * n, 255);
    std::vector<int8_t> b(n * n, -128);
    std::vector<int32_t> c(n * n, 0);
    const int32_t zero = 0;
    one_thread();
    const dnnl_status_t status = dnnl_gemm_u8s8s32('N', 'N', 'F', n, n, n, 1.0f, a.data(), n, 0, b.data(), n,
                                                   0, 0.0f, c.data(), n, &zero);
    if (status != dnnl_success) return std::string("dnnl_gemm_u8s8s32 failed: ") + dnnl_status2str(status);
    const int32_t want = n * 255 * -128;
    if (c[0] == want) return std::string();
    return std::string("oneDNN's gemm_u8s8s32 is inexact on ISA ") +
           dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()) +
           " (no VNNI: 16-bit intermediate sums saturate for full-range 8-bit operands; all-255 x "
           "all-(-128) depth " +
           std::to_string(n) + " gave " + std::to_string(c[0]) + ", not " + std::to_string(want) + ")";
  }();
  return why;
}

std::string onednn_implementation(const char* function) {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " " + function + ", ISA " +
         dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()) + ", " + kRuntime + ", 1 thread";
}

void check_status(dnnl_status_t status, const char* what) {
  if (status != dnnl_success)
    throw std::runtime_error(std::string(what) + " failed: " + dnnl_status2str(status));
}

// R^T = X^T W^T, row-major (width x height): oneDNN's u8 operand must be the left one, and our left
// operand W is the one converted to s8. Both transposes are free: transa/transb = 'T' read X and W
// in place. W is converted once here: q - w_zero = (q - 128) - (w_zero - 128), both in int8 range.
class PreparedOnednnS8 : public PreparedGemm {
 public:
  explicit PreparedOnednnS8(const GemmProblem& p)
      : problem_(p), w_s8_(p.w.size()), result_(p.expected.size()) {
    if (p.w_zero < 0 || p.w_zero > 255 || p.x_zero < 0 || p.x_zero > 255)
      throw std::invalid_argument("onednn_s8: zero points must be in [0, 255]");
    for (std::size_t i = 0; i < p.w.size(); ++i)
      w_s8_[i] = static_cast<int8_t>(static_cast<int>(p.w[i]) - 128);
    w_offset_ = static_cast<int8_t>(p.w_zero - 128);
    x_offset_ = static_cast<uint8_t>(p.x_zero);
  }

  void run() override {
    one_thread();
    const GemmShape& s = problem_.shape;
    // C (M x N) = (op(A) - ao)(op(B) - bo): M = width, N = height, K = depth.
    // A = X stored K x M (lda = width), B = W stored N x K (ldb = depth), C ldc = height.
    const dnnl_status_t status = dnnl_gemm_u8s8s32(
        'T', 'T', 'F', s.width, s.height, s.depth, 1.0f, problem_.x.data(), s.width, x_offset_, w_s8_.data(),
        s.depth, w_offset_, 0.0f, result_.data(), s.height, &kZeroOffset);
    check_status(status, "dnnl_gemm_u8s8s32");
  }

  std::string check() override {
    // result_ holds R^T: R[i][j] = result_[j * height + i].
    return run_and_compare_exact(*this, problem_, result_, 1, problem_.shape.height);
  }

 private:
  static constexpr int32_t kZeroOffset = 0;
  const GemmProblem& problem_;
  std::vector<int8_t> w_s8_;
  int8_t w_offset_;
  uint8_t x_offset_;
  std::vector<int32_t> result_;
};

// R = W X directly (row-major API), on the dequantized operands converted once.
class PreparedOnednnF32 : public PreparedGemm {
 public:
  explicit PreparedOnednnF32(const GemmProblem& p)
      : problem_(p), w_(p.w.size()), x_(p.x.size()), result_(p.expected.size()) {
    for (std::size_t i = 0; i < p.w.size(); ++i)
      w_[i] = p.w_scale * static_cast<float>(static_cast<int32_t>(p.w[i]) - p.w_zero);
    for (std::size_t i = 0; i < p.x.size(); ++i)
      x_[i] = p.x_scale * static_cast<float>(static_cast<int32_t>(p.x[i]) - p.x_zero);
  }

  void run() override {
    one_thread();
    const GemmShape& s = problem_.shape;
    const dnnl_status_t status = dnnl_sgemm('N', 'N', s.height, s.width, s.depth, 1.0f, w_.data(), s.depth,
                                            x_.data(), s.width, 0.0f, result_.data(), s.width);
    check_status(status, "dnnl_sgemm");
  }

  std::string check() override {
    std::fill(result_.begin(), result_.end(), -1.0f);
    run();
    return compare_float(problem_, result_.data(), problem_.shape.width, 1);
  }

 private:
  const GemmProblem& problem_;
  std::vector<float> w_, x_, result_;
};

template <typename Prepared>
GemmKernel onednn_kernel(const std::string& id, const std::string& description, const char* function,
                         std::string (*unavailable)()) {
  GemmKernel k;
  k.id = id;
  k.description = description;
  k.unavailable = unavailable;
  k.implementation = [function] { return onednn_implementation(function); };
  k.prepare = [](const GemmProblem& p, WeightsMode) -> std::unique_ptr<PreparedGemm> {
    return std::make_unique<Prepared>(p);
  };
  return k;
}

}  // namespace

GemmKernel onednn_s8_kernel() {
  return onednn_kernel<PreparedOnednnS8>(
      "onednn_s8", "oneDNN gemm_u8s8s32: uint8 activations x int8 weights -> int32, one thread",
      "gemm_u8s8s32", onednn_s8_unavailable);
}

GemmKernel onednn_f32_kernel() {
  return onednn_kernel<PreparedOnednnF32>("onednn_f32",
                                          "oneDNN sgemm on the dequantized float32 operands, one thread",
                                          "sgemm", onednn_unavailable);
}

}  // namespace qbench

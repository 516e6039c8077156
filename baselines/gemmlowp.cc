// gemmlowp: uint8 x uint8 -> int32 with an empty output pipeline, one thread. Built with
// GEMMLOWP_ENABLE_AVX2 and the host's flags so that it uses its best x86 kernel (SSE4.1 otherwise),
// NEON on ARM. Debian's libeight_bit_int_gemm.a is built without SIMD and is not used.
#include <tuple>

#include "baselines.h"
#include "gemmlowp/public/gemmlowp.h"
#include "simd_info.h"

namespace qbench {
namespace {

class PreparedGemmlowp : public PreparedGemm {
 public:
  explicit PreparedGemmlowp(const GemmProblem& p) : problem_(p), result_(p.expected.size()) {
    context_.set_max_num_threads(1);
  }

  void run() override {
    const GemmShape& s = problem_.shape;
    gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> lhs(problem_.w.data(), s.height,
                                                                         s.depth);
    gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> rhs(problem_.x.data(), s.depth, s.width);
    gemmlowp::MatrixMap<int32_t, gemmlowp::MapOrder::RowMajor> result(result_.data(), s.height, s.width);
    // gemmlowp adds its offsets: (w + lhs_offset)(x + rhs_offset).
    gemmlowp::GemmWithOutputPipeline<uint8_t, int32_t, gemmlowp::DefaultL8R8BitDepthParams>(
        &context_, lhs, rhs, &result, -problem_.w_zero, -problem_.x_zero, std::make_tuple());
  }

  std::string check() override {
    return run_and_compare_exact(*this, problem_, result_, problem_.shape.width, 1);
  }

 private:
  const GemmProblem& problem_;
  std::vector<int32_t> result_;
  gemmlowp::GemmContext context_;
};

}  // namespace

GemmKernel gemmlowp_uint8_kernel() {
  GemmKernel k;
  k.id = "uint8_gemmlowp";
  k.description = "gemmlowp uint8 x uint8 -> int32, empty output pipeline";
  k.implementation = [] {
    return "gemmlowp, " + gemmlowp_compiled_simd().instruction_sets + " kernel, 1 thread";
  };
  k.prepare = [](const GemmProblem& p, WeightsMode) -> std::unique_ptr<PreparedGemm> {
    return std::make_unique<PreparedGemmlowp>(p);
  };
  return k;
}

}  // namespace qbench

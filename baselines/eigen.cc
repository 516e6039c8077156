// Eigen baselines: float32 in both storage orders (the paper's "float32") and int32.
// Operands are converted once, outside the timed call; Eigen packs both inside every product.
#include <Eigen/Core>

#include "baselines.h"

namespace qbench {
namespace {

std::string eigen_version() {
  return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION) + " (" + Eigen::SimdInstructionSetsInUse() + ")";
}

template <typename Scalar, int kOrder>
class PreparedEigen : public PreparedGemm {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, kOrder>;

 public:
  explicit PreparedEigen(const GemmProblem& p) : problem_(p) {
    const GemmShape& s = p.shape;
    w_.resize(s.height, s.depth);
    x_.resize(s.depth, s.width);
    r_.resize(s.height, s.width);
    for (int i = 0; i < s.height; ++i)
      for (int k = 0; k < s.depth; ++k) w_(i, k) = value(p.w[i * s.depth + k], p.w_zero, p.w_scale);
    for (int k = 0; k < s.depth; ++k)
      for (int j = 0; j < s.width; ++j) x_(k, j) = value(p.x[k * s.width + j], p.x_zero, p.x_scale);
  }

  void run() override { r_.noalias() = w_ * x_; }

  std::string check() override {
    r_.setZero();
    run();
    const bool row_major = kOrder == Eigen::RowMajor;
    const std::ptrdiff_t rs = row_major ? r_.cols() : 1, cs = row_major ? 1 : r_.rows();
    if constexpr (std::is_same_v<Scalar, float>)
      return compare_float(problem_, r_.data(), rs, cs);
    else
      return compare_exact(problem_, r_.data(), rs, cs);
  }

 private:
  static Scalar value(uint8_t q, int32_t zero, float scale) {
    const int32_t centred = static_cast<int32_t>(q) - zero;
    if constexpr (std::is_same_v<Scalar, float>)
      return scale * static_cast<float>(centred);
    else
      return centred;
  }

  const GemmProblem& problem_;
  Matrix w_, x_, r_;
};

template <typename Scalar, int kOrder>
GemmKernel eigen_kernel(const std::string& id, const std::string& what) {
  GemmKernel k;
  k.id = id;
  k.description = what;
  k.implementation = [what] { return eigen_version() + ", " + what; };
  k.prepare = [](const GemmProblem& p, WeightsMode) -> std::unique_ptr<PreparedGemm> {
    return std::make_unique<PreparedEigen<Scalar, kOrder>>(p);
  };
  return k;
}

}  // namespace

GemmKernel eigen_float32_colmajor_kernel() {
  return eigen_kernel<float, Eigen::ColMajor>("float32", "float32, column-major");
}
GemmKernel eigen_float32_rowmajor_kernel() {
  return eigen_kernel<float, Eigen::RowMajor>("float32_rowmajor", "float32, row-major");
}
GemmKernel eigen_int32_kernel() {
  return eigen_kernel<int32_t, Eigen::ColMajor>("int32", "int32, column-major");
}

}  // namespace qbench

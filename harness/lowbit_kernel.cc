#include "lowbit_kernel.h"

#include <stdexcept>

#include "lowbit/gemm.h"

namespace qbench {
namespace {

class PreparedLowbit : public PreparedGemm {
 public:
  PreparedLowbit(const GemmProblem& problem, const lowbit::GemmPath& path, WeightsMode mode)
      : problem_(problem), path_(path), mode_(mode), result_(problem.expected.size()) {
    const GemmShape& s = problem.shape;
    w_ = {problem.w.data(), s.height, s.depth, s.depth, problem.w_zero, problem.format.weight_levels};
    x_ = {problem.x.data(), s.depth, s.width, s.width, problem.x_zero, problem.format.activation_levels};
    r_ = {result_.data(), s.height, s.width, s.width};
    if (mode_ == WeightsMode::kPrepacked) {
      packed_.resize(path.packed_weights_bytes(s.height, s.depth) + 64);
      path.pack_weights(w_, packed_.data());
    }
  }

  void run() override {
    if (mode_ == WeightsMode::kPrepacked)
      path_.gemm_packed({packed_.data(), w_.rows, w_.cols, w_.zero_point, w_.levels}, x_, r_, scratch_);
    else
      lowbit::gemm(path_, w_, x_, r_, scratch_);
  }

  std::string check() override {
    std::fill(result_.begin(), result_.end(), 0x5a5a5a5a);
    run();
    return compare_exact(problem_, result_.data(), problem_.shape.width, 1);
  }

 private:
  const GemmProblem& problem_;
  const lowbit::GemmPath& path_;
  WeightsMode mode_;
  std::vector<int32_t> result_;
  std::vector<uint8_t> packed_;
  lowbit::QuantizedMatrix w_, x_;
  lowbit::ResultMatrix r_;
  lowbit::Scratch scratch_;
};

}  // namespace

GemmKernel lowbit_kernel(const std::string& id, lowbit::Scheme scheme, const std::string& description,
                         lowbit::LevelPair levels) {
  GemmKernel k;
  k.id = id;
  k.description = description;
  k.operands.bits = scheme == lowbit::Scheme::kUint4 ? 4 : 8;
  if (scheme == lowbit::Scheme::kUint4_6) {
    lowbit::check_level_pair(levels);
    k.operands.activation_levels = levels.activations;
    k.operands.weight_levels = levels.weights;
  }
  k.supports_prepacked = true;
  k.unavailable = [scheme]() -> std::string {
    try {
      lowbit::select_path(scheme);
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  };
  k.implementation = [scheme] { return std::string(lowbit::select_path(scheme).name); };
  k.prepare = [scheme](const GemmProblem& problem, WeightsMode mode) -> std::unique_ptr<PreparedGemm> {
    return std::make_unique<PreparedLowbit>(problem, lowbit::select_path(scheme), mode);
  };
  return k;
}

}  // namespace qbench

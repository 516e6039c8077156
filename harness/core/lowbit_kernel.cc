#include "lowbit_kernel.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace qbench {
namespace {

// Test-only (CMake -DLOWBIT_TEST_SLOWDOWN=ON, off by default): every uint4 product then spins for
// $LOWBIT_TEST_SLOWDOWN_PCT % of its own duration after it, so the A/B gate can be shown a known
// slowdown (docs/reports.md). Read from the environment so one test build serves every percentage.
#ifdef LOWBIT_TEST_SLOWDOWN
int test_slowdown_pct() {
  static const int pct = [] {
    const char* value = std::getenv("LOWBIT_TEST_SLOWDOWN_PCT");
    return value != nullptr ? std::max(0, std::atoi(value)) : 0;
  }();
  return pct;
}
#else
constexpr int test_slowdown_pct() { return 0; }
#endif

template <typename Product>
void run_slowed(Product&& product) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  product();
  const Clock::time_point until = Clock::now() + (Clock::now() - start) * test_slowdown_pct() / 100;
  while (Clock::now() < until) {
  }
}

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
    if (test_slowdown_pct() > 0 && path_.scheme == lowbit::Scheme::kUint4)
      run_slowed([this] { product(); });
    else
      product();
  }

  void product() {
    if (mode_ == WeightsMode::kPrepacked)
      path_.gemm_packed({packed_.data(), w_.rows, w_.cols, w_.zero_point, w_.levels}, x_, r_, scratch_);
    else
      lowbit::gemm(path_, w_, x_, r_, scratch_);
  }

  std::string check() override {
    return run_and_compare_exact(*this, problem_, result_, problem_.shape.width, 1);
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

std::string description_of(lowbit::Scheme scheme) {
  switch (scheme) {
    case lowbit::Scheme::kUint8:
      return "ours, gemmlowp-style: 8-bit operands, 32-bit accumulators";
    case lowbit::Scheme::kUint4:
      return "ours, the paper's: packed 4-bit operands, 16-bit accumulators";
    case lowbit::Scheme::kUint4_6:
      return "ours, 4.6-bit: (N_x, N_w) = (" + std::to_string(lowbit::kDefaultLevelPair.activations) + ", " +
             std::to_string(lowbit::kDefaultLevelPair.weights) +
             ") levels, 8-bit products, 16-bit accumulators";
  }
  return "";
}

// A kernel of `scheme` on the path `choose` returns: the selected one, or one fixed path.
GemmKernel lowbit_kernel(const std::string& id, lowbit::Scheme scheme, const std::string& description,
                         std::function<const lowbit::GemmPath&()> choose,
                         std::function<std::string()> unavailable) {
  GemmKernel k;
  k.id = id;
  k.description = description;
  k.operands.bits = scheme == lowbit::Scheme::kUint4 ? 4 : 8;
  if (scheme == lowbit::Scheme::kUint4_6) {
    const lowbit::LevelPair levels = lowbit::kDefaultLevelPair;
    lowbit::check_level_pair(levels);
    k.operands.activation_levels = levels.activations;
    k.operands.weight_levels = levels.weights;
  }
  k.supports_prepacked = true;
  k.unavailable = std::move(unavailable);
  // A slowed build says so in every results file, so it is never mistaken for a real one.
  k.implementation = [choose, scheme] {
    const int pct = scheme == lowbit::Scheme::kUint4 ? test_slowdown_pct() : 0;
    return std::string(choose().name) +
           (pct > 0 ? " (TEST BUILD: +" + std::to_string(pct) + "% busy-wait)" : "");
  };
  k.prepare = [choose](const GemmProblem& problem, WeightsMode mode) -> std::unique_ptr<PreparedGemm> {
    return std::make_unique<PreparedLowbit>(problem, choose(), mode);
  };
  return k;
}

GemmKernel selected_path_kernel(lowbit::Scheme scheme) {
  return lowbit_kernel(
      lowbit::scheme_name(scheme), scheme, description_of(scheme),
      [scheme]() -> const lowbit::GemmPath& { return lowbit::select_path(scheme); },
      [scheme]() -> std::string {
        try {
          lowbit::select_path(scheme);
          return "";
        } catch (const std::exception& e) {
          return e.what();
        }
      });
}

GemmKernel fixed_path_kernel(const lowbit::GemmPath& path) {
  const std::string isa = lowbit::isa_name(path.isa);
  return lowbit_kernel(
      per_path_id(lowbit::scheme_name(path.scheme), isa), path.scheme,
      description_of(path.scheme) + "; the " + isa + " path only",
      [p = &path]() -> const lowbit::GemmPath& { return *p; },
      [p = &path] { return lowbit::why_unusable(*p); });
}

}  // namespace

void add_lowbit_kernels(KernelRegistry& registry) {
  for (lowbit::Scheme scheme : {lowbit::Scheme::kUint8, lowbit::Scheme::kUint4, lowbit::Scheme::kUint4_6}) {
    registry.add(selected_path_kernel(scheme));
    std::vector<const lowbit::GemmPath*> paths;
    for (const lowbit::GemmPath* path : lowbit::compiled_paths())
      if (path->scheme == scheme) paths.push_back(path);
    std::sort(paths.begin(), paths.end(), [](const lowbit::GemmPath* a, const lowbit::GemmPath* b) {
      return static_cast<int>(a->isa) < static_cast<int>(b->isa);
    });
    for (const lowbit::GemmPath* path : paths) registry.add(fixed_path_kernel(*path));
  }
}

}  // namespace qbench

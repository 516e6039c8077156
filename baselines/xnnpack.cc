// XNNPACK baseline: its quantized fully-connected operator (qu8: uint8 x uint8, int32 accumulation,
// requantization to uint8 inside the call), run without a threadpool, i.e. on the calling thread.
//
// Mapping. A fully-connected layer with batch = width, input channels = depth and output channels =
// height computes, for every batch row b and output channel o, sum_k (in[b][k] - x_zero) *
// (kernel[o][k] - w_zero): with in = X^T (width x depth) and kernel = W (height x depth, the
// operator's default [output_channels, input_channels] layout, used in place) that is R^T, written
// width x height. X is transposed once at prepare(), outside the timed call (in a network the
// activations are batch-major already), into a buffer with the XNN_EXTRA_BYTES the library may read.
//
// Weights. XNNPACK packs the weights when the operator is created; it never packs the activations.
//   kPrepacked:     the operator is created (W packed) and set up once; a call is xnn_run_operator.
//   kPackedPerCall: every call creates the operator (packing W), sets it up, runs and deletes it:
//                   the same "pack W every call" work as the other libraries, but that includes
//                   XNNPACK's operator bookkeeping and its allocations, so this mode allocates.
//
// What check() compares. The output is uint8, so the exact int32 product cannot be recovered from
// one call in general. The output quantization is chosen per problem as a calibrated layer would
// choose it: a bias of -m (m = the midpoint of the product's range, from problem.expected) centres
// the accumulators, the output zero point is 128 and the output step (in units of the integer
// product) is s = max(1, max|R - m| / 127), so that no result clips. check() requires every output
// code to be 128 + round((R - m) / s), computed in double from the exact product R, where a value
// within 1e-3 of a rounding tie may round either way (XNNPACK multiplies by 1/s in float32 and has
// its own tie rule; its error is ~1e-5 of a step here). So:
//   - s == 1 (product range <= 254, e.g. tiny shapes): the int32 product itself is checked exactly;
//   - s > 1: the requantized result is checked exactly, i.e. the dequantized output is the exact
//     product rounded to the output grid. Errors of the product smaller than about half a step are
//     invisible: the int32 accumulators are not observable. (In a mutation test a deliberate
//     x_zero + 1, w_zero + 1 or one-column shift of X was caught on each of the paper's 18 shapes.)
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "baselines.h"
#include "cpuinfo.h"
#include "xnnpack.h"

namespace qbench {
namespace {

const char* status_name(xnn_status status) {
  switch (status) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid parameter";
    case xnn_status_invalid_state:
      return "invalid state";
    case xnn_status_unsupported_parameter:
      return "unsupported parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported hardware";
    case xnn_status_out_of_memory:
      return "out of memory";
  }
  return "unknown status";
}

void check_status(xnn_status status, const char* what) {
  if (status != xnn_status_success)
    throw std::runtime_error(std::string("XNNPACK ") + what + " failed: " + status_name(status));
}

// xnn_initialize once per process (never deinitialized: the operators may live until exit).
xnn_status xnnpack_initialized() {
  static const xnn_status status = xnn_initialize(/*allocator=*/nullptr);
  return status;
}

std::string xnnpack_unavailable() {
  const xnn_status status = xnnpack_initialized();
  if (status != xnn_status_success) return std::string("xnn_initialize failed: ") + status_name(status);
  return "";
}

std::string host_isa() {
  if (!cpuinfo_initialize()) return "unknown";
#if defined(__x86_64__) || defined(__i386__)
  if (cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() && cpuinfo_has_x86_avx512dq() &&
      cpuinfo_has_x86_avx512vl())
    return "AVX512F/BW/DQ/VL";
  if (cpuinfo_has_x86_avx2()) return "AVX2";
  if (cpuinfo_has_x86_sse4_1()) return "SSE4.1";
  return "SSE2";
#elif defined(__aarch64__) || defined(__arm__)
  return cpuinfo_has_arm_neon_dot() ? "NEON + dot product" : cpuinfo_has_arm_neon() ? "NEON" : "no NEON";
#else
  return "unknown";
#endif
}

class PreparedXnnpack : public PreparedGemm {
 public:
  PreparedXnnpack(const GemmProblem& p, WeightsMode mode)
      : problem_(p), mode_(mode), output_(p.expected.size()) {
    check_status(xnnpack_initialized(), "xnn_initialize");
    const GemmShape& s = p.shape;
    if (p.w_zero < 0 || p.w_zero > 255 || p.x_zero < 0 || p.x_zero > 255)
      throw std::invalid_argument("xnnpack_u8: zero points must be in [0, 255]");

    // X (depth x width) -> X^T (width x depth), batch-major, plus the bytes XNNPACK may over-read.
    input_.assign(static_cast<std::size_t>(s.width) * s.depth + XNN_EXTRA_BYTES, 0);
    for (int k = 0; k < s.depth; ++k)
      for (int j = 0; j < s.width; ++j)
        input_[static_cast<std::size_t>(j) * s.depth + k] = p.x[static_cast<std::size_t>(k) * s.width + j];

    // Output quantization (see the top of the file).
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (int32_t r : p.expected) {
      lo = std::min<int64_t>(lo, r);
      hi = std::max<int64_t>(hi, r);
    }
    const int64_t mid = lo + (hi - lo) / 2;
    centre_ = mid;
    step_ = std::max(1.0, static_cast<double>(std::max(hi - mid, mid - lo)) / 127.0);
    bias_.assign(s.height, static_cast<int32_t>(-mid));
    output_scale_ = static_cast<float>(static_cast<double>(p.x_scale) * p.w_scale * step_);

    if (mode_ == WeightsMode::kPrepacked) {
      op_ = create();
      check_status(xnn_setup_fully_connected_nc_qu8(op_, s.width, input_.data(), output_.data(),
                                                    /*threadpool=*/nullptr),
                   "xnn_setup_fully_connected_nc_qu8");
    }
  }

  ~PreparedXnnpack() override {
    if (op_ != nullptr) xnn_delete_operator(op_);
  }

  void run() override {
    if (mode_ == WeightsMode::kPrepacked) {
      check_status(xnn_run_operator(op_, /*threadpool=*/nullptr), "xnn_run_operator");
      return;
    }
    xnn_operator_t op = create();
    xnn_status status = xnn_setup_fully_connected_nc_qu8(op, problem_.shape.width, input_.data(),
                                                         output_.data(), /*threadpool=*/nullptr);
    if (status == xnn_status_success) status = xnn_run_operator(op, /*threadpool=*/nullptr);
    xnn_delete_operator(op);
    check_status(status, "fully-connected setup/run");
  }

  std::string check() override {
    std::fill(output_.begin(), output_.end(), 0);
    run();
    const GemmShape& s = problem_.shape;
    int mismatches = 0;
    std::ostringstream first;
    for (int i = 0; i < s.height; ++i) {
      for (int j = 0; j < s.width; ++j) {
        const int32_t want = problem_.expected[static_cast<std::size_t>(i) * s.width + j];
        // The codes a correct requantization may give: round(q), or either neighbour of a near-tie.
        const double q = static_cast<double>(want - centre_) / step_;
        const int lowest = kOutputZero + static_cast<int>(std::floor(q + 0.5 - kTieSlack));
        const int highest = kOutputZero + static_cast<int>(std::floor(q + 0.5 + kTieSlack));
        const int got = output_[static_cast<std::size_t>(j) * s.height + i];
        if (got >= lowest && got <= highest) continue;
        if (mismatches++ == 0)
          first << "R[" << i << "][" << j << "] ~ " << centre_ + (got - kOutputZero) * step_
                << " (uint8 code " << got << "), expected " << want << " (code " << lowest
                << (highest != lowest ? " or " + std::to_string(highest) : std::string()) << ")";
      }
    }
    if (mismatches == 0) return "";
    return std::to_string(mismatches) + " of " + std::to_string(s.height * s.width) +
           " requantized results (output step " + std::to_string(step_) +
           ") differ from the exact product requantized, on " + s.str() + "; first: " + first.str();
  }

 private:
  static constexpr int kOutputZero = 128;
  static constexpr double kTieSlack = 1e-3;  // in output steps

  xnn_operator_t create() const {
    const GemmShape& s = problem_.shape;
    xnn_operator_t op = nullptr;
    check_status(
        xnn_create_fully_connected_nc_qu8(
            /*input_channels=*/s.depth, /*output_channels=*/s.height,
            /*input_stride=*/s.depth, /*output_stride=*/s.height, static_cast<uint8_t>(problem_.x_zero),
            problem_.x_scale, static_cast<uint8_t>(problem_.w_zero), problem_.w_scale, problem_.w.data(),
            bias_.data(), kOutputZero, output_scale_, /*output_min=*/0, /*output_max=*/255,
            /*flags=*/0, &op),
        "xnn_create_fully_connected_nc_qu8");
    return op;
  }

  const GemmProblem& problem_;
  WeightsMode mode_;
  std::vector<uint8_t> input_;   // X^T + XNN_EXTRA_BYTES
  std::vector<uint8_t> output_;  // R^T requantized, width x height
  std::vector<int32_t> bias_;    // -centre_ for every output channel
  int64_t centre_ = 0;
  double step_ = 1.0;  // output quantization step in units of the integer product
  float output_scale_ = 1.0f;
  xnn_operator_t op_ = nullptr;
};

}  // namespace

GemmKernel xnnpack_u8_kernel() {
  GemmKernel k;
  k.id = "xnnpack_u8";
  k.description = "XNNPACK fully_connected_nc_qu8: uint8 x uint8 -> int32, requantized to uint8, one thread";
  k.supports_prepacked = true;
  k.unavailable = xnnpack_unavailable;
  k.implementation = [] {
    return "XNNPACK fully_connected_nc_qu8 (the library has no version query), includes "
           "requantization to uint8, no threadpool (1 thread), host ISA " +
           host_isa() + "; weights packed at operator creation (per_call: created every call)";
  };
  k.prepare = [](const GemmProblem& p, WeightsMode mode) -> std::unique_ptr<PreparedGemm> {
    return std::make_unique<PreparedXnnpack>(p, mode);
  };
  return k;
}

}  // namespace qbench

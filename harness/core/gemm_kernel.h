// What the runner needs from anything it times: our kernels and every baseline library alike.
//
// The runner builds one GemmProblem per shape (the same random quantized operands and the reference
// result for every kernel), asks each kernel to prepare() its own copy of the inputs in the form it
// consumes (float, int32, signed, transposed...), checks the prepared kernel's output against the
// reference, and only then times run().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace qbench {

struct GemmShape {
  int height;  // rows of W (filters)
  int width;   // columns of X (pixels)
  int depth;   // the shared dimension

  double ops() const { return 2.0 * height * width * depth; }  // one multiply + one add per term
  std::string str() const;                                     // "HxWxD"
};

// What codes a kernel's operands hold: < 2^bits, or for the 4.6-bit scheme < activation_levels (X)
// and < weight_levels (W) with W's zero point at its centre (lowbit/levels.h).
struct OperandFormat {
  int bits = 8;               // storage: 4 or 8
  int activation_levels = 0;  // 0: 2^bits
  int weight_levels = 0;      // 0: 2^bits; else odd, and W is symmetric
  int x_levels() const { return activation_levels > 0 ? activation_levels : 1 << bits; }
  int w_levels() const { return weight_levels > 0 ? weight_levels : 1 << bits; }
  bool operator<(const OperandFormat& o) const {
    return std::tie(bits, activation_levels, weight_levels) <
           std::tie(o.bits, o.activation_levels, o.weight_levels);
  }
};

// The operands of one shape, shared by every kernel of one operand format. W is height x depth, X is
// depth x width, both row-major with one quantized code per byte; `expected` is the exact int32 product
// sum_k (w - w_zero)(x - x_zero) from lowbit::reference_gemm. Float kernels multiply the dequantized
// values w_scale (w - w_zero) and x_scale (x - x_zero).
struct GemmProblem {
  GemmShape shape;
  OperandFormat format;
  std::vector<uint8_t> w, x;
  int32_t w_zero, x_zero;
  float w_scale, x_scale;
  std::vector<int32_t> expected;  // height x width, row-major
};

// How the weights are treated by a timed call.
enum class WeightsMode {
  kPackedPerCall,  // every call packs both operands (the default: the same work for every library)
  kPrepacked,      // W is packed once ahead of time, as inference does; calls pack only X
};

// A kernel bound to one problem, ready to run repeatedly.
class PreparedGemm {
 public:
  virtual ~PreparedGemm() = default;
  // One product: what is timed. Must not allocate once warmed up.
  virtual void run() = 0;
  // Runs once and compares with problem.expected: "" when correct, else what differs, where.
  virtual std::string check() = 0;
};

struct GemmKernel {
  std::string id;           // as used in configs, JSON and tables: "uint4", "uint4@avx2", "float32", ...
  std::string description;  // one line for `qbench list`
  OperandFormat operands;   // the codes it is given
  bool supports_prepacked = false;  // whether WeightsMode::kPrepacked means anything to it
  // Why it cannot run on this machine or build ("" when it can; by default it always can).
  std::function<std::string()> unavailable = [] { return std::string(); };
  // What it will execute here: an ISA path, a library and version, a storage order.
  std::function<std::string()> implementation;
  std::function<std::unique_ptr<PreparedGemm>(const GemmProblem&, WeightsMode)> prepare;
};

// Shared checks for PreparedGemm::check(): exact for integers, and for floats within
// |diff| <= depth-scaled float32 rounding bound of the product of the dequantized operands.
std::string compare_exact(const GemmProblem& problem, const int32_t* result, std::ptrdiff_t row_stride,
                          std::ptrdiff_t col_stride);
std::string compare_float(const GemmProblem& problem, const float* result, std::ptrdiff_t row_stride,
                          std::ptrdiff_t col_stride);
// check() of a kernel that writes int32 results into `result`: fills it with a pattern (0x5a5a5a5a)
// so that an element the kernel leaves unwritten shows, runs `prepared` once and compares exactly.
std::string run_and_compare_exact(PreparedGemm& prepared, const GemmProblem& problem,
                                  std::vector<int32_t>& result, std::ptrdiff_t row_stride,
                                  std::ptrdiff_t col_stride);

}  // namespace qbench

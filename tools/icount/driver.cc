// icount-driver: one (kernel, shape) product, run a given number of times inside one clearly named
// function, for deterministic instruction counting (qemu-user + tools/icount/qemu_icount.c on ARM,
// valgrind's callgrind on x86; lowbit icount drives it, docs/instruction-counts.md explains it).
//
//   icount-driver --kernel uint4 --shape 8x100x10 --reps 3 [--seed 1] [--weights per_call|prepacked]
//                 [--corrupt] [--list]
//   icount-driver --qnn q4 --models /path/to/models --reps 2    (one QNN forward pass: qnn_pass.cc)
//   icount-driver --lenet q4 --models /path/to/models --reps 2  (one LeNet-5 forward pass: lenet_pass.cc)
//
// It links the harness libraries that need no Google Benchmark, so that it cross-compiles wherever
// the kernels do: qbench_core (the same seeded operands and lowbit::reference_gemm result, our
// kernels with their per-path ids), qbench_baselines (Eigen, gemmlowp), qbench_kernels (the same
// registry as qbench) and qbench_results (its kernel records and schema version are the results
// file's). The product is verified against the reference before anything is counted: a kernel that
// disagrees makes the driver exit 1 without running the counted regions.
//
// What is counted: four calls of counted_region(), which brackets its loop by calls of
// icount_begin() and icount_end() (so that the instructions counted besides the products are the
// same in every call):
//   region 0: counted_region(p, 1)             warm-up, not used (the first counted call may differ:
//                                              first use of a code path, of the heap's state)
//   region 1: counted_region(p, 1)             A = one product + the call's fixed overhead
//   region 2: counted_region(p, 1 + reps)      B = 1 + reps products + the same overhead
//   region 3: counted_region(p, 1 + 2 reps)    C = 1 + 2 reps products + the same overhead
// Instructions of one product = (B - A) / reps: the fixed overhead (call, prologue, epilogue, the
// markers) cancels, as does any difference of a region's first product from the others; what
// remains is one prepared->run() call and one loop step per product. The count is "steady" when
// C - B == B - A, i.e. the products of a loop cost the same from call to call; lowbit icount
// reports a cell that is not. The qemu plugin finds the markers by their symbols; callgrind collects
// inside counted_region only (--toggle-collect=counted_region --dump-after=counted_region: one dump
// per region). The product was already run once by the verification, so every counted call is a
// warmed-up one (scratch allocated).
//
// Exit status: 0 counted, 1 the kernel's result is wrong, 2 bad usage or a kernel unavailable here.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "gemm_kernel.h"
#include "gemm_problem.h"
#include "known_kernels.h"
#include "lowbit/gemm.h"
#include "lenet_pass.h"
#include "qnn_pass.h"
#include "record.h"
#include "results_writer.h"

extern "C" {

// A store each marker makes, so that no compiler can merge the two (identical code folding) or drop
// them. noipa: no inlining, cloning or interprocedural assumptions about them or counted_region.
volatile int icount_marker_sink = 0;

__attribute__((noipa, used)) void icount_begin(void) { icount_marker_sink = 1; }
__attribute__((noipa, used)) void icount_end(void) { icount_marker_sink = 2; }

// The counted code: `reps` complete products, between the two markers (inside the function, so that
// the instructions counted besides the products are the same in every call).
__attribute__((noipa, used)) void counted_region(qbench::PreparedGemm* prepared, long reps) {
  icount_begin();
  for (long i = 0; i < reps; ++i) prepared->run();
  icount_end();
}

}  // extern "C"

namespace {

constexpr const char* kUsage =
    "usage: icount-driver --kernel ID --shape HxWxD [--reps N] [--seed S]\n"
    "                     [--weights per_call|prepacked] [--corrupt]\n"
    "       icount-driver --qnn float|q8|q4|q32|q4_6 --models DIR [--reps N]\n"
    "       icount-driver --lenet float|q8|q4 --models DIR [--reps N]\n"
    "       icount-driver --list\n";

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr, "icount-driver: %s\n%s", what.c_str(), kUsage);
  std::exit(2);
}

bool parse_long(const char* text, long min, long* value) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min) return false;
  *value = v;
  return true;
}

bool parse_shape(const std::string& text, qbench::GemmShape* shape) {
  int h = 0, w = 0, d = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%dx%dx%d%c", &h, &w, &d, &tail) != 3) return false;
  if (h < 1 || w < 1 || d < 1) return false;
  *shape = {h, w, d};
  return true;
}

// One line per kernel id: context.qbench.kernels' record of it, plus its availability.
int list_kernels() {
  for (const qbench::GemmKernel& k : qbench::known_kernels().kernels()) {
    const std::string why = k.unavailable();
    nlohmann::json line = qbench::kernel_record(k);
    line["kernel"] = k.id;
    if (!line.contains("levels")) line["levels"] = nullptr;
    line["available"] = why.empty();
    line["reason"] = why;
    line["schema_version"] = qbench::kResultsSchemaVersion;
    std::printf("%s\n", line.dump().c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kernel_id, shape_text, weights = "per_call", qnn_variant, lenet_variant, models;
  long reps = 1, seed = 1;
  bool corrupt = false, list = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--kernel")
      kernel_id = value();
    else if (arg == "--shape")
      shape_text = value();
    else if (arg == "--reps") {
      if (!parse_long(value(), 1, &reps)) usage_error("--reps must be a whole number >= 1");
    } else if (arg == "--seed") {
      if (!parse_long(value(), 0, &seed)) usage_error("--seed must be a whole number >= 0");
    } else if (arg == "--weights") {
      weights = value();
      if (weights != "per_call" && weights != "prepacked")
        usage_error("--weights must be per_call or prepacked");
    } else if (arg == "--corrupt")
      corrupt = true;
    else if (arg == "--list")
      list = true;
    else if (arg == "--qnn")
      qnn_variant = value();
    else if (arg == "--lenet")
      lenet_variant = value();
    else if (arg == "--models")
      models = value();
    else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else
      usage_error("unknown argument '" + arg + "'");
  }
  try {
    if (list) return list_kernels();
    if (!qnn_variant.empty()) {
      if (models.empty()) usage_error("--qnn needs --models DIR (mrz-v1.qnnw and mrz-v1-fixtures.bin)");
      return icount::count_qnn_pass(qnn_variant, models, reps);
    }
    if (!lenet_variant.empty()) {
      if (models.empty()) usage_error(std::string("--lenet needs --models DIR (") + icount::kLeNetModel + ")");
      return icount::count_lenet_pass(lenet_variant, models, reps);
    }
    if (kernel_id.empty() || shape_text.empty()) usage_error("--kernel and --shape are required");
    qbench::GemmShape shape{};
    if (!parse_shape(shape_text, &shape)) usage_error("--shape must be HxWxD, e.g. 8x100x10");
    qbench::KernelLookup lookup;
    try {
      lookup = qbench::known_kernels().lookup(kernel_id);
    } catch (const qbench::UnknownKernel& e) {
      usage_error(std::string(e.what()) + " (see --list)");
    }
    if (!lookup.unavailable.empty()) {
      std::fprintf(stderr, "icount-driver: %s is unavailable here: %s\n", kernel_id.c_str(),
                   lookup.unavailable.c_str());
      return 2;
    }
    const qbench::GemmKernel* kernel = lookup.kernel;
    const qbench::WeightsMode mode =
        weights == "prepacked" ? qbench::WeightsMode::kPrepacked : qbench::WeightsMode::kPackedPerCall;

    qbench::GemmProblem problem = qbench::make_problem(shape, kernel->operands, seed);
    // --corrupt: the reference is off by one in one element, so a correct kernel must be rejected.
    // Proves that a wrong result is caught before anything is counted.
    if (corrupt) problem.expected[problem.expected.size() / 2] ^= 1;
    std::unique_ptr<qbench::PreparedGemm> prepared = kernel->prepare(problem, mode);
    const std::string error = prepared->check();
    if (!error.empty()) {
      std::fprintf(stderr, "icount-driver: %s %s: WRONG RESULT, nothing counted: %s\n", kernel_id.c_str(),
                   shape.str().c_str(), error.c_str());
      return 1;
    }

    counted_region(prepared.get(), 1);
    counted_region(prepared.get(), 1);
    counted_region(prepared.get(), 1 + reps);
    counted_region(prepared.get(), 1 + 2 * reps);

    icount::print_record({{"kernel", kernel_id},
                          {"shape", shape.str()},
                          {"operand_bits", kernel->operands.bits},
                          {"reps", reps},
                          {"seed", seed},
                          {"weights", weights},
                          {"implementation", kernel->implementation()}},
                         reps);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "icount-driver: %s\n", e.what());
    return 2;
  }
}

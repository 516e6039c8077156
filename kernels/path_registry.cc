#include <cstdlib>
#include <stdexcept>
#include <string>

#include "lowbit/gemm.h"

namespace lowbit {

#define LOWBIT_PATH(name) extern const GemmPath name;
#include "paths.def"
#undef LOWBIT_PATH

namespace {

struct IsaName {
  Isa isa;
  const char* name;
};
constexpr IsaName kIsaNames[] = {
    {Isa::kScalar, "scalar"},   {Isa::kNeon, "neon"},         {Isa::kNeon64, "neon64"},
    {Isa::kNeonDot, "neondot"}, {Isa::kAvx2, "avx2"},         {Isa::kAvx512bw, "avx512bw"},
    {Isa::kAvx512vnni, "avx512vnni"},
};

std::string isa_list() {
  std::string names;
  for (const IsaName& entry : kIsaNames) names += std::string(names.empty() ? "" : ", ") + entry.name;
  return names;
}

}  // namespace

const char* isa_name(Isa isa) {
  for (const IsaName& entry : kIsaNames)
    if (entry.isa == isa) return entry.name;
  return "unknown";
}

bool isa_from_name(const std::string& name, Isa* isa) {
  for (const IsaName& entry : kIsaNames) {
    if (name == entry.name) {
      *isa = entry.isa;
      return true;
    }
  }
  return false;
}

const std::vector<const GemmPath*>& compiled_paths() {
  static const std::vector<const GemmPath*> paths = {
#define LOWBIT_PATH(name) &name,
#include "paths.def"
#undef LOWBIT_PATH
  };
  return paths;
}

std::string why_unusable(const GemmPath& path) {
  if (cpu_supports(path.isa)) return "";
  return std::string("this CPU (or its operating system) lacks ") + isa_name(path.isa);
}

const GemmPath& select_path(int bits) {
  const char* forced = std::getenv(kForceIsaVariable);
  if (forced != nullptr && *forced != '\0') {
    Isa isa;
    if (!isa_from_name(forced, &isa))
      throw std::runtime_error(std::string(kForceIsaVariable) + "=" + forced +
                               " is not an instruction set; use one of: " + isa_list());
    for (const GemmPath* path : compiled_paths()) {
      if (path->bits != bits || path->isa != isa) continue;
      const std::string why = why_unusable(*path);
      if (!why.empty())
        throw std::runtime_error(std::string(kForceIsaVariable) + "=" + forced + ": " + why);
      return *path;
    }
    throw std::runtime_error(std::string(kForceIsaVariable) + "=" + forced + ": no " +
                             std::to_string(bits) + "-bit path for " + forced +
                             " is compiled into this binary");
  }
  const GemmPath* best = nullptr;
  for (const GemmPath* path : compiled_paths()) {
    if (path->bits != bits || !cpu_supports(path->isa)) continue;
    if (best == nullptr || static_cast<int>(path->isa) > static_cast<int>(best->isa)) best = path;
  }
  if (best == nullptr)
    throw std::runtime_error("no " + std::to_string(bits) + "-bit GEMM path is compiled in");
  return *best;
}

void gemm(const GemmPath& path, const QuantizedMatrix& w, const QuantizedMatrix& x,
          const ResultMatrix& r, Scratch& scratch) {
  void* packed = scratch.get(Scratch::kWeightsSlot, path.packed_weights_bytes(w.rows, w.cols));
  path.pack_weights(w, packed);
  path.gemm_packed(PackedWeights{packed, w.rows, w.cols, w.zero_point}, x, r, scratch);
}

void gemm(int bits, const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r,
          Scratch& scratch) {
  gemm(select_path(bits), w, x, r, scratch);
}

}  // namespace lowbit

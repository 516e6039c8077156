#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "lowbit/gemm.h"

namespace lowbit {

#define LOWBIT_PATH(name) extern const GemmPath name;
#include "paths.def"
#undef LOWBIT_PATH

namespace {

// A value and its name, for the tables below.
template <class T>
struct Named {
  T value;
  const char* name;
};
constexpr Named<Isa> kIsaNames[] = {
    {Isa::kScalar, "scalar"},         {Isa::kNeon, "neon"}, {Isa::kNeon64, "neon64"},
    {Isa::kNeonDot, "neondot"},       {Isa::kAvx2, "avx2"}, {Isa::kAvx512bw, "avx512bw"},
    {Isa::kAvx512vnni, "avx512vnni"},
};
constexpr Named<Scheme> kSchemeNames[] = {
    {Scheme::kUint8, "uint8"}, {Scheme::kUint4, "uint4"}, {Scheme::kUint4_6, "uint4_6"}};

template <class T, std::size_t N>
const char* name_in(const Named<T> (&table)[N], T value) {
  for (const Named<T>& entry : table)
    if (entry.value == value) return entry.name;
  return "unknown";
}

template <class T, std::size_t N>
bool value_in(const Named<T> (&table)[N], const std::string& name, T* value) {
  for (const Named<T>& entry : table) {
    if (name == entry.name) {
      *value = entry.value;
      return true;
    }
  }
  return false;
}

std::string isa_list() {
  std::string names;
  for (const Named<Isa>& entry : kIsaNames) names += std::string(names.empty() ? "" : ", ") + entry.name;
  return names;
}

}  // namespace

const char* isa_name(Isa isa) { return name_in(kIsaNames, isa); }
bool isa_from_name(const std::string& name, Isa* isa) { return value_in(kIsaNames, name, isa); }
const char* scheme_name(Scheme scheme) { return name_in(kSchemeNames, scheme); }
bool scheme_from_name(const std::string& name, Scheme* scheme) {
  return value_in(kSchemeNames, name, scheme);
}

int max_code(Scheme scheme) {
  switch (scheme) {
    case Scheme::kUint4:
      return 15;
    case Scheme::kUint4_6:
      return 254;
    default:
      return 255;
  }
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

const GemmPath& select_path(Scheme scheme) {
  const char* forced = std::getenv(kForceIsaVariable);
  if (forced != nullptr && *forced != '\0') {
    Isa isa;
    if (!isa_from_name(forced, &isa))
      throw std::runtime_error(std::string(kForceIsaVariable) + "=" + forced +
                               " is not an instruction set; use one of: " + isa_list());
    for (const GemmPath* path : compiled_paths()) {
      if (path->scheme != scheme || path->isa != isa) continue;
      const std::string why = why_unusable(*path);
      if (!why.empty()) throw std::runtime_error(std::string(kForceIsaVariable) + "=" + forced + ": " + why);
      return *path;
    }
    throw std::runtime_error(std::string(kForceIsaVariable) + "=" + forced + ": no " + scheme_name(scheme) +
                             " path for " + forced + " is compiled into this binary");
  }
  const GemmPath* best = nullptr;
  for (const GemmPath* path : compiled_paths()) {
    if (path->scheme != scheme || !cpu_supports(path->isa)) continue;
    if (best == nullptr || static_cast<int>(path->isa) > static_cast<int>(best->isa)) best = path;
  }
  if (best == nullptr)
    throw std::runtime_error(std::string("no ") + scheme_name(scheme) + " GEMM path is compiled in");
  return *best;
}

void gemm(const GemmPath& path, const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r,
          Scratch& scratch) {
  void* packed = scratch.get(Scratch::kWeightsSlot, path.packed_weights_bytes(w.rows, w.cols));
  path.pack_weights(w, packed);
  path.gemm_packed(PackedWeights{packed, w.rows, w.cols, w.zero_point, w.levels}, x, r, scratch);
}

void gemm(Scheme scheme, const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r,
          Scratch& scratch) {
  gemm(select_path(scheme), w, x, r, scratch);
}

}  // namespace lowbit

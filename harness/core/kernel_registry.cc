#include "kernel_registry.h"

#include "lowbit/gemm.h"

namespace qbench {
namespace {

constexpr char kPathSeparator = '@';

// "scalar, neon, ...": every ISA name lowbit knows.
std::string isa_names() {
  std::string names;
  for (lowbit::Isa isa :
       {lowbit::Isa::kScalar, lowbit::Isa::kNeon, lowbit::Isa::kNeon64, lowbit::Isa::kNeonDot,
        lowbit::Isa::kAvx2, lowbit::Isa::kAvx512bw, lowbit::Isa::kAvx512vnni})
    names += std::string(names.empty() ? "" : ", ") + lowbit::isa_name(isa);
  return names;
}

}  // namespace

std::string per_path_id(const std::string& name, const std::string& isa) {
  return name + kPathSeparator + isa;
}

void KernelRegistry::add(GemmKernel kernel) {
  if (find(kernel.id) != nullptr) throw std::logic_error("kernel id '" + kernel.id + "' registered twice");
  kernels_.push_back(std::move(kernel));
}

const GemmKernel* KernelRegistry::find(const std::string& id) const {
  for (const GemmKernel& k : kernels_)
    if (k.id == id) return &k;
  return nullptr;
}

std::string KernelRegistry::ids() const {
  std::string ids;
  for (const GemmKernel& k : kernels_) ids += (ids.empty() ? "" : ", ") + k.id;
  return ids;
}

KernelLookup KernelRegistry::lookup(const std::string& id) const {
  const std::size_t at = id.find(kPathSeparator);
  if (at != std::string::npos) {
    const std::string name = id.substr(0, at), isa_name = id.substr(at + 1);
    lowbit::Isa isa;
    if (!lowbit::isa_from_name(isa_name, &isa))
      throw UnknownKernel("unknown instruction set '" + isa_name + "' in kernel '" + id +
                          "' (known: " + isa_names() + ")");
    if (find(id) == nullptr) {
      std::string paths;  // the ISAs this binary has for `name`
      for (const GemmKernel& k : kernels_)
        if (k.id.compare(0, name.size() + 1, per_path_id(name, "")) == 0)
          paths += (paths.empty() ? "" : ", ") + k.id.substr(name.size() + 1);
      if (paths.empty())
        throw UnknownKernel("unknown kernel '" + id + "': '" + name +
                            "' has no per-instruction-set ids (known: " + ids() + ")");
      return {nullptr, "no " + name + " path for " + isa_name +
                           " is compiled into this binary (it has: " + paths + ")"};
    }
  }
  const GemmKernel* kernel = find(id);
  if (kernel == nullptr) throw UnknownKernel("unknown kernel '" + id + "' (known: " + ids() + ")");
  return {kernel, kernel->unavailable()};
}

}  // namespace qbench

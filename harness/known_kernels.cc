#include "known_kernels.h"

#include "baselines.h"
#include "lowbit_kernel.h"

namespace qbench {

const KernelRegistry& known_kernels() {
  static const KernelRegistry registry = [] {
    KernelRegistry r;
    add_baseline_kernels(r);
    add_lowbit_kernels(r);
    return r;
  }();
  return registry;
}

}  // namespace qbench

// For the qnn tests that run a network on every GEMM path this CPU can run: the usable paths of a
// scheme, and LOWBIT_ISA set for a scope (restored on exit, also when an ASSERT returns early).
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "lowbit/gemm.h"

namespace qnn_test {

inline std::vector<const lowbit::GemmPath*> usable_paths(lowbit::Scheme scheme) {
  std::vector<const lowbit::GemmPath*> paths;
  for (const lowbit::GemmPath* path : lowbit::compiled_paths())
    if (path->scheme == scheme && lowbit::why_unusable(*path).empty()) paths.push_back(path);
  return paths;
}

class ForcedIsa {
 public:
  ForcedIsa() {
    const char* saved = std::getenv(lowbit::kForceIsaVariable);
    had_ = saved != nullptr;
    if (had_) saved_ = saved;
  }
  ForcedIsa(const ForcedIsa&) = delete;
  ForcedIsa& operator=(const ForcedIsa&) = delete;
  // Networks loaded from now on choose `path`'s ISA.
  void force(const lowbit::GemmPath& path) { ::setenv(lowbit::kForceIsaVariable, lowbit::isa_name(path.isa), 1); }
  ~ForcedIsa() {
    if (had_)
      ::setenv(lowbit::kForceIsaVariable, saved_.c_str(), 1);
    else
      ::unsetenv(lowbit::kForceIsaVariable);
  }

 private:
  bool had_ = false;
  std::string saved_;
};

}  // namespace qnn_test

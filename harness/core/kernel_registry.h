// The kernels a program knows, found by id. Kernel ids are "<name>" ("float32", "uint4", ...) or,
// for a kernel with one implementation per instruction set, "<name>@<isa>" ("uint4@avx2"): that
// implementation alone, where "<name>" is the best one this CPU can run. ISA names are
// lowbit::isa_name's.
//
// The registry is filled by whoever links the kernels (harness/known_kernels.cc: the baseline
// libraries, then ours), so that this core depends on no baseline library.
#pragma once

#include <deque>
#include <stdexcept>
#include <string>

#include "gemm_kernel.h"

namespace qbench {

// An id that names no kernel, or an ISA that does not exist; the message says which and what is known.
class UnknownKernel : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<name>@<isa>": the id of one implementation of a kernel.
std::string per_path_id(const std::string& name, const std::string& isa);

// What an id names here.
struct KernelLookup {
  const GemmKernel* kernel = nullptr;  // null when the id names a path not compiled into this binary
  std::string unavailable;             // why it cannot run on this machine ("" when it can)
};

class KernelRegistry {
 public:
  // Throws std::logic_error when the id is already registered (a programming error).
  void add(GemmKernel kernel);

  // Every kernel, in the order they were added; references stay valid as kernels are added.
  const std::deque<GemmKernel>& kernels() const { return kernels_; }

  // The kernel registered under exactly `id`, or null.
  const GemmKernel* find(const std::string& id) const;

  // Resolves an id of either form. "<name>@<isa>" with a known ISA but no such path in this binary
  // (uint4@neon in an x86 build) is a kernel that cannot run here, not an unknown one, so that one
  // config serves every machine. Throws UnknownKernel.
  KernelLookup lookup(const std::string& id) const;

  // "a, b, c": every registered id, for messages.
  std::string ids() const;

 private:
  std::deque<GemmKernel> kernels_;
};

}  // namespace qbench

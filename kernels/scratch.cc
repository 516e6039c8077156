#include <cstdlib>
#include <new>
#include <stdexcept>

#include "lowbit/gemm.h"

namespace lowbit {

Scratch::~Scratch() {
  for (void* buffer : buffers_) std::free(buffer);
}

void* Scratch::get(int slot, std::size_t bytes) {
  if (slot < 0 || slot >= kSlots) throw std::out_of_range("Scratch slot out of range");
  if (bytes <= sizes_[slot] && buffers_[slot] != nullptr) return buffers_[slot];
  std::free(buffers_[slot]);
  // Round up: aligned_alloc needs a multiple of the alignment; the slack lets kernels over-read
  // a vector past the end of a packed panel.
  const std::size_t rounded = (bytes + 64 + 63) / 64 * 64;
  buffers_[slot] = std::aligned_alloc(64, rounded);
  if (buffers_[slot] == nullptr) throw std::bad_alloc();
  sizes_[slot] = rounded - 64;
  return buffers_[slot];
}

}  // namespace lowbit

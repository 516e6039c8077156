// A 64-byte aligned heap block: the lowbit paths' packed weights are read with aligned vector loads.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>

namespace qnn {
namespace detail {

struct AlignedBytes {
  void* data = nullptr;
  AlignedBytes() = default;
  explicit AlignedBytes(size_t bytes) {
    data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (data == nullptr) throw std::bad_alloc();
  }
  AlignedBytes(AlignedBytes&& o) noexcept : data(o.data) { o.data = nullptr; }
  AlignedBytes& operator=(AlignedBytes&& o) noexcept {
    std::swap(data, o.data);
    return *this;
  }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  ~AlignedBytes() { std::free(data); }
};

}  // namespace detail
}  // namespace qnn

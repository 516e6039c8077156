// Reading a little-endian payload field by field (the .qnnw and .lenet weights files); every error
// throws std::runtime_error("<name>: ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace qnn {
namespace detail {

[[noreturn]] inline void fail(const std::string& name, const std::string& what) {
  throw std::runtime_error(name + ": " + what);
}

class Reader {
 public:
  // `what` names the file's kind in the error: "truncated <what> (ends early)".
  Reader(const uint8_t* data, size_t size, const std::string& name, const char* what = "weights file")
      : data_(data), size_(size), name_(name), what_(what) {}
  const uint8_t* take(size_t n) {
    if (n > size_ - pos_) fail(name_, std::string("truncated ") + what_ + " (ends early)");
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(4), 4);  // the format is little-endian, as is every target of the project
    return v;
  }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  float f32() {
    float v;
    std::memcpy(&v, take(4), 4);
    return v;
  }
  template <typename T>
  std::vector<T> array(size_t n) {
    std::vector<T> v(n);
    if (n != 0) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  void take(void* dst, size_t n) { std::memcpy(dst, take(n), n); }
  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& name_;
  const char* what_;
};

}  // namespace detail
}  // namespace qnn

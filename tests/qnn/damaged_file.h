// Shared by the qnn suites' damaged-file tests: write a damaged copy of a model file and check that
// loading it throws std::runtime_error whose message starts with the path and names the fault.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace qnn_test {

inline void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

// A per-process file name in $TMPDIR (or /tmp), so that parallel test processes do not collide.
inline std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/qnn_test_" + std::to_string(::getpid()) + "_" + name;
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// `load(path)` must throw for `bytes`; `name` names the temporary file (unique per process).
template <typename Load>
void expect_load_error(Load load, const std::vector<uint8_t>& bytes, const std::string& name,
                       const std::string& what) {
  const std::string path = temp_path(name);
  write_file(path, bytes);
  try {
    load(path);
    ADD_FAILURE() << name << ": no exception";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << name << ": " << msg;
  }
  std::remove(path.c_str());
}

}  // namespace qnn_test

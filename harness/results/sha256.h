// SHA-256 of a byte string as 64 hex digits (FIPS 180-4), to fingerprint configs in results.
#pragma once

#include <string>

namespace qbench {

std::string sha256_hex(const std::string& bytes);

// sha256_hex of a whole file's bytes (of nothing when it cannot be read).
std::string file_sha256(const std::string& path);

}  // namespace qbench

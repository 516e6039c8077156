// SHA-256 of a byte string as 64 hex digits (FIPS 180-4), to fingerprint configs in results.
#pragma once

#include <string>

namespace qbench {

std::string sha256_hex(const std::string& bytes);

}  // namespace qbench

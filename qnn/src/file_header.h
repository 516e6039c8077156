// The 24-byte header the .qnnw and .qnnf files share: char[8] magic, u32 version, u32 flags (0),
// u32 payload_size, u32 payload_crc32 (zlib's CRC-32 of the payload), then exactly the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "byte_reader.h"
#include "internal.h"

namespace qnn {
namespace detail {

constexpr size_t kFileHeaderBytes = 24;

struct FileKind {
  const char* magic;  // 8 bytes
  const char* extension;  // ".qnnw": "not a .qnnw <what> (wrong magic)"
  const char* what;       // "weights file": "truncated weights file", "weights file version 3, ..."
  uint32_t oldest_version, newest_version;
};

struct Payload {
  const uint8_t* data;
  uint32_t size;
  uint32_t version;
};

// The checked payload of `data`; throws std::runtime_error("<name>: ...") for a short or truncated
// file, a wrong magic, an unread version, trailing bytes or a CRC-32 mismatch.
inline Payload checked_payload(const uint8_t* data, size_t size, const std::string& name, const FileKind& kind) {
  const std::string what = kind.what;
  if (size < kFileHeaderBytes)
    fail(name, "truncated " + what + " (" + std::to_string(size) + " bytes, shorter than the header)");
  if (std::memcmp(data, kind.magic, 8) != 0)
    fail(name, std::string("not a ") + kind.extension + " " + what + " (wrong magic)");
  uint32_t header[4];  // version, flags, payload size, CRC-32
  std::memcpy(header, data + 8, sizeof header);
  const uint32_t version = header[0], payload_size = header[2];
  if (version < kind.oldest_version || version > kind.newest_version)
    fail(name, what + " version " + std::to_string(version) + ", this library reads versions " +
                   std::to_string(kind.oldest_version) + " to " + std::to_string(kind.newest_version));
  if (size - kFileHeaderBytes < payload_size)
    fail(name, "truncated " + what + " (" + std::to_string(size) + " bytes, the header promises " +
                   std::to_string(kFileHeaderBytes + payload_size) + ")");
  if (size - kFileHeaderBytes > payload_size) fail(name, "corrupt " + what + " (trailing bytes)");
  const uint8_t* payload = data + kFileHeaderBytes;
  if (crc32(payload, payload_size) != header[3]) fail(name, "corrupt " + what + " (CRC-32 mismatch)");
  return {payload, payload_size, version};
}

}  // namespace detail
}  // namespace qnn

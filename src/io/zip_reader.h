// The central directory of a ZIP archive held in memory (torch.save's container), reduced to what
// a reader of stored entries needs. Internal to src/io.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace byt5 {

struct ZipEntry {
  uint64_t offset = 0;  // of the entry's bytes, from the start of the archive
  uint64_t size = 0;    // offset + size is within the archive
};

// Lists the archive's entries by name. Accepts stored (method 0), unencrypted entries, with or
// without ZIP64 records; anything else, or any structure that points outside [data, data + size),
// throws byt5::Error naming `archive`.
std::map<std::string, ZipEntry> read_zip_directory(const uint8_t* data, size_t size, const std::string& archive);

}  // namespace byt5

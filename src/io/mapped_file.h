// A read-only memory mapping of a whole file, plus bounds-aware little-endian loads. Internal to
// src/io: checkpoint readers keep the mapping alive and convert straight out of it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

namespace byt5 {

class MappedFile {
 public:
  // Throws byt5::Error naming the file if it cannot be opened or mapped (or is not a regular file).
  explicit MappedFile(const std::filesystem::path& file);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Drops the pages wholly inside [p, p + n) from this process's memory once a reader has copied
  // them out, so loading a checkpoint never holds the file and the weights at once. Reading them
  // again later is still valid: the pages come back from the file.
  void release(const uint8_t* p, size_t n) const;
  // The path as given, for error messages.
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Callers check bounds first; these only avoid unaligned access.
inline uint16_t load_le16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint32_t load_le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace byt5

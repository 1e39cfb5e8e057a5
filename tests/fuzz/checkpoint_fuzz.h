// The shared body of the checkpoint fuzz targets: the readers take a path, not bytes, so each
// input is written to one scratch file per fuzzing process (removed when the process exits
// normally), opened with the reader under test, and every tensor is read. Any outcome but
// tensors or a byt5::Error (a crash, an out-of-bounds read) is a finding.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "core/error.h"
#include "io/tensor_source.h"

namespace byt5::fuzz {

class ScratchFile {
 public:
  explicit ScratchFile(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() / ("byt5_" + tag + "_fuzz_" + std::to_string(::getpid()))) {}
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::filesystem::path& write(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path_;
  }

 private:
  std::filesystem::path path_;
};

template <typename Open>
int read_every_tensor(ScratchFile& file, const uint8_t* data, size_t size, Open open) {
  const auto& path = file.write(data, size);
  try {
    std::unique_ptr<TensorSource> src = open(path);
    std::vector<float> buf;
    for (const auto& name : src->names()) {
      buf.resize(static_cast<size_t>(src->info(name).numel()));  // bounded by the file's size
      src->read_f32(name, buf.data(), buf.size());
    }
  } catch (const byt5::Error&) {
  }
  return 0;
}

}  // namespace byt5::fuzz

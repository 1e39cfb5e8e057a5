// The TensorSource both single-file readers (safetensors, pytorch_model.bin) become once parsed:
// a memory-mapped file plus, per name, where its validated bytes are. Internal to src/io.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "io/mapped_file.h"
#include "io/tensor_source.h"

namespace byt5 {

struct StoredTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  // numel * dtype_size bytes inside the mapping; the parser has checked they are all there.
  const uint8_t* data = nullptr;
};

class MappedTensorSource final : public TensorSource {
 public:
  explicit MappedTensorSource(const std::filesystem::path& file) : file_(file) {}

  const MappedFile& file() const { return file_; }
  // Throws byt5::Error if the name is already present.
  void add(const std::string& name, StoredTensor tensor);

  std::vector<std::string> names() const override;
  bool has(const std::string& name) const override;
  TensorInfo info(const std::string& name) const override;
  void read_f32(const std::string& name, float* dst, size_t numel) const override;
  std::string describe() const override { return file_.name(); }

 private:
  const StoredTensor& find(const std::string& name) const;

  MappedFile file_;
  std::map<std::string, StoredTensor> tensors_;
};

// "[2, 3]", for messages.
std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace byt5

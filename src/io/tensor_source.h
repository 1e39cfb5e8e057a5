// Read-only access to the named tensors of a checkpoint file, whatever its format
// (safetensors single or sharded, PyTorch's pytorch_model.bin). Values are converted to f32 on read.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace byt5 {

enum class DType { F32, F16, BF16 };

const char* dtype_name(DType d);
size_t dtype_size(DType d);

struct TensorInfo {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  int64_t numel() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
};

class TensorSource {
 public:
  virtual ~TensorSource() = default;
  // Names in a stable (sorted) order.
  virtual std::vector<std::string> names() const = 0;
  virtual bool has(const std::string& name) const = 0;
  // Throws byt5::Error naming the file if the tensor is absent.
  virtual TensorInfo info(const std::string& name) const = 0;
  // Converts the tensor to f32 into dst (numel floats). Throws if numel does not match.
  virtual void read_f32(const std::string& name, float* dst, size_t numel) const = 0;
  // The file (or index) this source reads, for error messages.
  virtual std::string describe() const = 0;
};

// model.safetensors (memory-mapped).
std::unique_ptr<TensorSource> open_safetensors(const std::filesystem::path& file);
// model.safetensors.index.json naming shards in the same folder.
std::unique_ptr<TensorSource> open_safetensors_index(const std::filesystem::path& index_file);
// pytorch_model.bin as torch.save writes it (zip of data.pkl + data/N storages), read without Python.
std::unique_ptr<TensorSource> open_pytorch_bin(const std::filesystem::path& file);
// Picks, in this order, model.safetensors, model.safetensors.index.json, pytorch_model.bin in dir.
std::unique_ptr<TensorSource> open_checkpoint_tensors(const std::filesystem::path& dir);

struct TensorToWrite {
  std::string name;
  std::vector<int64_t> shape;
  const float* data = nullptr;  // row-major f32
};

// Writes a safetensors file storing every tensor as `dtype` (F32, BF16 round-to-nearest-even, F16),
// with optional string metadata. Written to a temporary file beside `file` and renamed, so a crash
// never leaves a half-written file under the final name.
void write_safetensors(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors,
                       DType dtype = DType::F32, const std::map<std::string, std::string>& metadata = {});

}  // namespace byt5

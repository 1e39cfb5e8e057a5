#include "io/tensor_source.h"

#include <system_error>

#include "core/error.h"
#include "io/dtype_convert.h"
#include "io/mapped_tensor_source.h"

namespace byt5 {

const char* dtype_name(DType d) {
  switch (d) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
  }
  return "?";
}

size_t dtype_size(DType d) { return d == DType::F32 ? 4 : 2; }

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void MappedTensorSource::add(const std::string& name, StoredTensor tensor) {
  if (!tensors_.emplace(name, std::move(tensor)).second)
    throw Error(file_.name() + ": tensor \"" + name + "\" appears more than once");
}

std::vector<std::string> MappedTensorSource::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& [name, t] : tensors_) out.push_back(name);
  return out;
}

bool MappedTensorSource::has(const std::string& name) const { return tensors_.count(name) != 0; }

const StoredTensor& MappedTensorSource::find(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(file_.name() + ": no tensor named " + name);
  return it->second;
}

TensorInfo MappedTensorSource::info(const std::string& name) const {
  const StoredTensor& t = find(name);
  TensorInfo out;
  out.dtype = t.dtype;
  out.shape = t.shape;
  return out;
}

void MappedTensorSource::read_f32(const std::string& name, float* dst, size_t numel) const {
  const StoredTensor& t = find(name);
  TensorInfo ti;
  ti.shape = t.shape;
  const auto n = static_cast<size_t>(ti.numel());
  if (n != numel)
    throw Error(file_.name() + ": tensor " + name + " has " + std::to_string(n) + " elements (shape " +
                shape_string(t.shape) + "), but " + std::to_string(numel) + " were asked for");
  convert_to_f32(t.dtype, t.data, dst, n);
  file_.release(t.data, n * dtype_size(t.dtype));
}

std::unique_ptr<TensorSource> open_checkpoint_tensors(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw Error(dir.string() + ": not a directory (expected a checkpoint folder)");
  // Hugging Face's own preference order: safetensors first, the pickle format last.
  if (auto p = dir / "model.safetensors"; std::filesystem::exists(p, ec)) return open_safetensors(p);
  if (auto p = dir / "model.safetensors.index.json"; std::filesystem::exists(p, ec)) return open_safetensors_index(p);
  if (auto p = dir / "pytorch_model.bin"; std::filesystem::exists(p, ec)) return open_pytorch_bin(p);
  throw Error(dir.string() +
              ": no checkpoint found (looked for model.safetensors, model.safetensors.index.json, "
              "pytorch_model.bin)");
}

}  // namespace byt5

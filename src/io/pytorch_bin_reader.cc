// pytorch_model.bin as torch.save (PyTorch >= 1.6) writes it: a zip of <top>/data.pkl (the state
// dict, pickled) and <top>/data/<key> (the raw little-endian bytes of each storage). Tensors that
// share a storage (tied embeddings) simply point into the same entry.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "io/mapped_tensor_source.h"
#include "io/tensor_source.h"
#include "io/torch_pickle.h"
#include "io/zip_reader.h"

namespace byt5 {
namespace {

std::optional<DType> storage_dtype(const std::string& type) {
  if (type == "FloatStorage") return DType::F32;
  if (type == "HalfStorage") return DType::F16;
  if (type == "BFloat16Storage") return DType::BF16;
  return std::nullopt;
}

// The archive's top folder ("archive/", "pytorch_model/", ...): whatever holds data.pkl.
std::string top_folder(const std::map<std::string, ZipEntry>& entries, const std::string& file) {
  std::optional<std::string> top;
  for (const auto& [name, e] : entries) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || name.compare(slash, std::string::npos, "/data.pkl") != 0) continue;
    if (top) throw Error(file + ": the archive holds more than one data.pkl (" + *top + "data.pkl, " + name + ")");
    top = name.substr(0, slash + 1);
  }
  if (!top) throw Error(file + ": the zip archive has no <folder>/data.pkl, so it is not a torch.save checkpoint");
  return *top;
}

StoredTensor locate(const PickledTensor& t, const std::map<std::string, ZipEntry>& entries, const std::string& top,
                    const MappedFile& f) {
  const std::string where = f.name() + ": tensor " + t.name;
  const auto dtype = storage_dtype(t.storage_type);
  if (!dtype)
    throw Error(where + " is stored as torch." + t.storage_type +
                ", which is not supported (only FloatStorage, HalfStorage, BFloat16Storage)");
  const uint64_t esize = dtype_size(*dtype);

  const std::string entry_name = top + "data/" + t.storage_key;
  auto it = entries.find(entry_name);
  if (it == entries.end()) throw Error(where + ": its storage " + entry_name + " is missing from the archive");
  uint64_t storage_bytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(t.storage_numel), esize, &storage_bytes) ||
      storage_bytes > it->second.size)
    throw Error(where + ": storage " + entry_name + " holds " + std::to_string(it->second.size) +
                " bytes, fewer than the " + std::to_string(t.storage_numel) + " " + dtype_name(*dtype) +
                " elements the pickle declares");

  // Accumulated as TensorInfo::numel() does, so that it cannot overflow there either.
  int64_t count = 1;
  for (auto d : t.size)
    if (__builtin_mul_overflow(count, d, &count))
      throw Error(where + ": shape " + shape_string(t.size) + " is impossibly large");
  const auto numel = static_cast<uint64_t>(count);
  // Row-major contiguity, by PyTorch's own rule: a dimension of size 1 may carry any stride, and an
  // empty tensor any strides at all.
  if (numel > 0) {
    uint64_t expected = 1;
    for (size_t k = t.size.size(); k-- > 0;) {
      if (t.size[k] != 1 && static_cast<uint64_t>(t.stride[k]) != expected)
        throw Error(where + " has strides " + shape_string(t.stride) + " for shape " + shape_string(t.size) +
                    ": only contiguous (row-major) tensors are supported");
      expected *= static_cast<uint64_t>(t.size[k]);
    }
  }
  const auto offset = static_cast<uint64_t>(t.offset);
  if (numel > 0 &&
      (offset > static_cast<uint64_t>(t.storage_numel) || numel > static_cast<uint64_t>(t.storage_numel) - offset))
    throw Error(where + " (shape " + shape_string(t.size) + ", storage offset " + std::to_string(offset) +
                ") reaches past the end of its storage of " + std::to_string(t.storage_numel) + " elements");

  StoredTensor out;
  out.dtype = *dtype;
  out.shape = t.size;
  out.data = f.data() + it->second.offset + (numel > 0 ? offset * esize : 0);
  return out;
}

}  // namespace

std::unique_ptr<TensorSource> open_pytorch_bin(const std::filesystem::path& file) {
  auto src = std::make_unique<MappedTensorSource>(file);
  const MappedFile& f = src->file();
  const auto entries = read_zip_directory(f.data(), f.size(), f.name());
  const std::string top = top_folder(entries, f.name());

  // Storages are raw bytes in the saving machine's order; newer torch records it (absent = little).
  if (auto bo = entries.find(top + "byteorder"); bo != entries.end()) {
    const auto* p = reinterpret_cast<const char*>(f.data() + bo->second.offset);
    const std::string_view order(p, std::min<uint64_t>(bo->second.size, 16));
    if (bo->second.size != 6 || order != "little")
      throw Error(f.name() + ": storages are in \"" + std::string(order) +
                  "\" byte order; only little-endian is supported");
  }

  const ZipEntry& pkl = entries.at(top + "data.pkl");
  const auto tensors =
      read_torch_state_dict_pickle(f.data() + pkl.offset, pkl.size, f.name() + ": " + top + "data.pkl");
  for (const PickledTensor& t : tensors) src->add(t.name, locate(t, entries, top, f));
  return src;
}

}  // namespace byt5

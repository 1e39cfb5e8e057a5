// Writes safetensors atomically: FILE.tmp is written in full and fsync'd, then renamed over FILE,
// so readers (and a crash) only ever see the old file or the complete new one.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/dtype_convert.h"
#include "io/mapped_tensor_source.h"
#include "io/tensor_source.h"

namespace byt5 {
namespace {

// Owns the temporary file until it is committed; on any failure it is closed and removed.
class TempFile {
 public:
  explicit TempFile(std::filesystem::path final_path) : final_(std::move(final_path)), tmp_(final_.string() + ".tmp") {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create " + tmp_.string());
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) fail("cannot write " + tmp_.string());
      p += w;
      n -= static_cast<size_t>(w);
    }
  }

  void commit() {
    if (::fsync(fd_) != 0) fail("cannot flush " + tmp_.string());
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close " + tmp_.string());
    if (::rename(tmp_.c_str(), final_.c_str()) != 0) fail("cannot rename " + tmp_.string() + " to it");
    committed_ = true;
    // Make the rename itself durable; failing here loses nothing already written, so it is best-effort.
    auto dir = final_.parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw Error(final_.string() + ": " + what + ": " + std::strerror(errno));
  }

  std::filesystem::path final_;
  std::filesystem::path tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Accumulated as TensorInfo::numel() does, so that whatever is written can be read back.
uint64_t checked_numel(const std::filesystem::path& file, const TensorToWrite& t) {
  int64_t n = 1;
  for (int64_t d : t.shape) {
    if (d < 0)
      throw Error(file.string() + ": tensor " + t.name + " has a negative dimension in shape " + shape_string(t.shape));
    if (__builtin_mul_overflow(n, d, &n) || n > (int64_t{1} << 60))
      throw Error(file.string() + ": tensor " + t.name + " shape " + shape_string(t.shape) + " is too large");
  }
  return static_cast<uint64_t>(n);
}

template <typename Convert>
void write_converted(TempFile& out, const float* src, uint64_t n, Convert convert) {
  constexpr size_t kChunk = 1 << 16;  // bounded scratch, however large the tensor
  std::vector<uint16_t> buf(std::min<uint64_t>(n, kChunk));
  for (uint64_t i = 0; i < n; i += kChunk) {
    const size_t m = static_cast<size_t>(std::min<uint64_t>(kChunk, n - i));
    for (size_t j = 0; j < m; ++j) buf[j] = convert(src[i + j]);
    out.write(buf.data(), m * sizeof(uint16_t));
  }
}

}  // namespace

void write_safetensors(const std::filesystem::path& file, const std::vector<TensorToWrite>& tensors, DType dtype,
                       const std::map<std::string, std::string>& metadata) {
  // Validate and lay out everything before touching the disk.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> seen;
  std::vector<uint64_t> counts;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (t.name.empty() || t.name == "__metadata__")
      throw Error(file.string() + ": \"" + t.name + "\" cannot be a tensor name");
    if (!seen.insert(t.name).second) throw Error(file.string() + ": tensor " + t.name + " is given twice");
    const uint64_t n = checked_numel(file, t);
    if (n > 0 && !t.data) throw Error(file.string() + ": tensor " + t.name + " has no data");
    const uint64_t bytes = n * dtype_size(dtype);
    header[t.name] = {{"dtype", dtype_name(dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    counts.push_back(n);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data region starts 8-byte aligned
  const uint64_t len = text.size();

  TempFile out(file);
  out.write(&len, sizeof len);
  out.write(text.data(), text.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const float* src = tensors[i].data;
    switch (dtype) {
      case DType::F32:
        if (counts[i] > 0) out.write(src, counts[i] * sizeof(float));
        break;
      // Lambdas, not function names: byt5 has other (bulk) f32_to_bf16 overloads.
      case DType::BF16: write_converted(out, src, counts[i], [](float v) { return f32_to_bf16(v); }); break;
      case DType::F16: write_converted(out, src, counts[i], [](float v) { return f32_to_f16(v); }); break;
    }
  }
  out.commit();
}

}  // namespace byt5

// libFuzzer target: arbitrary bytes as a pytorch_model.bin must yield tensors or a byt5::Error,
// never a crash or an out-of-bounds read (built with -DBYT5_FUZZ=ON under clang).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/tensor_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One file per fuzzing process, rewritten on every input (the reader takes a path, not bytes).
  const auto path = std::filesystem::temp_directory_path() / ("byt5_pytorch_bin_fuzz_" + std::to_string(::getpid()));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto src = byt5::open_pytorch_bin(path);
    std::vector<float> buf;
    for (const auto& name : src->names()) {
      buf.resize(static_cast<size_t>(src->info(name).numel()));  // bounded by the file's size
      src->read_f32(name, buf.data(), buf.size());
    }
  } catch (const byt5::Error&) {
  }
  return 0;
}

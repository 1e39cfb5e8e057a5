// libFuzzer target: arbitrary bytes as a pytorch_model.bin must yield tensors or a byt5::Error,
// never a crash or an out-of-bounds read (built with -DBYT5_FUZZ=ON under clang).
#include "checkpoint_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static byt5::fuzz::ScratchFile file("pytorch_bin");
  return byt5::fuzz::read_every_tensor(file, data, size, [](const auto& p) { return byt5::open_pytorch_bin(p); });
}

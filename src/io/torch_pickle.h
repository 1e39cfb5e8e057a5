// Reads the data.pkl of a torch.save'd state dict with a small pickle machine that knows only what
// torch.save emits (an OrderedDict of tensors rebuilt by torch._utils._rebuild_tensor_v2 over
// persistent storage ids); it calls nothing and imports nothing. Internal to src/io.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace byt5 {

struct PickledTensor {
  std::string name;
  std::string storage_type;   // e.g. "FloatStorage" (from the global torch.FloatStorage)
  std::string storage_key;    // the storage's bytes are the archive entry <top>/data/<key>
  int64_t storage_numel = 0;  // elements of storage_type
  int64_t offset = 0;         // storage_offset, in elements
  std::vector<int64_t> size, stride;
};

// The state dict's tensors in file order. Throws byt5::Error starting with `what` (the file being
// read) for anything malformed or outside that subset, with the pickle offset where it happened.
std::vector<PickledTensor> read_torch_state_dict_pickle(const uint8_t* data, size_t size, const std::string& what);

}  // namespace byt5

// safetensors: an 8-byte little-endian header length N, N bytes of JSON
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the data
// region the offsets index into. Everything in the header is untrusted and checked before use.
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/mapped_tensor_source.h"
#include "io/tensor_source.h"

namespace byt5 {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

std::optional<DType> parse_dtype(const std::string& s) {
  if (s == "F32") return DType::F32;
  if (s == "F16") return DType::F16;
  if (s == "BF16") return DType::BF16;
  return std::nullopt;
}

// Parses JSON text, rejecting repeated keys in any object: nlohmann would silently keep the last
// one, and a header naming a tensor (or an index mapping a name) twice is ambiguous.
json parse_header_json(const char* begin, const char* end, const std::string& file, const char* what) {
  std::vector<std::set<std::string>> open_objects;
  std::optional<std::string> duplicate;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.empty() && parsed.is_string() && !duplicate &&
            !open_objects.back().insert(parsed.get<std::string>()).second)
          duplicate = parsed.get<std::string>();
        break;
      default: break;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(begin, end, cb);
  } catch (const json::exception& e) {
    throw Error(file + ": " + what + " is not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(file + ": " + what + " is not a JSON object");
  if (duplicate) throw Error(file + ": \"" + *duplicate + "\" appears more than once in the " + what);
  return j;
}

// A JSON integer >= 0 that fits int64, or nullopt.
std::optional<int64_t> non_negative_int(const json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    auto i = v.get<int64_t>();
    if (i < 0) return std::nullopt;
    return i;
  }
  return std::nullopt;
}

void add_entry(MappedTensorSource& src, const std::string& name, const json& e, const uint8_t* data,
               uint64_t data_size) {
  const std::string where = src.file().name() + ": tensor \"" + name + "\": ";
  if (!e.is_object()) throw Error(where + "header entry is not a JSON object");

  auto dt = e.find("dtype");
  if (dt == e.end()) throw Error(where + "header entry has no dtype");
  if (!dt->is_string()) throw Error(where + "dtype is not a string");
  const auto dtype = parse_dtype(dt->get<std::string>());
  if (!dtype)
    throw Error(where + "dtype " + dt->get<std::string>() + " is not supported (supported dtypes: F32, F16, BF16)");

  auto sh = e.find("shape");
  if (sh == e.end()) throw Error(where + "header entry has no shape");
  if (!sh->is_array()) throw Error(where + "shape is not a JSON array");
  StoredTensor t;
  t.dtype = *dtype;
  int64_t numel = 1;  // accumulated as TensorInfo::numel() does, so that it cannot overflow there
  bool too_big = false;
  for (const json& d : *sh) {
    if (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0)
      throw Error(where + "negative dimension " + std::to_string(d.get<int64_t>()) + " in shape " + sh->dump());
    auto v = non_negative_int(d);
    if (!v) throw Error(where + "shape " + sh->dump() + " must hold non-negative integers");
    t.shape.push_back(*v);
    too_big = too_big || __builtin_mul_overflow(numel, *v, &numel);
  }
  uint64_t need = 0;
  too_big = too_big || __builtin_mul_overflow(static_cast<uint64_t>(numel), uint64_t{dtype_size(*dtype)}, &need);
  if (too_big) throw Error(where + "shape " + shape_string(t.shape) + " is impossibly large");

  auto off = e.find("data_offsets");
  if (off == e.end()) throw Error(where + "header entry has no data_offsets");
  if (!off->is_array() || off->size() != 2 || !non_negative_int((*off)[0]) || !non_negative_int((*off)[1]))
    throw Error(where + "data_offsets " + off->dump() + " must be [begin, end] with non-negative integers");
  const auto begin = static_cast<uint64_t>(*non_negative_int((*off)[0]));
  const auto end = static_cast<uint64_t>(*non_negative_int((*off)[1]));
  const std::string offsets = "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
  if (end < begin) throw Error(where + offsets + " end before they begin");
  if (end - begin != need)
    throw Error(where + offsets + " hold " + std::to_string(end - begin) + " bytes, but shape " +
                shape_string(t.shape) + " of " + dtype_name(*dtype) + " needs " + std::to_string(need));
  if (end > data_size)
    throw Error(where + offsets + " reach past the end of the data region (" + std::to_string(data_size) +
                " bytes): the file is truncated or its header is wrong");
  t.data = data + begin;
  src.add(name, std::move(t));
}

// One tensor source per index, handing each name to the shard the weight_map assigns it.
class ShardedSource final : public TensorSource {
 public:
  ShardedSource(std::string index_name, std::vector<std::unique_ptr<TensorSource>> shards,
                std::map<std::string, size_t> where)
      : index_name_(std::move(index_name)), shards_(std::move(shards)), where_(std::move(where)) {}

  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [name, i] : where_) out.push_back(name);
    return out;
  }
  bool has(const std::string& name) const override { return where_.count(name) != 0; }
  TensorInfo info(const std::string& name) const override { return shard(name).info(name); }
  void read_f32(const std::string& name, float* dst, size_t numel) const override {
    shard(name).read_f32(name, dst, numel);
  }
  std::string describe() const override { return index_name_; }

 private:
  const TensorSource& shard(const std::string& name) const {
    auto it = where_.find(name);
    if (it == where_.end()) throw Error(index_name_ + ": no tensor named " + name);
    return *shards_[it->second];
  }

  std::string index_name_;
  std::vector<std::unique_ptr<TensorSource>> shards_;
  std::map<std::string, size_t> where_;
};

}  // namespace

std::unique_ptr<TensorSource> open_safetensors(const std::filesystem::path& file) {
  auto src = std::make_unique<MappedTensorSource>(file);
  const MappedFile& f = src->file();
  const std::string& fn = f.name();
  if (f.size() < 8)
    throw Error(fn + ": file is " + std::to_string(f.size()) +
                " bytes, too short to be safetensors (it starts with an 8-byte header length)");
  const uint64_t header_len = load_le64(f.data());
  if (header_len > kMaxHeaderBytes)
    throw Error(fn + ": header length " + std::to_string(header_len) +
                " exceeds the 100 MB limit (not a safetensors file, or a damaged one)");
  if (header_len > f.size() - 8)
    throw Error(fn + ": header length " + std::to_string(header_len) + " runs past the end of the file (" +
                std::to_string(f.size()) + " bytes): the file is truncated or not safetensors");
  const char* text = reinterpret_cast<const char*>(f.data() + 8);
  const json header = parse_header_json(text, text + header_len, fn, "header");

  const uint8_t* data = f.data() + 8 + header_len;
  const uint64_t data_size = f.size() - 8 - header_len;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    add_entry(*src, name, entry, data, data_size);
  }
  return src;
}

std::unique_ptr<TensorSource> open_safetensors_index(const std::filesystem::path& index_file) {
  const std::string fn = index_file.string();
  json index;
  {
    MappedFile f(index_file);
    const char* text = reinterpret_cast<const char*>(f.data());
    index = parse_header_json(text, text + f.size(), fn, "index");
  }
  auto wm = index.find("weight_map");
  if (wm == index.end()) throw Error(fn + ": index has no weight_map");
  if (!wm->is_object()) throw Error(fn + ": weight_map is not a JSON object");

  std::vector<std::unique_ptr<TensorSource>> shards;
  std::map<std::string, size_t> shard_index;  // shard file name -> position in `shards`
  std::map<std::string, size_t> where;
  const auto dir = index_file.parent_path();
  for (const auto& [name, shard_json] : wm->items()) {
    if (!shard_json.is_string()) throw Error(fn + ": weight_map entry for " + name + " is not a file name string");
    const auto& shard = shard_json.get_ref<const std::string&>();
    // Shards live beside the index; a path elsewhere would let an index reach any file.
    if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos)
      throw Error(fn + ": weight_map entry for " + name + " names \"" + shard +
                  "\", which is not a plain file name in the index's folder");
    auto [it, fresh] = shard_index.emplace(shard, shards.size());
    if (fresh) {
      try {
        shards.push_back(open_safetensors(dir / shard));
      } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (a shard listed in " + fn + ")");
      }
    }
    if (!shards[it->second]->has(name))
      throw Error(fn + ": weight_map puts " + name + " in " + shard + ", but " + shards[it->second]->describe() +
                  " has no tensor named " + name);
    where.emplace(name, it->second);
  }
  return std::make_unique<ShardedSource>(fn, std::move(shards), std::move(where));
}

}  // namespace byt5

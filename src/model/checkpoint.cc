#include "model/checkpoint.h"

#include <set>
#include <sstream>

#include "core/error.h"

namespace byt5 {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << "]";
  return o.str();
}

std::string list_some(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 5) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

bool ignorable(const std::string& name, const T5Config& c) {
  return name == "encoder.embed_tokens.weight" || name == "decoder.embed_tokens.weight" ||
         (c.tie_word_embeddings && name == "lm_head.weight");
}

}  // namespace

void read_params(ParamSet& params, const TensorSource& src) {
  const auto& cfg = params.config();
  std::vector<std::string> missing, unexpected;
  for (const auto& spec : params.specs())
    if (!src.has(spec.name)) missing.push_back(spec.name);
  for (const auto& name : src.names())
    if (!params.spec(name) && !ignorable(name, cfg)) unexpected.push_back(name);
  if (!missing.empty())
    throw Error(src.describe() + ": missing tensors for this config: " + list_some(missing) +
                (cfg.tie_word_embeddings ? "" : " (config.json says tie_word_embeddings is false)"));
  if (!unexpected.empty()) throw Error(src.describe() + ": unexpected tensors: " + list_some(unexpected));
  for (const auto& spec : params.specs()) {
    TensorInfo info = src.info(spec.name);
    if (info.shape != spec.shape)
      throw Error(src.describe() + ": tensor " + spec.name + " has shape " + shape_str(info.shape) +
                  ", but config.json implies " + shape_str(spec.shape));
    src.read_f32(spec.name, params.data() + spec.offset, spec.numel());
  }
  for (const char* alias : {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"})
    if (src.has(alias) && src.info(alias).shape != params.spec("shared.weight")->shape)
      throw Error(src.describe() + ": tensor " + std::string(alias) + " has shape " + shape_str(src.info(alias).shape) +
                  ", not the shape of shared.weight");
}

ParamSet load_params(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir.string() + ": not a model directory");
  T5Config cfg = T5Config::load(dir / "config.json");
  auto src = open_checkpoint_tensors(dir);
  ParamSet params(cfg);
  read_params(params, *src);
  return params;
}

void save_params(const std::filesystem::path& dir, const ParamSet& params, DType dtype) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir.string() + ": cannot create directory (" + ec.message() + ")");
  std::vector<TensorToWrite> tensors;
  for (const auto& s : params.specs()) tensors.push_back({s.name, s.shape, params.data() + s.offset});
  write_safetensors(dir / "model.safetensors", tensors, dtype, {{"format", "pt"}});
  params.config().save(dir / "config.json");
}

}  // namespace byt5

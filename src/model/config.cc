#include "model/config.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace byt5 {
namespace {

template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": field '" + key + "' has the wrong type (" + e.what() + ")");
  }
}

// Mirrors T5Config.__init__ in transformers 4.24: "gated-gelu" means gelu_new (tanh approximation),
// any other "[gated-]ACT" names an activation directly.
void parse_feed_forward(T5Config& c, const std::string& source) {
  std::string proj = c.feed_forward_proj;
  std::string act = proj;
  c.is_gated = false;
  if (proj.rfind("gated-", 0) == 0) {
    c.is_gated = true;
    act = proj.substr(6);
  }
  if (proj == "gated-gelu") act = "gelu_new";
  if (act == "relu") c.act = Activation::Relu;
  else if (act == "gelu") c.act = Activation::Gelu;
  else if (act == "gelu_new" || act == "gelu_pytorch_tanh") c.act = Activation::GeluNew;
  else if (act == "silu" || act == "swish") c.act = Activation::Silu;
  else
    throw Error(source + ": unsupported feed_forward_proj '" + proj +
                "' (supported: relu, gelu, gelu_new, silu, each optionally with 'gated-')");
}

// The shortest decimal that reads back as the same float, as a double: config.json then says 0.1,
// not 0.10000000149011612.
double shortest(float f) {
  char buf[32];
  for (int p = 1; p <= 9; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, static_cast<double>(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  return std::strtod(buf, nullptr);
}

}  // namespace

T5Config T5Config::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw Error(source + ": expected a JSON object");
  T5Config c;
  read_field(j, "vocab_size", c.vocab_size, source);
  read_field(j, "d_model", c.d_model, source);
  read_field(j, "d_kv", c.d_kv, source);
  read_field(j, "d_ff", c.d_ff, source);
  read_field(j, "num_layers", c.num_layers, source);
  c.num_decoder_layers = c.num_layers;
  read_field(j, "num_decoder_layers", c.num_decoder_layers, source);
  read_field(j, "num_heads", c.num_heads, source);
  read_field(j, "relative_attention_num_buckets", c.relative_attention_num_buckets, source);
  read_field(j, "relative_attention_max_distance", c.relative_attention_max_distance, source);
  read_field(j, "dropout_rate", c.dropout_rate, source);
  read_field(j, "layer_norm_epsilon", c.layer_norm_epsilon, source);
  read_field(j, "initializer_factor", c.initializer_factor, source);
  read_field(j, "feed_forward_proj", c.feed_forward_proj, source);
  read_field(j, "tie_word_embeddings", c.tie_word_embeddings, source);
  if (j.contains("scale_decoder_outputs")) {
    bool scale = false;
    read_field(j, "scale_decoder_outputs", scale, source);
    c.scale_decoder_outputs = scale;
  }
  read_field(j, "pad_token_id", c.pad_token_id, source);
  read_field(j, "eos_token_id", c.eos_token_id, source);
  c.decoder_start_token_id = c.pad_token_id;
  read_field(j, "decoder_start_token_id", c.decoder_start_token_id, source);
  if (auto it = j.find("model_type"); it != j.end() && it->is_string() && *it != "t5" && *it != "mt5")
    throw Error(source + ": model_type '" + it->get<std::string>() + "' is not a T5 model");
  if (auto it = j.find("is_encoder_decoder"); it != j.end() && it->is_boolean() && !it->get<bool>())
    throw Error(source + ": is_encoder_decoder is false; only encoder-decoder T5 models are supported");
  parse_feed_forward(c, source);
  c.validate(source);
  return c;
}

void T5Config::validate(const std::string& source) const {
  auto positive = [&](const char* name, long v, long max) {
    if (v <= 0 || v > max)
      throw Error(source + ": " + name + " = " + std::to_string(v) + " is out of range (1.." +
                  std::to_string(max) + ")");
  };
  positive("vocab_size", vocab_size, 1 << 20);
  positive("d_model", d_model, 1 << 16);
  positive("d_kv", d_kv, 1 << 12);
  positive("d_ff", d_ff, 1 << 18);
  positive("num_layers", num_layers, 256);
  positive("num_decoder_layers", num_decoder_layers, 256);
  positive("num_heads", num_heads, 256);
  positive("relative_attention_num_buckets", relative_attention_num_buckets, 1 << 12);
  positive("relative_attention_max_distance", relative_attention_max_distance, 1 << 20);
  if (relative_attention_num_buckets < 4)
    throw Error(source + ": relative_attention_num_buckets must be at least 4");
  if (!(layer_norm_epsilon >= 0.0f) || layer_norm_epsilon > 1.0f)
    throw Error(source + ": layer_norm_epsilon must be in [0, 1]");
  if (!(dropout_rate >= 0.0f && dropout_rate < 1.0f))
    throw Error(source + ": dropout_rate must be in [0, 1)");
  for (auto [name, id] : {std::pair{"decoder_start_token_id", decoder_start_token_id},
                          std::pair{"eos_token_id", eos_token_id}, std::pair{"pad_token_id", pad_token_id}})
    if (id < 0 || id >= vocab_size)
      throw Error(source + ": " + name + " = " + std::to_string(id) + " is outside the vocabulary (" +
                  std::to_string(vocab_size) + ")");
}

T5Config T5Config::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open config file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": invalid JSON (" + e.what() + ")");
  }
  return from_json(j, file.string());
}

nlohmann::json T5Config::to_json() const {
  nlohmann::json j;
  j["architectures"] = {"T5ForConditionalGeneration"};
  j["model_type"] = "t5";
  j["is_encoder_decoder"] = true;
  j["tokenizer_class"] = "ByT5Tokenizer";
  j["vocab_size"] = vocab_size;
  j["d_model"] = d_model;
  j["d_kv"] = d_kv;
  j["d_ff"] = d_ff;
  j["num_layers"] = num_layers;
  j["num_decoder_layers"] = num_decoder_layers;
  j["num_heads"] = num_heads;
  j["relative_attention_num_buckets"] = relative_attention_num_buckets;
  j["relative_attention_max_distance"] = relative_attention_max_distance;
  j["dropout_rate"] = shortest(dropout_rate);
  j["layer_norm_epsilon"] = shortest(layer_norm_epsilon);
  j["initializer_factor"] = shortest(initializer_factor);
  j["feed_forward_proj"] = feed_forward_proj;
  j["tie_word_embeddings"] = tie_word_embeddings;
  // Written out so that transformers 5, whose default differs, reads the same model.
  j["scale_decoder_outputs"] = scales_decoder_output();
  j["decoder_start_token_id"] = decoder_start_token_id;
  j["eos_token_id"] = eos_token_id;
  j["pad_token_id"] = pad_token_id;
  j["use_cache"] = true;
  return j;
}

void T5Config::save(const std::filesystem::path& file) const {
  std::ofstream out(file);
  if (!out) throw Error(file.string() + ": cannot write config file");
  out << to_json().dump(2) << "\n";
  if (!out) throw Error(file.string() + ": write failed");
}

}  // namespace byt5

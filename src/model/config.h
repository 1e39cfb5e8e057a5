// T5Config: the fields of a Hugging Face config.json that change the math, with T5Config's
// defaults (transformers 4.24) for missing keys.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace byt5 {

enum class Activation { Relu, Gelu, GeluNew, Silu };

struct T5Config {
  int vocab_size = 32128;
  int d_model = 512;
  int d_kv = 64;
  int d_ff = 2048;
  int num_layers = 6;
  int num_decoder_layers = 6;  // missing key: num_layers
  int num_heads = 8;
  int relative_attention_num_buckets = 32;
  int relative_attention_max_distance = 128;
  float dropout_rate = 0.1f;
  float layer_norm_epsilon = 1e-6f;
  float initializer_factor = 1.0f;
  std::string feed_forward_proj = "relu";
  bool is_gated = false;               // derived from feed_forward_proj
  Activation act = Activation::Relu;   // derived from feed_forward_proj
  bool tie_word_embeddings = true;     // missing key: tied
  // transformers 5's key for the d_model^-0.5 rescaling of the decoder output before lm_head;
  // missing (every transformers 4 checkpoint): rescaled exactly when the embeddings are tied.
  std::optional<bool> scale_decoder_outputs;
  int decoder_start_token_id = 0;
  int eos_token_id = 1;
  int pad_token_id = 0;

  int inner_dim() const { return num_heads * d_kv; }
  bool scales_decoder_output() const { return scale_decoder_outputs.value_or(tie_word_embeddings); }

  // Throws byt5::Error naming `source` for bad values or unsupported settings.
  static T5Config from_json(const nlohmann::json& j, const std::string& source = "config.json");
  static T5Config load(const std::filesystem::path& file);
  nlohmann::json to_json() const;
  void save(const std::filesystem::path& file) const;
  void validate(const std::string& source) const;
};

}  // namespace byt5

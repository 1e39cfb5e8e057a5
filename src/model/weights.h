// The parameters of a T5 v1.1 model under their Hugging Face names, in one contiguous f32 buffer
// (so weights, gradients and Adam moments share one layout and one flat index space).
// Dimension letters: V vocab, C d_model, I inner = heads * d_kv, F d_ff, NB position buckets, H heads.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/aligned_buffer.h"
#include "model/config.h"

namespace byt5 {

struct AttentionWeights {
  float* q = nullptr;  // (I, C)
  float* k = nullptr;  // (I, C)
  float* v = nullptr;  // (I, C)
  float* o = nullptr;  // (C, I)
};

struct FeedForwardWeights {
  float* wi0 = nullptr;  // (F, C): wi_0 when gated, wi otherwise
  float* wi1 = nullptr;  // (F, C): wi_1 when gated, null otherwise
  float* wo = nullptr;   // (C, F)
};

struct EncoderLayerWeights {
  float* ln_attn = nullptr;  // (C)
  AttentionWeights attn;
  float* ln_ffn = nullptr;  // (C)
  FeedForwardWeights ffn;
};

struct DecoderLayerWeights {
  float* ln_self = nullptr;  // (C)
  AttentionWeights self;
  float* ln_cross = nullptr;  // (C)
  AttentionWeights cross;
  float* ln_ffn = nullptr;  // (C)
  FeedForwardWeights ffn;
};

struct ModelWeights {
  float* shared = nullptr;        // (V, C) token embedding of both stacks
  float* enc_rel_bias = nullptr;  // (NB, H) encoder block 0's table, shared by all encoder layers
  float* dec_rel_bias = nullptr;  // (NB, H) decoder block 0's table
  std::vector<EncoderLayerWeights> enc;
  float* enc_final_ln = nullptr;  // (C)
  std::vector<DecoderLayerWeights> dec;
  float* dec_final_ln = nullptr;  // (C)
  float* lm_head = nullptr;       // (V, C); == shared when embeddings are tied
};

struct ParamSpec {
  std::string name;            // Hugging Face state-dict name
  std::vector<int64_t> shape;  // as Hugging Face stores it (out, in) for linear layers
  size_t offset = 0;           // into the flat buffer, in floats
  size_t numel() const {
    size_t n = 1;
    for (auto s : shape) n *= static_cast<size_t>(s);
    return n;
  }
};

// Every parameter of a model with this config, in a fixed order.
std::vector<ParamSpec> make_param_specs(const T5Config& cfg);

class ParamSet {
 public:
  explicit ParamSet(const T5Config& cfg);
  ParamSet(ParamSet&&) noexcept;
  ParamSet& operator=(ParamSet&&) noexcept;
  ParamSet(const ParamSet&) = delete;

  const T5Config& config() const { return cfg_; }
  const std::vector<ParamSpec>& specs() const { return specs_; }
  ModelWeights& w() { return w_; }
  const ModelWeights& w() const { return w_; }
  float* data() { return buf_.data(); }
  const float* data() const { return buf_.data(); }
  size_t size() const { return buf_.size(); }
  // Null when absent.
  float* find(const std::string& name);
  const ParamSpec* spec(const std::string& name) const;
  void zero() { buf_.zero(); }

 private:
  void bind();
  T5Config cfg_;
  std::vector<ParamSpec> specs_;
  std::unordered_map<std::string, size_t> index_;
  AlignedBuffer<float> buf_;
  ModelWeights w_;
};

}  // namespace byt5

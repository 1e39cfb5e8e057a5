#include "model/weights.h"

#include "core/error.h"

namespace byt5 {
namespace {

void add_attention(std::vector<ParamSpec>& s, const std::string& p, int64_t I, int64_t C) {
  s.push_back({p + ".q.weight", {I, C}});
  s.push_back({p + ".k.weight", {I, C}});
  s.push_back({p + ".v.weight", {I, C}});
  s.push_back({p + ".o.weight", {C, I}});
}

void add_ffn(std::vector<ParamSpec>& s, const std::string& p, const T5Config& c) {
  if (c.is_gated) {
    s.push_back({p + ".wi_0.weight", {c.d_ff, c.d_model}});
    s.push_back({p + ".wi_1.weight", {c.d_ff, c.d_model}});
  } else {
    s.push_back({p + ".wi.weight", {c.d_ff, c.d_model}});
  }
  s.push_back({p + ".wo.weight", {c.d_model, c.d_ff}});
}

}  // namespace

std::vector<ParamSpec> make_param_specs(const T5Config& c) {
  std::vector<ParamSpec> s;
  const int64_t C = c.d_model, I = c.inner_dim();
  s.push_back({"shared.weight", {c.vocab_size, C}});
  for (int l = 0; l < c.num_layers; ++l) {
    std::string b = "encoder.block." + std::to_string(l) + ".layer.";
    add_attention(s, b + "0.SelfAttention", I, C);
    if (l == 0) s.push_back({b + "0.SelfAttention.relative_attention_bias.weight", {c.relative_attention_num_buckets, c.num_heads}});
    s.push_back({b + "0.layer_norm.weight", {C}});
    add_ffn(s, b + "1.DenseReluDense", c);
    s.push_back({b + "1.layer_norm.weight", {C}});
  }
  s.push_back({"encoder.final_layer_norm.weight", {C}});
  for (int l = 0; l < c.num_decoder_layers; ++l) {
    std::string b = "decoder.block." + std::to_string(l) + ".layer.";
    add_attention(s, b + "0.SelfAttention", I, C);
    if (l == 0) s.push_back({b + "0.SelfAttention.relative_attention_bias.weight", {c.relative_attention_num_buckets, c.num_heads}});
    s.push_back({b + "0.layer_norm.weight", {C}});
    add_attention(s, b + "1.EncDecAttention", I, C);
    s.push_back({b + "1.layer_norm.weight", {C}});
    add_ffn(s, b + "2.DenseReluDense", c);
    s.push_back({b + "2.layer_norm.weight", {C}});
  }
  s.push_back({"decoder.final_layer_norm.weight", {C}});
  if (!c.tie_word_embeddings) s.push_back({"lm_head.weight", {c.vocab_size, C}});
  size_t off = 0;
  for (auto& p : s) {
    p.offset = off;
    off += (p.numel() + 15) / 16 * 16;  // keep every tensor 64-byte aligned
  }
  return s;
}

ParamSet::ParamSet(const T5Config& cfg) : cfg_(cfg), specs_(make_param_specs(cfg)) {
  size_t total = specs_.empty() ? 0 : specs_.back().offset + specs_.back().numel();
  buf_.resize(total);
  for (size_t i = 0; i < specs_.size(); ++i) index_[specs_[i].name] = i;
  bind();
}

ParamSet::ParamSet(ParamSet&& o) noexcept
    : cfg_(std::move(o.cfg_)), specs_(std::move(o.specs_)), index_(std::move(o.index_)), buf_(std::move(o.buf_)) {
  bind();
}

ParamSet& ParamSet::operator=(ParamSet&& o) noexcept {
  cfg_ = std::move(o.cfg_);
  specs_ = std::move(o.specs_);
  index_ = std::move(o.index_);
  buf_ = std::move(o.buf_);
  bind();
  return *this;
}

const ParamSpec* ParamSet::spec(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &specs_[it->second];
}

float* ParamSet::find(const std::string& name) {
  auto* s = spec(name);
  return s ? buf_.data() + s->offset : nullptr;
}

void ParamSet::bind() {
  auto get = [&](const std::string& n) {
    float* p = find(n);
    if (!p) throw Error("internal: parameter " + n + " missing from layout");
    return p;
  };
  auto attn = [&](const std::string& p) {
    return AttentionWeights{get(p + ".q.weight"), get(p + ".k.weight"), get(p + ".v.weight"), get(p + ".o.weight")};
  };
  auto ffn = [&](const std::string& p) {
    FeedForwardWeights f;
    if (cfg_.is_gated) {
      f.wi0 = get(p + ".wi_0.weight");
      f.wi1 = get(p + ".wi_1.weight");
    } else {
      f.wi0 = get(p + ".wi.weight");
    }
    f.wo = get(p + ".wo.weight");
    return f;
  };
  w_ = ModelWeights{};
  w_.shared = get("shared.weight");
  w_.enc_rel_bias = get("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
  w_.dec_rel_bias = get("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
  for (int l = 0; l < cfg_.num_layers; ++l) {
    std::string b = "encoder.block." + std::to_string(l) + ".layer.";
    w_.enc.push_back({get(b + "0.layer_norm.weight"), attn(b + "0.SelfAttention"), get(b + "1.layer_norm.weight"),
                      ffn(b + "1.DenseReluDense")});
  }
  w_.enc_final_ln = get("encoder.final_layer_norm.weight");
  for (int l = 0; l < cfg_.num_decoder_layers; ++l) {
    std::string b = "decoder.block." + std::to_string(l) + ".layer.";
    w_.dec.push_back({get(b + "0.layer_norm.weight"), attn(b + "0.SelfAttention"), get(b + "1.layer_norm.weight"),
                      attn(b + "1.EncDecAttention"), get(b + "2.layer_norm.weight"), ffn(b + "2.DenseReluDense")});
  }
  w_.dec_final_ln = get("decoder.final_layer_norm.weight");
  w_.lm_head = cfg_.tie_word_embeddings ? w_.shared : get("lm_head.weight");
}

}  // namespace byt5

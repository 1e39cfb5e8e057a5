#include "train/init.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "train/rng.h"

#include "ops/position_bias.h"

namespace byt5 {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The standard deviation _init_weights uses for a parameter; a negative value means "fill with f".
double init_std(const std::string& name, const T5Config& c) {
  const double f = c.initializer_factor, C = c.d_model;
  if (ends_with(name, "layer_norm.weight")) return -1;
  if (name == "shared.weight" || name == "lm_head.weight") return f;
  if (ends_with(name, "relative_attention_bias.weight")) return f / std::sqrt(C);
  if (ends_with(name, ".q.weight")) return f / std::sqrt(C * c.d_kv);
  if (ends_with(name, ".k.weight") || ends_with(name, ".v.weight")) return f / std::sqrt(C);
  if (ends_with(name, ".o.weight")) return f / std::sqrt(static_cast<double>(c.num_heads) * c.d_kv);
  if (ends_with(name, ".wi.weight") || ends_with(name, ".wi_0.weight") || ends_with(name, ".wi_1.weight"))
    return f / std::sqrt(C);
  if (ends_with(name, ".wo.weight")) return f / std::sqrt(static_cast<double>(c.d_ff));
  throw Error("internal: no initialisation rule for parameter " + name);
}

}  // namespace

void init_t5_weights(ParamSet& params, uint64_t seed) {
  const auto& c = params.config();
  for (size_t i = 0; i < params.specs().size(); ++i) {
    const auto& s = params.specs()[i];
    float* p = params.data() + s.offset;
    const double std = init_std(s.name, c);
    Rng rng(derive_key(seed, 0x1a17000 + i));
    for (size_t k = 0; k < s.numel(); ++k)
      p[k] = std < 0 ? c.initializer_factor : static_cast<float>(rng.normal() * std);
  }
}

ParamSet resize_vocab(const ParamSet& params, int new_vocab, uint64_t seed) {
  const auto& old = params.config();
  if (new_vocab < old.vocab_size) throw Error("internal: resize_vocab cannot shrink the vocabulary");
  T5Config cfg = old;
  cfg.vocab_size = new_vocab;
  ParamSet out(cfg);
  const size_t C = static_cast<size_t>(cfg.d_model);
  Rng rng(derive_key(seed, 0x5e512e));
  for (const auto& s : out.specs()) {
    const ParamSpec* o = params.spec(s.name);
    float* dst = out.data() + s.offset;
    std::memcpy(dst, params.data() + o->offset, sizeof(float) * o->numel());
    if (s.name == "shared.weight")
      for (size_t k = o->numel(); k < s.numel(); ++k) dst[k] = static_cast<float>(rng.normal());
    else if (s.name == "lm_head.weight")
      for (size_t k = o->numel(); k < s.numel(); ++k)
        dst[k] = static_cast<float>((2.0 * rng.uniform() - 1.0) / std::sqrt(static_cast<double>(C)));
  }
  return out;
}

void add_position_prior(ParamSet& params, float strength) {
  const T5Config& c = params.config();
  const int H = c.num_heads, NB = c.relative_attention_num_buckets;
  for (const bool decoder : {false, true}) {
    const std::string name = std::string(decoder ? "decoder" : "encoder") +
                             ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
    float* table = params.find(name);  // (num_buckets, num_heads)
    if (!table) continue;
    for (int h = 0; h + 1 < H; ++h) {
      // memory position - query position: -1, +1, -2, +2, ... (encoder); -1, -2, ... (decoder)
      const int offset = decoder ? -(h + 1) : (h % 2 == 0 ? -(h / 2 + 1) : h / 2 + 1);
      const int bucket = relative_position_bucket(offset, !decoder, NB, c.relative_attention_max_distance);
      table[static_cast<size_t>(bucket) * H + h] += strength;
    }
  }
}

}  // namespace byt5

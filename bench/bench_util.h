// Shapes and random weights shared by the benchmarks (speed does not depend on weight values).
#pragma once
#include <sys/resource.h>

#include <random>

#include "model/config.h"
#include "model/weights.h"

namespace byt5::bench {

// google/byt5-small: d_model 1472, d_ff 3584 gated-gelu, 12 + 4 layers, 6 heads x 64, untied.
inline T5Config byt5_small() {
  T5Config c;
  c.vocab_size = 384;
  c.d_model = 1472;
  c.d_ff = 3584;
  c.d_kv = 64;
  c.num_heads = 6;
  c.num_layers = 12;
  c.num_decoder_layers = 4;
  c.feed_forward_proj = "gated-gelu";
  c.is_gated = true;
  c.act = Activation::GeluNew;
  c.tie_word_embeddings = false;
  return c;
}

inline ParamSet random_params(const T5Config& c, unsigned seed = 42) {
  ParamSet p(c);
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 0.05f);
  for (size_t i = 0; i < p.size(); ++i) p.data()[i] = nd(rng);
  return p;
}

inline double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

}  // namespace byt5::bench

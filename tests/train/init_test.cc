// Fresh initialisation (HF _init_weights) and vocabulary growth (resize_token_embeddings).
#include <cmath>

#include "test_util.h"
#include "train/init.h"

namespace byt5 {
namespace {

double stddev(const float* p, size_t n) {
  double s = 0, s2 = 0;
  for (size_t i = 0; i < n; ++i) s += p[i], s2 += double(p[i]) * p[i];
  return std::sqrt(s2 / n - (s / n) * (s / n));
}

T5Config config() {
  T5Config c;
  c.vocab_size = 384, c.d_model = 64, c.d_kv = 16, c.num_heads = 4, c.d_ff = 160, c.num_layers = 1;
  c.num_decoder_layers = 1, c.feed_forward_proj = "gated-gelu", c.is_gated = true, c.act = Activation::GeluNew;
  c.tie_word_embeddings = false, c.initializer_factor = 1.0f;
  return c;
}

TEST(Init, FollowsHuggingFaceInitWeights) {
  ParamSet p(config());
  init_t5_weights(p, 42);
  auto sd = [&](const std::string& n) { return stddev(p.find(n), p.spec(n)->numel()); };
  EXPECT_NEAR(sd("shared.weight"), 1.0, 0.02);
  EXPECT_NEAR(sd("lm_head.weight"), 1.0, 0.02);
  EXPECT_NEAR(sd("encoder.block.0.layer.0.SelfAttention.q.weight"), 1.0 / std::sqrt(64.0 * 16), 0.003);
  EXPECT_NEAR(sd("encoder.block.0.layer.0.SelfAttention.k.weight"), 1.0 / 8, 0.005);
  EXPECT_NEAR(sd("decoder.block.0.layer.1.EncDecAttention.o.weight"), 1.0 / 8, 0.005);
  EXPECT_NEAR(sd("decoder.block.0.layer.2.DenseReluDense.wo.weight"), 1.0 / std::sqrt(160.0), 0.005);
  EXPECT_EQ(p.find("encoder.final_layer_norm.weight")[7], 1.0f);
  ParamSet q(config());
  init_t5_weights(q, 42);
  EXPECT_EQ(0, std::memcmp(p.data(), q.data(), sizeof(float) * p.size()));
}

TEST(Init, ResizeKeepsOldRowsAndInitialisesNewOnes) {
  ParamSet p(config());
  init_t5_weights(p, 1);
  ParamSet r = resize_vocab(p, 400, 9);
  EXPECT_EQ(r.config().vocab_size, 400);
  EXPECT_EQ(0, std::memcmp(r.find("shared.weight"), p.find("shared.weight"), sizeof(float) * 384 * 64));
  EXPECT_EQ(0, std::memcmp(r.find("encoder.final_layer_norm.weight"), p.find("encoder.final_layer_norm.weight"),
                           sizeof(float) * 64));
  const float* lm_new = r.find("lm_head.weight") + 384 * 64;
  for (int i = 0; i < 16 * 64; ++i) EXPECT_LE(std::fabs(lm_new[i]), 1.0f / 8);
  EXPECT_NEAR(stddev(r.find("shared.weight") + 384 * 64, 16 * 64), 1.0, 0.1);
}

}  // namespace
}  // namespace byt5

#include "ops/position_bias.h"

namespace byt5 {
namespace {

TEST(Init, PositionPriorBiasesOneOffsetPerHead) {
  ParamSet p(config());
  init_t5_weights(p, 42);
  ParamSet before(config());
  std::memcpy(before.data(), p.data(), sizeof(float) * p.size());
  add_position_prior(p, 4.0f);
  const auto& c = p.config();
  const int H = c.num_heads, NB = c.relative_attention_num_buckets;
  // Encoder heads 0..2 look at offsets -1, +1, -2; decoder heads at -1, -2, -3; the last head is left flat.
  const int enc_offsets[] = {-1, 1, -2}, dec_offsets[] = {-1, -2, -3};
  for (const bool dec : {false, true}) {
    const std::string name = std::string(dec ? "decoder" : "encoder") +
                             ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
    const float* now = p.find(name);
    const float* old = before.find(name);
    for (int b = 0; b < NB; ++b)
      for (int h = 0; h < H; ++h) {
        const bool hit = h < H - 1 && b == relative_position_bucket((dec ? dec_offsets : enc_offsets)[h], !dec, NB,
                                                                      c.relative_attention_max_distance);
        EXPECT_FLOAT_EQ(now[b * H + h] - old[b * H + h], hit ? 4.0f : 0.0f) << name << " bucket " << b << " head " << h;
      }
  }
  // Nothing else changes.
  size_t changed = 0;
  for (size_t i = 0; i < p.size(); ++i) changed += p.data()[i] != before.data()[i];
  EXPECT_EQ(changed, 6u);
}

}  // namespace
}  // namespace byt5

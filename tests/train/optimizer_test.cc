// AdamW ("adamw_hf"), clipping and the linear schedule against hand-computed values.
#include <cmath>

#include "model/weights.h"
#include "test_util.h"
#include "train/optimizer.h"

namespace byt5 {
namespace {

T5Config tiny_config() {
  T5Config c;
  c.vocab_size = 8, c.d_model = 4, c.d_kv = 2, c.d_ff = 6, c.num_layers = 1, c.num_decoder_layers = 1;
  c.num_heads = 2, c.relative_attention_num_buckets = 4, c.relative_attention_max_distance = 8;
  c.feed_forward_proj = "gated-gelu", c.is_gated = true, c.act = Activation::GeluNew;
  c.tie_word_embeddings = false;
  return c;
}

TEST(Schedule, LinearDecayWithAndWithoutWarmup) {
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 0, 5, 0), 1e-3);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 1, 5, 0), 1e-3 * 4 / 5);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 4, 5, 0), 1e-3 * 1 / 5);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 0, 10, 2), 0.0);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 1, 10, 2), 0.5e-3);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 2, 10, 2), 1e-3);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 6, 10, 2), 0.5e-3);
  EXPECT_DOUBLE_EQ(linear_schedule_lr(1e-3, 12, 10, 2), 0.0);
}

TEST(AdamW, FirstStepsMatchTheFormula) {
  auto cfg = tiny_config();
  ParamSet p(cfg), g(cfg);
  AdamW opt(cfg, AdamHyper{});
  float* w = p.find("shared.weight");
  float* gw = g.find("shared.weight");
  w[0] = 0.5f, w[1] = -0.25f;
  gw[0] = 0.2f, gw[1] = -3.0f;
  opt.step(p, g, 1e-3);
  // Step 1: m = 0.1 g, v = 0.001 g^2, step size = lr * sqrt(0.001) / 0.1: p -= lr * g/|g| (almost).
  EXPECT_NEAR(w[0], 0.5 - 1e-3 * 0.2 / (0.2 + 1e-8 / std::sqrt(1e-3)), 1e-7);
  EXPECT_NEAR(w[1], -0.25 + 1e-3, 1e-7);
  double m = 0.1 * 0.2, v = 0.001 * 0.04;
  const double w0 = w[0];
  opt.step(p, g, 5e-4);
  m = 0.9 * m + 0.1 * 0.2, v = 0.999 * v + 0.001 * 0.04;
  const double step = 5e-4 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
  EXPECT_NEAR(w[0], w0 - step * m / (std::sqrt(v) + 1e-8), 1e-7);
  EXPECT_EQ(opt.steps(), 2);
  // Untouched parameters (zero gradient) stay put; moments stay zero.
  EXPECT_EQ(p.find("lm_head.weight")[3], 0.0f);
  EXPECT_EQ(opt.exp_avg_sq().find("lm_head.weight")[3], 0.0f);
}

TEST(Clip, ScalesOnlyAboveTheThreshold) {
  auto cfg = tiny_config();
  ParamSet g(cfg);
  g.find("shared.weight")[0] = 3.0f;
  g.find("lm_head.weight")[5] = 4.0f;
  EXPECT_NEAR(grad_norm(g), 5.0, 1e-6);
  EXPECT_NEAR(clip_grad_norm(g, 1.0f), 5.0, 1e-6);
  EXPECT_NEAR(g.find("shared.weight")[0], 3.0 / (5.0 + 1e-6), 1e-6);
  EXPECT_NEAR(grad_norm(g), 1.0, 1e-5);
  ParamSet small(cfg);
  small.find("shared.weight")[1] = 0.5f;
  clip_grad_norm(small, 1.0f);
  EXPECT_EQ(small.find("shared.weight")[1], 0.5f);
}

}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {

TEST(AdamW, WeightDecaySkipsLayerNorms) {
  auto cfg = tiny_config();
  ParamSet p(cfg), g(cfg);
  p.find("shared.weight")[0] = 1.0f;
  p.find("encoder.final_layer_norm.weight")[0] = 1.0f;
  AdamW opt(cfg, AdamHyper{0.9f, 0.999f, 1e-8f, 0.1f});
  opt.step(p, g, 1e-2);  // zero gradients: only decay moves weights
  EXPECT_FLOAT_EQ(p.find("shared.weight")[0], 1.0f - 1e-3f);
  EXPECT_EQ(p.find("encoder.final_layer_norm.weight")[0], 1.0f);
}

}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {

TEST(AdamW, RelativeBiasLearningRateScale) {
  auto cfg = tiny_config();
  ParamSet p(cfg), q(cfg), g(cfg);
  const std::string bias = "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";
  g.find(bias)[3] = 0.5f;
  g.find("shared.weight")[3] = 0.5f;
  AdamW plain(cfg, AdamHyper{}), scaled(cfg, AdamHyper{0.9f, 0.999f, 1e-8f, 0.0f, 30.0f});
  plain.step(p, g, 1e-3);
  scaled.step(q, g, 1e-3);
  // The first Adam step moves a parameter by lr * sign(g) (up to eps).
  EXPECT_NEAR(p.find(bias)[3], -1e-3, 1e-8);
  EXPECT_NEAR(q.find(bias)[3], -3e-2, 1e-7);
  EXPECT_EQ(p.find("shared.weight")[3], q.find("shared.weight")[3]);  // everything else as before
}

}  // namespace
}  // namespace byt5

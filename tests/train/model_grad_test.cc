// Whole-model gradients of TrainModel (fp32, dropout off) against Hugging Face's autograd
// (tests/fixtures/hf-<v>-grads): one pair and a padded batch of 4, every parameter tensor.
#include <algorithm>
#include <cmath>
#include <iostream>

#include <omp.h>

#include "io/tensor_source.h"
#include "model/checkpoint.h"
#include "test_util.h"
#include "train/init.h"
#include "train/train_model.h"

namespace byt5 {
namespace {

struct Case {
  std::vector<std::vector<int>> sources, targets;
  float loss = 0;
};

Case read_case(const nlohmann::json& j) {
  Case c;
  c.loss = j["loss"].get<float>();
  if (j["input_ids"][0].is_number()) {
    c.sources.push_back(j["input_ids"].get<std::vector<int>>());
    c.targets.push_back(j["labels"].get<std::vector<int>>());
    return c;
  }
  for (size_t b = 0; b < j["input_ids"].size(); ++b) {
    std::vector<int> s, t;
    for (size_t i = 0; i < j["input_ids"][b].size(); ++i)
      if (j["attention_mask"][b][i].get<int>() == 1) s.push_back(j["input_ids"][b][i].get<int>());
    for (int l : j["labels"][b].get<std::vector<int>>())
      if (l != -100) t.push_back(l);
    c.sources.push_back(s);
    c.targets.push_back(t);
  }
  return c;
}

class ModelGrad : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelGrad, MatchesHuggingFace) {
  const auto model_dir = test::fixtures() / GetParam();
  const auto grads_dir = test::fixtures() / (GetParam() + "-grads");
  const auto meta = test::read_json(grads_dir / "grads.json");
  const auto ref = open_safetensors(grads_dir / "grads.safetensors");
  ParamSet params = load_params(model_dir);
  ParamSet grads(params.config());
  LinearContext lin(Precision::F32);
  for (const char* which : {"single", "batch"}) {
    SCOPED_TRACE(which);
    Case cs = read_case(meta[which]);
    Batch batch = make_batch(cs.sources, cs.targets, params.config());
    TrainModel model(params, grads, lin, BatchShape{batch.B, batch.Te, batch.Td});
    grads.zero();
    float loss = model.forward(batch, DropoutPlan{});
    EXPECT_NEAR(loss, cs.loss, 2e-6 * cs.loss);
    model.backward(1.0f);
    double worst = 0;
    for (const auto& spec : grads.specs()) {
      std::vector<float> want(spec.numel());
      ref->read_f32(std::string(which) + "." + spec.name, want.data(), want.size());
      const float* got = grads.data() + spec.offset;
      double max_ref = 0, max_diff = 0;
      for (size_t i = 0; i < want.size(); ++i) {
        max_ref = std::max(max_ref, (double)std::fabs(want[i]));
        max_diff = std::max(max_diff, (double)std::fabs(got[i] - want[i]));
      }
      EXPECT_LE(max_diff, 1e-5 * max_ref) << spec.name << " max |ref| " << max_ref;
      worst = std::max(worst, max_diff / max_ref);
    }
    std::cout << GetParam() << " " << which << ": worst max|diff|/max|ref| over tensors " << worst << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ModelGrad, ::testing::Values("hf-tiny", "hf-tiny-asym"));

}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {

// With dropout active (a fixed key makes the masks part of the function) the backward must still
// be the gradient: central differences of the loss at each tensor's largest gradient component.
TEST(ModelGradDropout, MatchesFiniteDifferences) {
  // ~160 forwards of a tiny model: threads only add synchronisation (CI shares 2 cores).
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  T5Config c;
  c.vocab_size = 40, c.d_model = 16, c.d_kv = 6, c.num_heads = 2, c.d_ff = 24, c.num_layers = 2;
  c.num_decoder_layers = 2, c.relative_attention_num_buckets = 8, c.relative_attention_max_distance = 16;
  c.feed_forward_proj = "gated-gelu", c.is_gated = true, c.act = Activation::GeluNew, c.tie_word_embeddings = false;
  for (bool tied : {false, true}) {
    SCOPED_TRACE(tied ? "tied" : "untied");
    c.tie_word_embeddings = tied;
    ParamSet params(c), grads(c);
    init_t5_weights(params, 5);
    LinearContext lin(Precision::F32);
    Batch batch = make_batch({{5, 6, 7, 8, 1}, {9, 10, 1}}, {{11, 12, 13, 1}, {14, 1}}, c);
    TrainModel model(params, grads, lin, BatchShape{batch.B, batch.Te, batch.Td});
    const DropoutPlan drop{0.2f, 1234};
    model.forward(batch, drop);
    model.backward(1.0f);
    for (const auto& s : params.specs()) {
      float* p = params.data() + s.offset;
      const float* g = grads.data() + s.offset;
      size_t best = 0;
      for (size_t i = 1; i < s.numel(); ++i)
        if (std::fabs(g[i]) > std::fabs(g[best])) best = i;
      const float x0 = p[best], eps = 1e-2f;
      p[best] = x0 + eps;
      const double lp = model.forward(batch, drop);
      p[best] = x0 - eps;
      const double lm = model.forward(batch, drop);
      p[best] = x0;
      const double fd = (lp - lm) / (2.0 * eps);
      EXPECT_NEAR(fd, g[best], 2e-2 * std::fabs(g[best]) + 2e-4) << s.name << "[" << best << "]";
    }
  }
  omp_set_num_threads(threads);
}

}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {

// The bf16 mode (the default for real runs) rounds every linear layer's inputs to bf16, so its
// gradients differ from HF's fp32 ones by bf16 rounding (~2^-8 relative), never by more: a wrong
// or missing term in the bf16 path shows up as an error of the gradient's own size.
TEST_P(ModelGrad, Bf16StaysWithinRoundingOfHuggingFace) {
  const auto model_dir = test::fixtures() / GetParam();
  const auto grads_dir = test::fixtures() / (GetParam() + "-grads");
  const auto meta = test::read_json(grads_dir / "grads.json");
  const auto ref = open_safetensors(grads_dir / "grads.safetensors");
  ParamSet params = load_params(model_dir);
  ParamSet grads(params.config());
  LinearContext lin(Precision::BF16);
  lin.refresh_weights(params);
  Case cs = read_case(meta["batch"]);
  Batch batch = make_batch(cs.sources, cs.targets, params.config());
  TrainModel model(params, grads, lin, BatchShape{batch.B, batch.Te, batch.Td});
  grads.zero();
  float loss = model.forward(batch, DropoutPlan{});
  EXPECT_NEAR(loss, cs.loss, 1e-2 * cs.loss);
  model.backward(1.0f);
  for (const auto& spec : grads.specs()) {
    std::vector<float> want(spec.numel());
    ref->read_f32(std::string("batch.") + spec.name, want.data(), want.size());
    const float* got = grads.data() + spec.offset;
    double dot = 0, nw = 0, ng = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      dot += (double)got[i] * want[i];
      nw += (double)want[i] * want[i];
      ng += (double)got[i] * got[i];
    }
    if (nw == 0) continue;
    // Direction and size of the whole tensor's gradient.
    EXPECT_GT(dot / std::sqrt(nw * ng), 0.999) << spec.name;
    EXPECT_NEAR(std::sqrt(ng / nw), 1.0, 0.02) << spec.name;
  }
}

}  // namespace
}  // namespace byt5

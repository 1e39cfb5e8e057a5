// Every decoder product multiplies with the decoder's weights repacked where they lie (one copy of
// the weights): decoding steps must agree with the teacher-forced decoder, T5Model::params() must
// give the weights back in Hugging Face's layout bit for bit, and a change made through it must
// reach the next call.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "decode/engine.h"
#include "io/tokenizer.h"
#include "model/checkpoint.h"
#include "model/t5_model.h"
#include "test_util.h"

namespace byt5 {
namespace {

// Logits of the first two decoding steps (start token, then token 70), and the teacher-forced
// decoder's logits for the same two positions.
void step_and_full(T5Model& m, const std::vector<int>& in, std::vector<float>& steps, std::vector<float>& full) {
  const auto& c = m.config();
  const int Te = static_cast<int>(in.size()), V = c.vocab_size;
  AlignedBuffer<float> enc((size_t)Te * c.d_model);
  m.encode(enc.data(), in.data(), nullptr, 1, Te);
  DecoderCache cache = m.start_decoding(enc.data(), nullptr, 1, Te, 4);
  steps.assign((size_t)2 * V, 0.0f);
  full.assign((size_t)2 * V, 0.0f);
  for (int t : {0, 1}) {
    const int id = t == 0 ? 0 : 70;
    m.decode_step(cache, &id, steps.data() + (size_t)t * V);
  }
  const std::vector<int> dec{0, 70};
  m.decode_full(full.data(), dec.data(), 1, 2, enc.data(), nullptr, Te);
}

TEST(DecoderPanels, StepsMatchTeacherForcingAndFollowChangedWeights) {
  auto engine = Engine::load(test::fixtures() / "hf-tiny-asym");
  T5Model& m = engine->model();
  const std::vector<int> in = engine->tokenizer().encode("panels");
  std::vector<float> before, full;
  step_and_full(m, in, before, full);
  for (size_t i = 0; i < before.size(); ++i) ASSERT_NEAR(before[i], full[i], 1e-4) << i;

  // Double the last decoder layer's feed-forward output projection.
  ParamSet& p = m.params();
  const auto& c = m.config();
  float* wo = p.w().dec.back().ffn.wo;
  for (size_t i = 0; i < (size_t)c.d_model * c.d_ff; ++i) wo[i] *= 2.0f;
  std::vector<float> after;
  step_and_full(m, in, after, full);
  double changed = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    ASSERT_NEAR(after[i], full[i], 1e-4) << i;
    changed = std::max(changed, (double)std::abs(after[i] - before[i]));
  }
  EXPECT_GT(changed, 1e-3);
}

TEST(DecoderPanels, RepackedWhereTheyLieAndRestoredBitForBit) {
  const auto dir = test::fixtures() / "hf-tiny-asym";
  const ParamSet fresh = load_params(dir);
  auto engine = Engine::load(dir);  // repacks at load
  T5Model& m = engine->model();
  const DecoderPanels& panels = m.decoder_panels();
  const float* panel_mem = panels.layers.back().ffn.wi0.panel(0);
  const float* lm_mem = panels.lm_head.panel(0);
  ParamSet& p = m.params();  // back to Hugging Face's layout
  ASSERT_EQ(p.size(), fresh.size());
  EXPECT_EQ(std::memcmp(p.data(), fresh.data(), sizeof(float) * p.size()), 0);
  // The panels were the ParamSet's own floats, not a copy (the LM head is untied here).
  EXPECT_EQ(panel_mem, p.w().dec.back().ffn.wi0);
  EXPECT_EQ(lm_mem, p.w().lm_head);
  // Repacking again rewrites them where they lie.
  m.prepare_decoding();
  EXPECT_NE(std::memcmp(p.w().dec.back().ffn.wi0, fresh.w().dec.back().ffn.wi0, sizeof(float) * 64), 0);
}

}  // namespace
}  // namespace byt5

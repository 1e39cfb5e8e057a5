// End-to-end goldens: our engine against Hugging Face transformers 4.24 outputs on the random
// ByT5-family fixtures (encoder states, logits, losses, greedy ids, padded batches).
#include <cmath>

#include "decode/engine.h"
#include "decode/greedy.h"
#include "io/tensor_source.h"
#include "io/tokenizer.h"
#include "model/t5_model.h"
#include "ops/cross_entropy.h"
#include "test_util.h"

namespace byt5 {
namespace {

struct Variant {
  std::string dir;
};

class HfFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = test::fixtures() / GetParam();
    manifest_ = test::read_json(dir_ / "fixture.json");
    outputs_ = test::read_json(dir_ / manifest_["outputs"].get<std::string>());
    engine_ = Engine::load(dir_);
  }
  T5Model& model() { return engine_->model(); }
  const T5Config& cfg() { return engine_->config(); }

  std::vector<float> encode(const std::vector<int>& ids) {
    std::vector<float> out(ids.size() * cfg().d_model);
    model().encode(out.data(), ids.data(), nullptr, 1, (int)ids.size());
    return out;
  }
  std::vector<float> logits(const std::vector<int>& ids, const std::vector<int>& dec, const std::vector<float>& enc) {
    std::vector<float> out(dec.size() * cfg().vocab_size);
    model().decode_full(out.data(), dec.data(), 1, (int)dec.size(), enc.data(), nullptr, (int)ids.size());
    return out;
  }

  std::filesystem::path dir_;
  nlohmann::json manifest_, outputs_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(HfFixture, TokenizerMatchesInputIdsAndLabels) {
  for (const auto& c : outputs_["cases"]) {
    EXPECT_EQ(engine_->tokenizer().encode(c["utterance"].get<std::string>()), c["input_ids"].get<std::vector<int>>())
        << c["name"];
    EXPECT_EQ(engine_->tokenizer().encode(c["target"].get<std::string>()), c["labels"].get<std::vector<int>>())
        << c["name"];
  }
}

TEST_P(HfFixture, EncoderOutputsMatch) {
  for (const auto& c : outputs_["cases"]) {
    auto ids = c["input_ids"].get<std::vector<int>>();
    auto enc = encode(ids);
    const auto& ref = c["encoder_last_hidden_state"];
    const int C = cfg().d_model;
    ASSERT_EQ(ref["shape"][0].get<size_t>(), ids.size());
    for (const auto& s : ref["samples"])
      EXPECT_NEAR(enc[s[0].get<size_t>() * C + s[1].get<size_t>()], s[2].get<float>(), 1e-4) << c["name"];
    for (int i = 0; i < 8; ++i) {
      EXPECT_NEAR(enc[i], ref["first_row_first8"][i].get<float>(), 1e-4) << c["name"];
      EXPECT_NEAR(enc[enc.size() - 8 + i], ref["last_row_last8"][i].get<float>(), 1e-4) << c["name"];
    }
    double sum = 0, l2 = 0;
    for (float v : enc) sum += v, l2 += (double)v * v;
    EXPECT_NEAR(sum, ref["stats"]["sum"].get<double>(), 1e-4 * enc.size()) << c["name"];
    EXPECT_NEAR(std::sqrt(l2), ref["stats"]["l2"].get<double>(), 1e-4 * std::sqrt(enc.size())) << c["name"];
  }
}

TEST_P(HfFixture, FullTensorsMatch) {
  auto tensors = open_safetensors(dir_ / manifest_["tensors"].get<std::string>());
  int checked = 0;
  for (const auto& c : outputs_["cases"]) {
    std::string name = c["name"];
    if (!tensors->has(name + ".logits")) continue;
    auto ids = c["input_ids"].get<std::vector<int>>();
    auto dec = c["teacher_forced"]["decoder_input_ids"].get<std::vector<int>>();
    auto enc = encode(ids);
    auto lg = logits(ids, dec, enc);
    std::vector<float> ref_enc(enc.size()), ref_lg(lg.size());
    tensors->read_f32(name + ".encoder_last_hidden_state", ref_enc.data(), ref_enc.size());
    tensors->read_f32(name + ".logits", ref_lg.data(), ref_lg.size());
    float max_enc = 0, max_lg = 0;
    for (size_t i = 0; i < enc.size(); ++i) max_enc = std::max(max_enc, std::abs(enc[i] - ref_enc[i]));
    for (size_t i = 0; i < lg.size(); ++i) max_lg = std::max(max_lg, std::abs(lg[i] - ref_lg[i]));
    EXPECT_LT(max_enc, 1e-4) << name;
    EXPECT_LT(max_lg, 1e-4) << name;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST_P(HfFixture, TeacherForcedLogitsAndLossMatch) {
  const int V = cfg().vocab_size;
  for (const auto& c : outputs_["cases"]) {
    const auto& tf = c["teacher_forced"];
    auto ids = c["input_ids"].get<std::vector<int>>();
    auto dec = tf["decoder_input_ids"].get<std::vector<int>>();
    auto labels = c["labels"].get<std::vector<int>>();
    auto lg = logits(ids, dec, encode(ids));
    const auto& pp = tf["per_position"];
    for (size_t t = 0; t < dec.size(); ++t) {
      const float* row = lg.data() + t * V;
      int am = (int)(std::max_element(row, row + V) - row);
      if (pp["margin_top1_top2"][t].get<float>() > 1e-3f) {
        EXPECT_EQ(am, pp["argmax"][t].get<int>()) << c["name"] << " t=" << t;
      }
      EXPECT_NEAR(row[am], pp["max"][t].get<float>(), 1e-4) << c["name"];
      EXPECT_NEAR(row[labels[t]], pp["target_logit"][t].get<float>(), 1e-4) << c["name"];
    }
    std::vector<float> losses(dec.size());
    double sum = cross_entropy_forward(losses.data(), lg.data(), labels.data(), (int)dec.size(), V);
    double loss = sum / labels.size();
    EXPECT_NEAR(loss, tf["loss"].get<double>(), 1e-5 * tf["loss"].get<double>()) << c["name"];
  }
}

// Greedy ids must be identical up to the end, except after a step whose top-2 margin in the
// reference is below 1e-3 (a near-tie that a different summation order may break the other way).
void expect_same_greedy(const std::vector<int>& ours, const nlohmann::json& g, const std::string& name) {
  auto seq = g["sequence"].get<std::vector<int>>();
  auto margins = g["step_margin_top1_top2"].get<std::vector<float>>();
  for (size_t i = 0; i + 1 < seq.size(); ++i) {
    ASSERT_LT(i, ours.size()) << name << ": ours stopped early";
    EXPECT_EQ(ours[i], seq[i + 1]) << name << " step " << i;
    if (ours[i] != seq[i + 1] || margins[i] < 1e-3f) return;
  }
  EXPECT_EQ(ours.size(), seq.size() - 1) << name;
}

TEST_P(HfFixture, GreedyIdsMatchOneAtATime) {
  for (const auto& c : outputs_["cases"]) {
    const auto& g = c["greedy"];
    auto res = greedy_decode(model(), {c["input_ids"].get<std::vector<int>>()}, g["max_new_tokens"].get<int>());
    expect_same_greedy(res[0], g, c["name"]);
  }
}

TEST_P(HfFixture, PaddedBatchMatchesReference) {
  const auto& b = outputs_["batch"];
  std::vector<std::vector<int>> inputs;
  for (const auto& name : b["cases"])
    for (const auto& c : outputs_["cases"])
      if (c["name"] == name) inputs.push_back(c["input_ids"].get<std::vector<int>>());
  ASSERT_EQ(inputs.size(), 4u);
  auto batch = greedy_decode(model(), inputs, 64);
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto single = greedy_decode(model(), {inputs[i]}, 64);
    EXPECT_EQ(batch[i], single[0]) << "row " << i << ": a batch must give what one input at a time gives";
    auto ref = b["greedy_sequences"][i].get<std::vector<int>>();
    // Reference rows are padded with 0 after EOS; ours stop at EOS.
    std::vector<int> trimmed(ref.begin() + 1, ref.begin() + 1 + batch[i].size());
    EXPECT_EQ(batch[i], trimmed) << "row " << i;
  }
  // Batch loss: mean over all real label tokens.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& name : b["cases"])
    for (const auto& c : outputs_["cases"])
      if (c["name"] == name) pairs.emplace_back(c["utterance"], c["target"]);
  auto scores = engine_->score(pairs, 4);
  double nll = 0, n = 0;
  for (auto& s : scores) nll += s.nll_sum, n += s.tokens;
  EXPECT_NEAR(nll / n, b["loss"].get<double>(), 1e-5 * b["loss"].get<double>());
  auto one_by_one = engine_->score(pairs, 1);
  for (size_t i = 0; i < pairs.size(); ++i) EXPECT_NEAR(one_by_one[i].mean(), scores[i].mean(), 1e-6 * scores[i].mean());
}

TEST_P(HfFixture, EngineGenerateIdsInInputOrder) {
  std::vector<std::string> inputs;
  for (const auto& c : outputs_["cases"]) inputs.push_back(c["utterance"]);
  GenerateOptions opt;
  opt.max_new_tokens = 64;
  opt.batch_size = 7;
  auto res = engine_->generate_ids(inputs, opt);
  for (size_t i = 0; i < inputs.size(); ++i) expect_same_greedy(res[i], outputs_["cases"][i]["greedy"], inputs[i]);
  // Batches of one take the draft-and-verify path.
  opt.batch_size = 1;
  auto one = engine_->generate_ids(inputs, opt);
  for (size_t i = 0; i < inputs.size(); ++i) expect_same_greedy(one[i], outputs_["cases"][i]["greedy"], inputs[i]);
}

INSTANTIATE_TEST_SUITE_P(Variants, HfFixture, ::testing::Values("hf-tiny", "hf-tiny-asym"),
                         [](const auto& info) { return info.param == "hf-tiny" ? std::string("tiny") : std::string("asym"); });

}  // namespace
}  // namespace byt5

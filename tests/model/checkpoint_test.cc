// Loading Hugging Face model directories: every config field that changes the math, and a clear
// error (naming the file) for every malformed input.
#include <cmath>
#include <set>

#include <gmock/gmock.h>

#include "core/error.h"
#include "decode/engine.h"
#include "model/checkpoint.h"
#include "model/t5_model.h"
#include "test_util.h"

namespace byt5 {
namespace {

using ::testing::HasSubstr;

std::filesystem::path tiny() { return test::fixtures() / "hf-tiny"; }

std::string load_error(const std::filesystem::path& dir) {
  try {
    load_params(dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Writes `params` minus the tensors named in `drop`, plus `extra`, with the given config JSON.
void write_dir(const std::filesystem::path& dir, const ParamSet& params, const nlohmann::json& cfg,
               const std::set<std::string>& drop = {}, const std::vector<TensorToWrite>& extra = {}) {
  std::filesystem::create_directories(dir);
  std::vector<TensorToWrite> t;
  for (const auto& s : params.specs())
    if (!drop.count(s.name)) t.push_back({s.name, s.shape, params.data() + s.offset});
  t.insert(t.end(), extra.begin(), extra.end());
  write_safetensors(dir / "model.safetensors", t);
  std::ofstream(dir / "config.json") << cfg.dump();
}

std::vector<float> logits_of(T5Model& m, const std::vector<int>& ids, const std::vector<int>& dec) {
  std::vector<float> enc(ids.size() * m.config().d_model), out(dec.size() * m.config().vocab_size);
  m.encode(enc.data(), ids.data(), nullptr, 1, (int)ids.size());
  m.decode_full(out.data(), dec.data(), 1, (int)dec.size(), enc.data(), nullptr, (int)ids.size());
  return out;
}

TEST(Config, MissingKeysTakeT5ConfigDefaults) {
  auto c = T5Config::from_json(nlohmann::json::object());
  EXPECT_EQ(c.vocab_size, 32128);
  EXPECT_EQ(c.num_decoder_layers, c.num_layers);
  EXPECT_EQ(c.relative_attention_max_distance, 128);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_FALSE(c.is_gated);
  EXPECT_EQ(c.act, Activation::Relu);
  auto g = T5Config::from_json({{"feed_forward_proj", "gated-gelu"}, {"num_layers", 3}});
  EXPECT_TRUE(g.is_gated);
  EXPECT_EQ(g.act, Activation::GeluNew);
  EXPECT_EQ(g.num_decoder_layers, 3);
  auto round = T5Config::from_json(g.to_json());
  EXPECT_EQ(round.to_json(), g.to_json());
  // Floats are written as the shortest decimal that reads back the same.
  EXPECT_EQ(g.to_json()["dropout_rate"].dump(), "0.1");
  EXPECT_EQ(g.to_json()["layer_norm_epsilon"].dump(), "1e-06");
}

TEST(Config, BadValuesAreRejectedWithTheirName) {
  EXPECT_THAT([] { T5Config::from_json({{"feed_forward_proj", "gated-banana"}}); },
              ::testing::ThrowsMessage<Error>(HasSubstr("feed_forward_proj")));
  EXPECT_THAT([] { T5Config::from_json({{"d_model", -4}}); }, ::testing::ThrowsMessage<Error>(HasSubstr("d_model")));
  EXPECT_THAT([] { T5Config::from_json({{"d_model", "wide"}}); }, ::testing::ThrowsMessage<Error>(HasSubstr("d_model")));
  EXPECT_THAT([] { T5Config::from_json({{"vocab_size", 10}, {"eos_token_id", 20}}); },
              ::testing::ThrowsMessage<Error>(HasSubstr("eos_token_id")));
  EXPECT_THAT([] { T5Config::from_json({{"model_type", "bert"}}); }, ::testing::ThrowsMessage<Error>(HasSubstr("bert")));
  EXPECT_THAT([] { T5Config::from_json(nlohmann::json::array()); }, ::testing::ThrowsMessage<Error>(HasSubstr("object")));
}

TEST(Checkpoint, MalformedDirectoriesGiveClearErrors) {
  ParamSet p = load_params(tiny());
  auto cfg = test::read_json(tiny() / "config.json");
  test::TempDir d;
  EXPECT_THAT(load_error(d.path() / "nope"), HasSubstr("not a model directory"));
  EXPECT_THAT(load_error(d.path()), HasSubstr("config.json"));
  test::write_file(d.path() / "config.json", "{\"d_model\": 64,");
  EXPECT_THAT(load_error(d.path()), HasSubstr("invalid JSON"));
  std::ofstream(d.path() / "config.json") << cfg.dump();
  EXPECT_THAT(load_error(d.path()), HasSubstr(d.path().string()));  // no weights file

  test::TempDir missing;
  write_dir(missing.path(), p, cfg, {"decoder.block.1.layer.2.DenseReluDense.wo.weight"});
  EXPECT_THAT(load_error(missing.path()), HasSubstr("missing tensors"));
  EXPECT_THAT(load_error(missing.path()), HasSubstr("decoder.block.1.layer.2.DenseReluDense.wo.weight"));

  test::TempDir unexpected;
  std::vector<float> junk(4);
  write_dir(unexpected.path(), p, cfg, {}, {{"encoder.block.9.extra.weight", {4}, junk.data()}});
  EXPECT_THAT(load_error(unexpected.path()), HasSubstr("unexpected tensors: encoder.block.9.extra.weight"));

  test::TempDir shape;
  auto wrong = cfg;
  wrong["d_ff"] = 128;
  write_dir(shape.path(), p, wrong);
  EXPECT_THAT(load_error(shape.path()), HasSubstr("has shape [160, 64], but config.json implies [128, 64]"));

  test::TempDir untied_missing_head;
  write_dir(untied_missing_head.path(), p, cfg, {"lm_head.weight"});
  EXPECT_THAT(load_error(untied_missing_head.path()), HasSubstr("lm_head.weight"));
}

TEST(Checkpoint, PytorchBinGivesTheSameModel) {
  ParamSet a = load_params(tiny());
  ParamSet b = load_params(test::fixtures() / "hf-tiny-bin");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]) << i;
}

TEST(Checkpoint, SaveThenLoadRoundTripsExactlyInF32AndClosely) {
  ParamSet a = load_params(tiny());
  test::TempDir d;
  save_params(d.path() / "f32", a);
  ParamSet b = load_params(d.path() / "f32");
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]);
  save_params(d.path() / "bf16", a, DType::BF16);
  ParamSet c = load_params(d.path() / "bf16");
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a.data()[i], c.data()[i], std::abs(a.data()[i]) / 128 + 1e-30);
  EXPECT_LT(std::filesystem::file_size(d.path() / "bf16" / "model.safetensors"),
            std::filesystem::file_size(d.path() / "f32" / "model.safetensors") * 0.6);
}

// A tied model computes lm_head(x * d_model^-0.5) with shared.weight: the same logits as an untied
// model whose lm_head holds shared.weight * d_model^-0.5.
TEST(Checkpoint, TiedEmbeddingsScaleTheOutput) {
  ParamSet untied = load_params(tiny());
  auto cfg = test::read_json(tiny() / "config.json");
  cfg.erase("tie_word_embeddings");  // HF omits the key when true
  test::TempDir d;
  write_dir(d.path(), untied, cfg, {"lm_head.weight"});
  ParamSet tied = load_params(d.path());
  EXPECT_TRUE(tied.config().tie_word_embeddings);
  const float scale = 1.0f / std::sqrt(64.0f);
  float* head = untied.find("lm_head.weight");
  const float* shared = untied.find("shared.weight");
  for (size_t i = 0; i < 384 * 64; ++i) head[i] = shared[i] * scale;
  T5Model mt(std::move(tied)), mu(std::move(untied));
  std::vector<int> ids{118, 104, 119, 1}, dec{0, 94, 76};
  auto lt = logits_of(mt, ids, dec), lu = logits_of(mu, ids, dec);
  for (size_t i = 0; i < lt.size(); ++i) ASSERT_NEAR(lt[i], lu[i], 1e-4);
}

// transformers 5 writes scale_decoder_outputs (and tie_word_embeddings: true even for models it
// does not rescale); without the key, transformers 4's rule holds: rescaled exactly when tied.
TEST(Config, ScaleDecoderOutputsDefaultsToTiedness) {
  EXPECT_TRUE(T5Config::from_json(nlohmann::json::object()).scales_decoder_output());
  EXPECT_FALSE(T5Config::from_json({{"tie_word_embeddings", false}}).scales_decoder_output());
  EXPECT_FALSE(T5Config::from_json({{"tie_word_embeddings", true}, {"scale_decoder_outputs", false}})
                   .scales_decoder_output());
  EXPECT_TRUE(T5Config::from_json({{"tie_word_embeddings", false}, {"scale_decoder_outputs", true}})
                  .scales_decoder_output());
  EXPECT_THROW(T5Config::from_json({{"scale_decoder_outputs", "yes"}}), Error);
  auto saved = T5Config::from_json({{"tie_word_embeddings", true}, {"scale_decoder_outputs", false}}).to_json();
  EXPECT_EQ(saved["scale_decoder_outputs"], false);
  EXPECT_EQ(T5Config::from_json(nlohmann::json::object()).to_json()["scale_decoder_outputs"], true);
}

// The rescaling alone: the same untied weights with scale_decoder_outputs give logits / sqrt(d_model).
TEST(Checkpoint, ScaleDecoderOutputsScalesTheLogits) {
  auto cfg = test::read_json(tiny() / "config.json");
  ASSERT_EQ(cfg["tie_word_embeddings"], false);
  ParamSet plain = load_params(tiny());
  cfg["scale_decoder_outputs"] = true;
  test::TempDir d;
  write_dir(d.path(), plain, cfg, {});
  ParamSet scaled = load_params(d.path());
  T5Model mp(std::move(plain)), ms(std::move(scaled));
  std::vector<int> ids{118, 104, 119, 1}, dec{0, 94, 76};
  auto lp = logits_of(mp, ids, dec), ls = logits_of(ms, ids, dec);
  for (size_t i = 0; i < lp.size(); ++i) ASSERT_NEAR(ls[i], lp[i] / 8.0f, 1e-5f + std::abs(lp[i]) * 1e-5f);
}

// T5 v1.0 style "relu" FFN: one wi weight. A relu model whose wi equals the gated model's wi_0
// differs exactly in the FFN; check the loader names and the forward runs to finite logits.
TEST(Checkpoint, ReluFeedForwardUsesWi) {
  auto cfg = test::read_json(tiny() / "config.json");
  cfg["feed_forward_proj"] = "relu";
  T5Config c = T5Config::from_json(cfg);
  ParamSet relu(c);
  EXPECT_NE(relu.find("encoder.block.0.layer.1.DenseReluDense.wi.weight"), nullptr);
  EXPECT_EQ(relu.find("encoder.block.0.layer.1.DenseReluDense.wi_1.weight"), nullptr);
  ParamSet gated = load_params(tiny());
  for (const auto& s : relu.specs()) {
    std::string src = s.name;
    if (auto k = src.find(".wi.weight"); k != std::string::npos) src.replace(k, 10, ".wi_0.weight");
    std::copy_n(gated.find(src), s.numel(), relu.data() + s.offset);
  }
  test::TempDir d;
  write_dir(d.path(), relu, cfg);
  auto engine = Engine::load(d.path());
  auto out = engine->score({{"set an alarm", "[IN:CREATE_ALARM ]"}});
  EXPECT_TRUE(std::isfinite(out[0].mean()));
  EXPECT_GT(out[0].mean(), 0.0);
}

TEST(Checkpoint, AddedTokensOutsideTheVocabularyAreRejected) {
  test::TempDir d;
  std::filesystem::copy(tiny() / "config.json", d.path() / "config.json");
  std::filesystem::copy(tiny() / "model.safetensors", d.path() / "model.safetensors");
  test::write_file(d.path() / "added_tokens.json", "{\"[IN:CREATE_ALARM\": 384}");
  EXPECT_THAT([&] { Engine::load(d.path()); }, ::testing::ThrowsMessage<Error>(HasSubstr("outside the model's vocabulary")));
}

}  // namespace
}  // namespace byt5

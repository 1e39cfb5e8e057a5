// A tiny freshly initialised model (--config) with label tokens learns four TOP examples to exact
// match 1.0 in a second, and the result is a model directory the engine decodes the same way.
#include <sys/wait.h>

#include "cli_util.h"
#include "decode/engine.h"
#include "io/tokenizer.h"
#include "model/config.h"
#include "test_util.h"

namespace byt5 {
namespace {
namespace fs = std::filesystem;

const char* kRows[][3] = {
    {"weather", "will it rain today", "[IN:GET_WEATHER will it [SL:WEATHER_ATTRIBUTE rain ] [SL:DATE_TIME today ] ]"},
    {"alarm", "set an alarm for 7am", "[IN:CREATE_ALARM set an alarm [SL:DATE_TIME for 7am ] ]"},
    {"music", "play jazz", "[IN:PLAY_MUSIC play [SL:MUSIC_GENRE jazz ] ]"},
    {"timer", "pause the timer", "[IN:PAUSE_TIMER pause the [SL:METHOD_TIMER timer ] ]"},
};

TEST(Overfit, TinyModelLearnsAHandfulOfParsesExactly) {
  test::TempDir tmp;
  test::write_file(tmp.path() / "config.json",
                   R"({"d_model": 32, "d_kv": 8, "num_heads": 4, "d_ff": 64, "num_layers": 1,
                       "num_decoder_layers": 1, "vocab_size": 384, "feed_forward_proj": "gated-gelu",
                       "tie_word_embeddings": false, "dropout_rate": 0.0})");
  std::string tsv = "domain\tutterance\tsemantic_parse\n";
  for (auto& r : kRows) tsv += std::string(r[0]) + "\t" + r[1] + "\t" + r[2] + "\n";
  test::write_file(tmp.path() / "top.tsv", tsv);
  const fs::path out = tmp.path() / "out";
  auto r = test::run_train("train --config '" + (tmp.path() / "config.json").string() + "' --train '" +
                              (tmp.path() / "top.tsv").string() + "' --eval '" + (tmp.path() / "top.tsv").string() +
                              "' --out '" + out.string() +
                              "' --steps 100 --lr 1e-2 --batch-size 4 --grad-accum 1 --eval-every 50 --label-tokens");
  ASSERT_EQ(r.status, 0) << r.err;
  // The card's table on stdout; the last log record is the final evaluation.
  EXPECT_NE(r.out.find("| Training Loss | Epoch | Step | Validation Loss | Exact Match |"), std::string::npos) << r.out;
  std::istringstream log(test::read_text(out / "log.jsonl"));
  nlohmann::json last;
  for (std::string line; std::getline(log, line);) last = nlohmann::json::parse(line);
  EXPECT_EQ(last["step"], 100);
  EXPECT_EQ(last["exact_match"], 1.0) << last.dump();
  EXPECT_LT(last["eval_loss"].get<double>(), 0.1);

  // Label tokens: 8 labels from id 384 up in sorted order; the vocabulary grew to match.
  Tokenizer tok = Tokenizer::load(out / "final");
  EXPECT_EQ(tok.added_tokens().size(), 8u);
  EXPECT_EQ(tok.added_tokens().at("[IN:CREATE_ALARM"), 384);
  EXPECT_EQ(tok.added_tokens().at("[SL:WEATHER_ATTRIBUTE"), 391);
  EXPECT_EQ(T5Config::load(out / "final" / "config.json").vocab_size, 392);
  auto engine = Engine::load(out / "final");
  std::vector<std::string> inputs;
  for (auto& row : kRows) inputs.push_back(row[1]);
  auto parses = engine->generate_text(inputs);
  for (size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(parses[i], kRows[i][2]);
}

}  // namespace
}  // namespace byt5

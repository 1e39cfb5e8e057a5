// --position-prior: a fresh model learns to copy its input far sooner when each attention head
// starts out looking at one neighbouring offset. Copying random letter strings needs exactly
// that (the letter after the one just written is found by position, not by content), and without
// the prior a fresh T5 sits on a plateau where it only knows which letters occur.
#include <random>

#include "cli_util.h"
#include "test_util.h"

namespace byt5 {
namespace {
namespace fs = std::filesystem;

double last_losses(const fs::path& log, int n) {
  std::vector<double> losses;
  std::istringstream in(test::read_text(log));
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("loss")) losses.push_back(j["loss"].get<double>());
  }
  double s = 0;
  for (int i = 0; i < n; ++i) s += losses.at(losses.size() - 1 - i);
  return s / n;
}

TEST(PositionPrior, FreshModelLearnsToCopySooner) {
  test::TempDir tmp;
  std::mt19937 rng(5);
  std::string tsv = "domain\tutterance\tsemantic_parse\n";
  for (int i = 0; i < 2000; ++i) {
    std::string s(5 + rng() % 6, 'a');
    for (char& ch : s) ch = static_cast<char>('a' + rng() % 16);
    tsv += "copy\t" + s + "\t" + s + "\n";
  }
  test::write_file(tmp / "copy.tsv", tsv);
  test::write_file(tmp / "config.json", R"({"vocab_size": 384, "d_model": 64, "d_kv": 16, "d_ff": 128,
    "num_layers": 2, "num_decoder_layers": 1, "num_heads": 4, "feed_forward_proj": "gated-gelu",
    "tie_word_embeddings": true, "dropout_rate": 0.0})");
  auto run = [&](const std::string& name, const std::string& extra) {
    auto r = test::run_train("train --config '" + (tmp / "config.json").string() + "' --train '" +
                                (tmp / "copy.tsv").string() + "' --out '" + (tmp / name).string() +
                                "' --steps 300 --batch-size 16 --grad-accum 1 --lr 3e-3 --warmup 30 " + extra);
    EXPECT_EQ(r.status, 0) << r.err;
    return last_losses(tmp / name / "log.jsonl", 30);
  };
  const double flat = run("flat", "");
  const double prior = run("prior", "--position-prior 4");
  std::cout << "copy loss after 300 steps: HF init " << flat << ", position prior " << prior << "\n";
  EXPECT_LT(prior, 0.5 * flat);
}

}  // namespace
}  // namespace byt5

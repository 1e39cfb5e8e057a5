// End to end: the `byt5 eval` binary on the hand-made predictions (numbers in
// handmade/README.md) and on gold-vs-gold over the TOPv2 eval split, plus its exit codes.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/topv2.h"
#include "cli_util.h"
#include "test_paths.h"

namespace byt5 {
namespace {

using byt5::testing::handmade_dir;
using byt5::testing::TempDir;

using RunResult = test::CmdResult;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using test::quote;

RunResult run_byt5(const TempDir&, const std::string& args) { return test::run_byt5(args); }

#define BYT5_REQUIRE_BINARY()                                                     \
  do {                                                                            \
    if (!std::filesystem::exists(BYT5_BINARY))                                    \
      GTEST_SKIP() << "byt5 binary not built at " << BYT5_BINARY;                 \
  } while (0)

TEST(EvalCli, HandmadePredictions) {
  BYT5_REQUIRE_BINARY();
  TempDir tmp;
  std::string args = "eval --predictions " + quote((handmade_dir() / "predictions.tsv").string()) +
                     " --data " + quote((handmade_dir() / "data.tsv").string()) + " --out " +
                     quote((tmp.path() / "out").string());
  RunResult r = run_byt5(tmp, args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("reminder           2  0.0000  0.0000  1.0000  1.0000  1.0000  0.5556  0.7143  0.0000  0.0000"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("weather            6  0.1667  0.3333  0.8333  0.6667  0.8000  0.6667  0.7273  0.5000  0.5000"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("overall            8  0.1250  0.2500  0.8750  0.7500  0.8500  0.6296  0.7234  0.3750  0.3750"),
            std::string::npos) << r.out;

  nlohmann::json m = nlohmann::json::parse(slurp(tmp.path() / "out" / "metrics.json"));
  EXPECT_DOUBLE_EQ(m["overall"]["exact_match"].get<double>(), 0.125);
  EXPECT_DOUBLE_EQ(m["overall"]["bracket_precision"].get<double>(), 0.85);
  EXPECT_NEAR(m["overall"]["bracket_f1"].get<double>(), 34.0 / 47, 1e-12);
  EXPECT_DOUBLE_EQ(m["domains"]["reminder"]["bracket_recall"].get<double>(), 5.0 / 9);
  EXPECT_DOUBLE_EQ(m["domains"]["weather"]["exact_match_canonical"].get<double>(), 0.5);
  EXPECT_FALSE(m.contains("eval_loss"));

  std::string preds = slurp(tmp.path() / "out" / "predictions.tsv");
  std::istringstream lines(preds);
  std::string line, correct;
  std::getline(lines, line);
  EXPECT_EQ(line, "domain\tutterance\tgold\tprediction\tcorrect");
  while (std::getline(lines, line)) correct += line.substr(line.rfind('\t') + 1);
  EXPECT_EQ(correct, "10000000");

  // Its own predictions.tsv scores the same.
  RunResult again = run_byt5(tmp, "eval --predictions " + quote((tmp.path() / "out" / "predictions.tsv").string()) +
                                      " --data " + quote((handmade_dir() / "data.tsv").string()));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
}

TEST(EvalCli, Limit) {
  BYT5_REQUIRE_BINARY();
  TempDir tmp;
  RunResult r = run_byt5(tmp, "eval --limit 3 --predictions " +
                                  quote((handmade_dir() / "predictions.tsv").string()) + " --data " +
                                  quote((handmade_dir() / "data.tsv").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("overall            3  0.3333  0.6667  1.0000  1.0000"), std::string::npos) << r.out;
}

TEST(EvalCli, GoldAgainstGoldIsOneEverywhere) {
  BYT5_REQUIRE_BINARY();
  BYT5_REQUIRE_TOPV2();
  TempDir tmp;
  auto rows = data::load_examples({byt5::testing::topv2_dir()}, data::Selection{});
  std::string preds = "domain\tprediction\n";
  for (const auto& e : rows) preds += e.domain + "\t" + e.parse + "\n";
  auto pfile = tmp.write("gold.tsv", preds);
  RunResult r = run_byt5(tmp, "eval --predictions " + quote(pfile.string()) + " --data " +
                                  quote(byt5::testing::topv2_dir().string()) + " --split eval --out " +
                                  quote((tmp.path() / "out").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  std::cout << r.out;
  nlohmann::json m = nlohmann::json::parse(slurp(tmp.path() / "out" / "metrics.json"));
  EXPECT_EQ(m["overall"]["rows"], 17160);
  EXPECT_EQ(m["domains"].size(), 8u);
  auto all_one = [](const nlohmann::json& t, const std::string& where) {
    for (const auto& [key, v] : t.items()) {
      if (key != "rows" && key != "counts") {
        EXPECT_EQ(v.get<double>(), 1.0) << where << " " << key;
      }
    }
  };
  all_one(m["overall"], "overall");
  for (const auto& [name, t] : m["domains"].items()) all_one(t, name);
  // Every table line: 9 times 1.0000.
  std::istringstream lines(r.out);
  std::string line;
  int table_lines = 0;
  while (std::getline(lines, line)) {
    if (line.find("1.0000") == std::string::npos) continue;
    ++table_lines;
    size_t ones = 0;
    for (size_t p = line.find("1.0000"); p != std::string::npos; p = line.find("1.0000", p + 1)) ++ones;
    EXPECT_EQ(ones, 9u) << line;
  }
  EXPECT_EQ(table_lines, 9);
}

TEST(EvalCli, ExitCodes) {
  BYT5_REQUIRE_BINARY();
  TempDir tmp;
  std::string data = quote((handmade_dir() / "data.tsv").string());
  std::string preds = quote((handmade_dir() / "predictions.tsv").string());
  EXPECT_EQ(run_byt5(tmp, "eval --predictions " + preds).status, 2);  // no --data
  EXPECT_EQ(run_byt5(tmp, "eval --model x --predictions " + preds + " --data " + data).status, 2);
  EXPECT_EQ(run_byt5(tmp, "eval --limit 0 --predictions " + preds + " --data " + data).status, 2);
  EXPECT_EQ(run_byt5(tmp, "eval --batch-size 0 --predictions " + preds + " --data " + data).status, 2);

  RunResult missing = run_byt5(tmp, "eval --predictions " + preds + " --data " +
                                        quote((tmp.path() / "nope.tsv").string()));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("byt5: error: "), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("nope.tsv: no such file or directory"), std::string::npos) << missing.err;

  auto short_preds = tmp.write("short.tsv", "prediction\n[IN:A ]\n");
  RunResult wrong = run_byt5(tmp, "eval --predictions " + quote(short_preds.string()) + " --data " + data);
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.err.find("1 predictions for 8 data rows"), std::string::npos) << wrong.err;
}

}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {

// Running a model: eval loss overall and per domain, each the token-weighted mean cross-entropy,
// so one domain's figure equals the overall figure of an eval restricted to that domain.
TEST(EvalCli, ModelLossPerDomain) {
  testing::TempDir tmp;
  const std::string base = "eval --model " + test::quote((test::fixtures() / "hf-tiny").string()) + " --data " +
                           test::quote((testing::handmade_dir() / "data.tsv").string()) + " --max-new-tokens 4";
  auto all = test::run_byt5(base + " --out " + test::quote((tmp.path() / "all").string()));
  ASSERT_EQ(all.status, 0) << all.err;
  auto weather = test::run_byt5(base + " --domain weather --out " + test::quote((tmp.path() / "w").string()));
  ASSERT_EQ(weather.status, 0) << weather.err;
  auto m = test::read_json(tmp.path() / "all" / "metrics.json");
  auto w = test::read_json(tmp.path() / "w" / "metrics.json");
  ASSERT_TRUE(m["eval_loss_by_domain"].contains("reminder"));
  EXPECT_NEAR(m["eval_loss_by_domain"]["weather"].get<double>(), w["eval_loss"].get<double>(), 1e-9);
  const double lo = std::min(m["eval_loss_by_domain"]["weather"].get<double>(), m["eval_loss_by_domain"]["reminder"].get<double>());
  const double hi = std::max(m["eval_loss_by_domain"]["weather"].get<double>(), m["eval_loss_by_domain"]["reminder"].get<double>());
  EXPECT_GE(m["eval_loss"].get<double>(), lo);
  EXPECT_LE(m["eval_loss"].get<double>(), hi);
  EXPECT_NE(all.out.find("weather "), std::string::npos) << all.out;
}

}  // namespace
}  // namespace byt5

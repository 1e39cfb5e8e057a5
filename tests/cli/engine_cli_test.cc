// `byt5 generate --ids` and `byt5 score` against the Hugging Face fixtures, through the binary.
#include <sstream>

#include "cli_util.h"

namespace byt5 {
namespace {

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

class EngineCli : public ::testing::TestWithParam<std::string> {};

TEST_P(EngineCli, GenerateIdsReproducesGreedyFixture) {
  auto dir = test::fixtures() / GetParam();
  auto outputs = test::read_json(dir / test::read_json(dir / "fixture.json")["outputs"].get<std::string>());
  std::string input;
  std::vector<nlohmann::json> cases;
  for (const auto& c : outputs["cases"]) {
    std::string u = c["utterance"];
    if (u.find('\n') != std::string::npos) continue;  // stdin is line-based
    input += u + "\n";
    cases.push_back(c);
  }
  auto r = test::run_byt5("generate --ids --max-new-tokens 64 --batch-size 5 --model " + test::quote(dir.string()), input);
  ASSERT_EQ(r.status, 0);
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    std::istringstream in(lines[i]);
    std::vector<int> ours;
    for (int id; in >> id;) ours.push_back(id);
    auto seq = cases[i]["greedy"]["sequence"].get<std::vector<int>>();
    auto margins = cases[i]["greedy"]["step_margin_top1_top2"].get<std::vector<float>>();
    size_t k = 0;
    for (; k + 1 < seq.size() && k < ours.size(); ++k) {
      EXPECT_EQ(ours[k], seq[k + 1]) << cases[i]["name"] << " step " << k;
      if (margins[k] < 1e-3f) break;  // near-tie: either token is fine from here on
    }
    if (k + 1 == seq.size()) {
      EXPECT_EQ(ours.size(), seq.size() - 1) << cases[i]["name"];
    }
  }
}

TEST_P(EngineCli, ScoreReproducesLosses) {
  auto dir = test::fixtures() / GetParam();
  auto outputs = test::read_json(dir / test::read_json(dir / "fixture.json")["outputs"].get<std::string>());
  std::string input;
  std::vector<double> ref;
  for (const auto& c : outputs["cases"]) {
    std::string u = c["utterance"], t = c["target"];
    if (u.find_first_of("\t\n\r") != std::string::npos || t.find_first_of("\t\n\r") != std::string::npos) continue;
    input += u + "\t" + t + "\n";
    ref.push_back(c["teacher_forced"]["loss"].get<double>());
  }
  auto r = test::run_byt5("score --model " + test::quote(dir.string()), input);
  ASSERT_EQ(r.status, 0);
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    EXPECT_GE(lines[i].size(), 8u) << "at least 7 significant digits";
    EXPECT_NEAR(std::stod(lines[i]), ref[i], 1e-5 * ref[i]) << "line " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, EngineCli, ::testing::Values("hf-tiny", "hf-tiny-asym"),
                         [](const auto& info) { return info.param == "hf-tiny" ? std::string("tiny") : std::string("asym"); });

TEST(Cli, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(test::run_byt5("").status, 2);
  EXPECT_EQ(test::run_byt5("no-such-command").status, 2);
  EXPECT_EQ(test::run_byt5("generate").status, 2);  // --model is required
  EXPECT_EQ(test::run_byt5("generate --model /nonexistent/dir").status, 2);
  EXPECT_EQ(test::run_byt5("generate --batch-size 0 --model " + test::quote((test::fixtures() / "hf-tiny").string())).status, 2);
  for (const char* beams : {"--beams 0", "--beams 65", "--beams x"})
    EXPECT_EQ(test::run_byt5(std::string("parse ") + beams + " --model " + test::quote((test::fixtures() / "hf-tiny").string()), "hi\n").status, 2) << beams;
  for (const char* cmd : {"--help", "generate --help", "score --help", "parse --help", "eval --help"}) {
    auto r = test::run_byt5(cmd);
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(Cli, RuntimeErrorsExitOneWithMessage) {
  test::TempDir dir;
  test::write_file(dir.path() / "config.json", "{ not json");
  auto r = test::run_byt5("generate --model " + test::quote(dir.path().string()), "hi\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("config.json"), std::string::npos) << r.err;
  // score needs a tab on every line.
  r = test::run_byt5("score --model " + test::quote((test::fixtures() / "hf-tiny").string()), "no tab here\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("line 1"), std::string::npos) << r.err;
  // parse refuses invalid UTF-8 input.
  r = test::run_byt5("parse --model " + test::quote((test::fixtures() / "hf-tiny").string()), "bad \xff byte\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("UTF-8"), std::string::npos) << r.err;
}

TEST(Cli, OversizeInputIsRefused) {
  auto r = test::run_byt5("generate --model " + test::quote((test::fixtures() / "hf-tiny").string()),
                          std::string(5000, 'a') + "\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("limit"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {

// The random fixture model never emits a valid tree: --json must still print one object per line.
TEST(Cli, ParseJsonPrintsOneObjectPerInput) {
  auto r = test::run_byt5("parse --json --max-new-tokens 16 --model " + test::quote((test::fixtures() / "hf-tiny").string()),
                          "set an alarm for 7am\nwhat's the weather\n");
  ASSERT_EQ(r.status, 0);
  std::istringstream in(r.out);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_FALSE(j["valid"].get<bool>());
    EXPECT_TRUE(j.contains("error"));
    ++n;
  }
  EXPECT_EQ(n, 2);
}

}  // namespace
}  // namespace byt5

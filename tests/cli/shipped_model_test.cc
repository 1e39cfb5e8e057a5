// The model that ships in models/default: what the quick start runs. These are behaviour checks of
// the committed artifact (hand-checked parses of everyday requests), not of the code alone.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "top/tree.h"

namespace byt5::test {
namespace {

namespace fs = std::filesystem;

fs::path shipped() { return fs::path(BYT5_TEST_FIXTURES).parent_path().parent_path() / "models" / "default"; }

TEST(ShippedModel, IsACompleteSmallModelDirectory) {
  for (const char* f : {"config.json", "model.safetensors", "added_tokens.json", "labels.json", "README.md"})
    EXPECT_TRUE(fs::exists(shipped() / f)) << f;
  std::uintmax_t total = 0;
  for (const auto& e : fs::directory_iterator(shipped())) total += fs::file_size(e.path());
  EXPECT_LE(total, 40u << 20);
  // Every added token is an intent or slot label that the label inventory knows.
  const auto added = read_json(shipped() / "added_tokens.json");
  const auto labels = read_json(shipped() / "labels.json");
  std::set<std::string> known;
  for (const char* kind : {"intents", "slots"})
    for (const auto& l : labels[kind]) known.insert(std::string(1, '[').append(l.get<std::string>()));
  for (const auto& [text, id] : added.items()) EXPECT_TRUE(known.count(text)) << text;
}

TEST(ShippedModel, QuickStartSentenceWithoutModelFlag) {
  auto r = run_byt5("parse \"set an alarm for 7am\"", "", "BYT5_MODEL=");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("note:"), std::string::npos) << r.err;  // no fallback to the test model
  // TOPv2 parses split "7am" into "7 am", as its annotators tokenized the request.
  EXPECT_EQ(r.out, "[IN:CREATE_ALARM set an alarm [SL:DATE_TIME for 7 am ] ]\n");
}

TEST(ShippedModel, EverydayRequests) {
  auto r = run_byt5("parse --json", "what's the weather in Paris tomorrow\nremind me to call mom at 5pm\n", "BYT5_MODEL=");
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto weather = nlohmann::json::parse(line);
  EXPECT_TRUE(weather["valid"].get<bool>()) << line;
  EXPECT_EQ(weather["intent"]["label"], "GET_WEATHER") << line;
  ASSERT_TRUE(std::getline(lines, line));
  auto reminder = nlohmann::json::parse(line);
  EXPECT_TRUE(reminder["valid"].get<bool>()) << line;
  EXPECT_EQ(reminder["intent"]["label"], "CREATE_REMINDER") << line;
}

// Requests on which plain greedy decoding of a shipped model looped or dropped words (found in the
// eval split; "change song the song on my alarm" and "how much longer is this  alarm" still loop):
// decoding constrained to trees still gives a well-formed tree whose words spell the request, and
// one request at a time (draft-and-verify) gives what a batch gives; beam search, too, keeps to
// such trees.
TEST(ShippedModel, ConstrainedParsesAreTreesOverTheRequest) {
  const std::vector<std::string> requests{"Delete all alarms after Christmas", "set alarm for 4:30 am for wednesday",
                                          "change song the song on my alarm", "how much longer is this  alarm",
                                          "Set alarm for tomorrow for 7 am", "set MWF alarm for 6:30am"};
  std::string input;
  for (const auto& q : requests) input += q + "\n";
  auto batched = run_byt5("parse --beams 1 --batch-size 16", input, "BYT5_MODEL=");
  auto single = run_byt5("parse --beams 1 --batch-size 1", input, "BYT5_MODEL=");
  auto beams = run_byt5("parse --beams 4", input, "BYT5_MODEL=");
  ASSERT_EQ(batched.status, 0) << batched.err;
  ASSERT_EQ(single.status, 0) << single.err;
  ASSERT_EQ(beams.status, 0) << beams.err;
  EXPECT_EQ(batched.out, single.out);
  for (const std::string& out : {batched.out, beams.out}) {
    std::istringstream lines(out);
    for (const auto& q : requests) {
      std::string line;
      ASSERT_TRUE(std::getline(lines, line));
      top::ParseResult tree = top::parse_tree(line);
      ASSERT_TRUE(tree.ok()) << q << " -> " << line << ": " << tree.error.message();
      std::string words, want;
      for (const top::Node* w : top::tokens_of(*tree.root)) words += w->label;
      for (char c : q)
        if (c != ' ') want += c;
      EXPECT_EQ(words, want) << q << " -> " << line;
    }
  }
}

}  // namespace
}  // namespace byt5::test

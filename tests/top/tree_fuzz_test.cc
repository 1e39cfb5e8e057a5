// Fuzz-style checks: random, spliced and truncated strings through the parser, the printer, the
// JSON output and the metrics. Nothing may crash or hang; a string that parses must print back
// to a string that parses to the same tree, and must score perfectly against itself.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "top/json.h"
#include "top/metrics.h"
#include "top/tree.h"

namespace byt5::top {
namespace {

const char* const kSeeds[] = {
    "[IN:CREATE_ALARM set an alarm [SL:DATE_TIME for 7am ] ]",
    "[IN:GET_WEATHER what 's the weather [SL:LOCATION in Paris ] [SL:DATE_TIME today ] ]",
    "[IN:CREATE_REMINDER remind [SL:PERSON_REMINDED me ] to [SL:TODO [IN:GET_TODO call "
    "[SL:ATTENDEE mom ] ] ] [SL:DATE_TIME at 5 pm ] ]",
    "[IN:CREATE_ALARM set alarms [SL:DATE_TIME for 30,32 ] [SL:DATE_TIME ] and [SL:DATE_TIME 35 "
    "minutes ] ]",
};

// Checks everything downstream of the parser on one string.
void exercise(const std::string& s) {
  ParseResult r = parse_tree(s);
  std::string utterance = s.substr(0, s.size() / 2);
  nlohmann::json j = tree_to_json(utterance, s);
  EXPECT_NO_THROW((void)j.dump());
  EXPECT_EQ(j["valid"].get<bool>(), r.ok());
  if (!r.ok()) {
    EXPECT_LE(r.error.offset, s.size());
    EXPECT_FALSE(r.error.reason.empty());
    return;
  }
  std::string canon = to_string(*r.root);
  ParseResult again = parse_tree(canon);
  ASSERT_TRUE(again.ok()) << canon;
  EXPECT_EQ(to_string(*again.root), canon);
  RowScore self = score_row(*r.root, s, s);
  EXPECT_TRUE(self.exact_match && self.valid && self.top_intent && self.frame &&
              self.exact_match_canonical);
  EXPECT_EQ(self.brackets_matched, self.brackets_gold);
  EXPECT_EQ(self.brackets_predicted, self.brackets_gold);
  // Also as a prediction against an unrelated gold.
  Node gold = parse_tree_or_throw(kSeeds[0]);
  RowScore other = score_row(gold, kSeeds[0], s);
  EXPECT_LE(other.brackets_matched, other.brackets_predicted);
  EXPECT_LE(other.brackets_matched, other.brackets_gold);
}

TEST(TopTreeFuzz, EveryPrefixAndDeletionOfValidParses) {
  for (const char* seed : kSeeds) {
    std::string s = seed;
    ASSERT_TRUE(parse_tree(s).ok()) << s;
    for (size_t n = 0; n < s.size(); ++n) {
      std::string prefix = s.substr(0, n);
      // Only whitespace may be cut from the end of a valid tree.
      EXPECT_FALSE(parse_tree(prefix).ok()) << prefix;
      exercise(prefix);
    }
    for (size_t i = 0; i < s.size(); ++i) exercise(s.substr(0, i) + s.substr(i + 1));
  }
}

TEST(TopTreeFuzz, RandomPieces) {
  // Strings built from the format's own pieces reach deep into the parser's states.
  const std::vector<std::string> pieces = {
      "[IN:A ", "[SL:B ", "[IN:GET_X ", "[SL:", "[IN:", "[", "]", " ] ", " ", "\t", "\n", "x",
      "7am", "'s", "\xFF", std::string(1, '\0'), "\xC3\xA9", "]]", "[[", "IN:A", "a]", "[a"};
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    exercise(s);
  }
}

TEST(TopTreeFuzz, RandomValidTreesRoundTrip) {
  // Grow random valid trees, print them with random whitespace, parse them back.
  std::mt19937 rng(777);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    std::vector<bool> stack;  // true: intent
    s += "[IN:R";
    stack.push_back(true);
    while (!stack.empty()) {
      s += (rng() % 4 == 0) ? "  \t" : " ";
      unsigned roll = rng() % 10;
      if (roll < 4) {
        s += 'w';
        s += std::to_string(rng() % 50);
      } else if (roll < 6 && stack.size() < 12) {
        bool intent = !stack.back();
        s += intent ? "[IN:I" : "[SL:S";
        s += std::to_string(rng() % 5);
        stack.push_back(intent);
      } else {
        s += "]";
        stack.pop_back();
      }
    }
    ParseResult r = parse_tree(s);
    ASSERT_TRUE(r.ok()) << s << "\n" << r.error.message();
    exercise(s);
  }
}

TEST(TopTreeFuzz, RandomBytes) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    exercise(s);
  }
}

}  // namespace
}  // namespace byt5::top

// Against the real TOPv2 release (skipped without it): every gold parse is a valid tree, scores
// 1.0 against itself on every metric, and its JSON spans point at the right characters.
#include <gtest/gtest.h>

#include "data/topv2.h"
#include "test_paths.h"
#include "top/evaluate.h"
#include "top/json.h"
#include "top/labels.h"
#include "top/utf8.h"

namespace byt5::top {
namespace {

std::vector<data::Example> split(const std::string& name) {
  return data::load_examples({byt5::testing::topv2_dir()}, data::Selection{name, {}});
}

void expect_perfect(const MetricTotals& t, const std::string& where) {
  nlohmann::json j = t.to_json();
  for (const char* key : {"exact_match", "exact_match_ws", "tree_validity", "top_intent_accuracy",
                          "bracket_precision", "bracket_recall", "bracket_f1", "frame_accuracy",
                          "exact_match_canonical"})
    EXPECT_EQ(j[key].get<double>(), 1.0) << where << " " << key;
}

TEST(TopGold, EvalSplitScoresOneAgainstItself) {
  BYT5_REQUIRE_TOPV2();
  auto rows = split("eval");
  ASSERT_EQ(rows.size(), 17160u);
  std::vector<std::string> gold;
  for (const auto& e : rows) gold.push_back(e.parse);
  Evaluation ev = evaluate(rows, gold);
  expect_perfect(ev.board.overall(), "overall");
  EXPECT_EQ(ev.board.domains().size(), 8u);
  for (const auto& [name, t] : ev.board.domains()) expect_perfect(t, name);
}

TEST(TopGold, AllReleaseParsesAreValidAndPrintCanonically) {
  BYT5_REQUIRE_TOPV2();
  std::vector<data::Example> all = split("train");
  for (const auto& p : {std::filesystem::path("low_resource_splits")}) {
    for (const char* s : {"train_10spis", "valid_1000spis"}) {
      auto low = data::load_examples({byt5::testing::topv2_dir() / p}, data::Selection{s, {}});
      all.insert(all.end(), low.begin(), low.end());
    }
  }
  auto eval = split("eval");
  all.insert(all.end(), eval.begin(), eval.end());
  size_t bad = 0, noncanonical = 0;
  for (const auto& e : all) {
    ParseResult r = parse_tree(e.parse);
    if (!r.ok()) {
      if (++bad < 5) ADD_FAILURE() << e.where() << ": " << r.error.message();
      continue;
    }
    noncanonical += to_string(*r.root) != e.parse;
  }
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(noncanonical, 0u);  // the release is already in canonical form
  LabelInventory inv = LabelInventory::from_examples(split("train"));
  EXPECT_EQ(inv.domains().size(), 8u);
  EXPECT_TRUE(inv.contains("IN:CREATE_ALARM"));
  EXPECT_TRUE(inv.contains("SL:DATE_TIME"));
}

// Characters [start, end) of a UTF-8 string.
std::string char_substr(const std::string& s, size_t start, size_t end) {
  std::vector<size_t> begins;  // byte offset of each character
  for (size_t i = 0; i < s.size();) {
    begins.push_back(i);
    size_t n = utf8_sequence_length(s, i);
    i += n ? n : 1;
  }
  begins.push_back(s.size());
  if (start > end || end >= begins.size()) return "<out of range>";
  return s.substr(begins[start], begins[end] - begins[start]);
}

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!is_space(static_cast<unsigned char>(c))) out += c;
  return out;
}

// Checks one JSON node against the utterance and the tree node it came from.
void check_node(const nlohmann::json& j, const Node& n, const data::Example& e, size_t& failures) {
  std::string text = j["text"].get<std::string>();
  std::string words;
  for (const Node* t : tokens_of(n)) words += t->label;
  bool ok = j["start"].is_number() && j["end"].is_number() &&
            char_substr(e.utterance, j["start"].get<size_t>(), j["end"].get<size_t>()) == text &&
            without_spaces(text) == words && j["label"] == std::string(n.name());
  if (!ok && ++failures < 5) ADD_FAILURE() << e.where() << ": bad span for " << n.label << ": " << j.dump();
  const char* kids = n.is_intent() ? "slots" : "intents";
  size_t k = 0;
  for (const Node& c : n.children) {
    if (c.is_token()) continue;
    if (k >= j[kids].size()) {
      ++failures;
      ADD_FAILURE() << e.where() << ": missing child " << c.label;
      return;
    }
    check_node(j[kids][k++], c, e, failures);
  }
}

TEST(TopGold, JsonSpansPointAtTheUtterance) {
  BYT5_REQUIRE_TOPV2();
  size_t failures = 0;
  for (const auto& e : split("eval")) {
    nlohmann::json j = tree_to_json(e.utterance, e.parse);
    ASSERT_TRUE(j["valid"]) << e.where();
    if (!j["aligned"].get<bool>() && ++failures < 5) ADD_FAILURE() << e.where() << " not aligned";
    check_node(j["intent"], parse_tree_or_throw(e.parse), e, failures);
  }
  EXPECT_EQ(failures, 0u);
}

}  // namespace
}  // namespace byt5::top

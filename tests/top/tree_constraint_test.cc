// The TOP tree constraint (top/tree_constraint.h): it accepts every gold parse token by token, and
// rejects, by hand-checked cases, what a well-formed tree over the request cannot hold.
#include "top/tree_constraint.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "data/topv2.h"
#include "decode/token_constraint.h"
#include "io/tokenizer.h"
#include "test_paths.h"

namespace byt5::top {
namespace {

int byte(char c) { return Tokenizer::kByteOffset + static_cast<unsigned char>(c); }

// Feeds `ids` through a fresh rule for `request`; returns the index of the first refused id, or -1.
int first_refused(const ConstraintFactory& f, const std::string& request, const std::vector<int>& ids) {
  auto rule = f(request);
  if (!rule) return -2;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!rule->allows(ids[i])) return static_cast<int>(i);
    rule->advance(ids[i]);
  }
  return -1;
}

LabelInventory inventory(const std::vector<std::string>& parses) {
  LabelInventory inv;
  for (const auto& p : parses) inv.add("d", parse_tree_or_throw(p));
  return inv;
}

// Every TOPv2 eval parse, encoded byte by byte and with label tokens, passes the rule of its own
// request, EOS included: constrained decoding never blocks a gold-like path.
TEST(TreeConstraint, AcceptsEveryTopv2EvalParse) {
  BYT5_REQUIRE_TOPV2();
  const auto rows = data::load_examples({testing::topv2_dir()}, data::Selection{"eval", {}});
  ASSERT_GT(rows.size(), 10000u);
  const LabelInventory inv = LabelInventory::from_examples(rows);
  Tokenizer bytes, labels;
  std::map<std::string, int> added;
  for (const auto& l : inv.all().intents) added.emplace("[" + l, Tokenizer::kBaseVocab + static_cast<int>(added.size()));
  for (const auto& l : inv.all().slots) added.emplace("[" + l, Tokenizer::kBaseVocab + static_cast<int>(added.size()));
  labels.add_tokens(added);
  const ConstraintFactory by_byte = tree_constraint(bytes, Tokenizer::kBaseVocab, inv);
  const ConstraintFactory by_byte_any = tree_constraint(bytes, Tokenizer::kBaseVocab, std::nullopt);
  const ConstraintFactory by_label = tree_constraint(labels, labels.vocab_size(), inv);
  for (const auto& r : rows) {
    EXPECT_EQ(first_refused(by_byte, r.utterance, bytes.encode(r.parse)), -1) << r.where() << ": " << r.parse;
    EXPECT_EQ(first_refused(by_byte_any, r.utterance, bytes.encode(r.parse)), -1) << r.where();
    EXPECT_EQ(first_refused(by_label, r.utterance, labels.encode(r.parse)), -1) << r.where() << ": " << r.parse;
  }
}

class TreeConstraintCases : public ::testing::Test {
 protected:
  void SetUp() override {
    tok.add_tokens({{"[IN:CREATE_ALARM", 384}, {"[SL:DATE_TIME", 385}, {"[SL:UNKNOWN_SLOT", 386}, {"<sep>", 387}});
    // Grammar: depth 2 at most, one empty node per parse at most.
    f = tree_constraint(tok, 388, inventory({"[IN:CREATE_ALARM [SL:DATE_TIME x ] ]", "[IN:GET_TIME [SL:AMOUNT y ] ]",
                                             "[IN:CREATE_ALARM [SL:DATE_TIME ] z ]"}));
    rule = f("set alarm for 7am");
  }
  void feed(const std::string& bytes) {
    for (char c : bytes) {
      ASSERT_TRUE(rule->allows(byte(c))) << "'" << c << "' refused";
      rule->advance(byte(c));
    }
  }
  void feed_id(int id) {
    ASSERT_TRUE(rule->allows(id)) << id;
    rule->advance(id);
  }
  static constexpr int kIntent = 384, kSlot = 385, kUnknownSlot = 386, kOther = 387;
  Tokenizer tok;
  ConstraintFactory f;
  std::unique_ptr<TokenConstraint> rule;
};

TEST_F(TreeConstraintCases, TheRootIsAnIntent) {
  EXPECT_TRUE(rule->allows(kIntent));
  EXPECT_TRUE(rule->allows(byte('[')));
  for (int id : {kSlot, kUnknownSlot, kOther, byte('s'), byte(' '), byte(']'), Tokenizer::kEos, Tokenizer::kPad, 259})
    EXPECT_FALSE(rule->allows(id)) << id;
  feed("[");
  EXPECT_FALSE(rule->allows(byte('S')));  // a slot cannot be the root
  feed("IN:CREATE");
  EXPECT_FALSE(rule->allows(byte('X')));  // no inventory label starts IN:CREATEX
  EXPECT_FALSE(rule->allows(byte(' ')));  // IN:CREATE is not a label of the inventory
  feed("_ALARM ");
  EXPECT_FALSE(rule->allows(kIntent));    // an intent cannot hold an intent
  EXPECT_TRUE(rule->allows(kSlot));
  EXPECT_FALSE(rule->allows(kUnknownSlot));  // outside the inventory
}

TEST_F(TreeConstraintCases, WordsCopyTheRequestAndOnlySpacingMayChange) {
  feed_id(kIntent);
  EXPECT_FALSE(rule->allows(byte(' ')));  // no space after a label
  EXPECT_FALSE(rule->allows(byte('x')));
  feed("set");
  EXPECT_FALSE(rule->allows(byte('s')));  // the request goes on with " alarm"
  EXPECT_FALSE(rule->allows(byte(']')));  // a bracket needs a space before it
  feed(" ");
  EXPECT_FALSE(rule->allows(byte(' ')));  // one space between items
  EXPECT_FALSE(rule->allows(byte(']')));  // the root cannot close before every word is copied
  EXPECT_FALSE(rule->allows(Tokenizer::kEos));
  feed("alarm");
  feed_id(kSlot);
  feed("for 7 am ]");                      // "7am" may be split
  EXPECT_FALSE(rule->allows(byte('x')));
  EXPECT_FALSE(rule->allows(byte(']')));  // needs a space after the previous bracket
  EXPECT_FALSE(rule->allows(Tokenizer::kEos));
  feed(" ]");
  EXPECT_TRUE(rule->allows(Tokenizer::kEos));
  for (int id : {byte(' '), byte(']'), byte('a'), kSlot, kIntent}) EXPECT_FALSE(rule->allows(id)) << id;
}

TEST_F(TreeConstraintCases, WordsSplitOnlyWhereTopv2SplitsThem) {
  rule = f("set 12:30am alarm's éclair");
  feed_id(kIntent);
  feed("se");
  EXPECT_FALSE(rule->allows(byte(' ')));  // inside a run of letters
  EXPECT_FALSE(rule->allows(kSlot));      // a label token would split it too
  feed("t 1");
  EXPECT_FALSE(rule->allows(byte(' ')));  // inside a number
  feed("2 : 30 am alarm 's ");            // digit|punct, punct|digit, digit|letter, letter|punct
  feed("\xC3");
  EXPECT_FALSE(rule->allows(byte(' ')));  // inside a UTF-8 character
  feed("\xA9" "clair ]");
  EXPECT_TRUE(rule->allows(Tokenizer::kEos));
}

TEST_F(TreeConstraintCases, InnerNodesCloseAnytimeAndOneMayBeEmpty) {
  feed_id(kIntent);
  feed_id(kSlot);
  EXPECT_TRUE(rule->allows(byte(']')));  // an empty slot (TOPv2 has 17, never two in a parse)
  feed("]");
  EXPECT_FALSE(rule->allows(byte('s')));
  EXPECT_TRUE(rule->allows(kSlot));       // a label token brings its own spacing
  feed_id(kSlot);
  EXPECT_FALSE(rule->allows(byte(']')));  // a second empty node: more than any training parse has
  feed("set alarm for 7am ] ");
  EXPECT_FALSE(rule->allows(kSlot));      // no word left to fill it, and no empty node allowed
  EXPECT_FALSE(rule->allows(byte('[')));
  feed("]");
  EXPECT_TRUE(rule->allows(Tokenizer::kEos));
}

TEST_F(TreeConstraintCases, NodesNestNoDeeperThanInTraining) {
  feed_id(kIntent);
  feed("set ");
  feed_id(kSlot);
  EXPECT_FALSE(rule->allows(byte('[')));  // depth 3: the fixture's parses reach 2
  EXPECT_FALSE(rule->allows(kIntent));
  auto deeper = tree_constraint(tok, 388, inventory({"[IN:CREATE_ALARM [SL:DATE_TIME [IN:CREATE_ALARM x ] ] ]"}))("a");
  deeper->advance(kIntent);
  deeper->advance(kSlot);
  EXPECT_TRUE(deeper->allows(kIntent));
}

// The fixture's grammar: IN:CREATE_ALARM holds SL:DATE_TIME, IN:GET_TIME holds SL:AMOUNT, and
// neither slot holds an intent.
TEST_F(TreeConstraintCases, LabelsOnlyWhereTheGrammarHasThem) {
  feed("[IN:");
  EXPECT_TRUE(rule->allows(byte('G')));   // IN:GET_TIME heads parses too
  feed("CREATE_ALARM ");
  EXPECT_TRUE(rule->allows(kSlot));
  feed("[SL:");
  EXPECT_TRUE(rule->allows(byte('D')));
  EXPECT_FALSE(rule->allows(byte('A')));  // SL:AMOUNT only sits under IN:GET_TIME
  feed("DATE_TIME ");
  EXPECT_FALSE(rule->allows(byte('[')));  // nothing goes under SL:DATE_TIME
  EXPECT_FALSE(rule->allows(kIntent));

  auto free_rule = tree_constraint(tok, 388, inventory({"[IN:GET_TIME [SL:AMOUNT y ] ]"}))("x");
  EXPECT_FALSE(free_rule->allows(kIntent));  // IN:CREATE_ALARM does not head a parse here
}

TEST_F(TreeConstraintCases, ARefusedTokenSwitchesTheRuleOff) {
  rule->advance(byte('x'));  // what decoding does when the rule allowed nothing
  for (int id : {byte('x'), kOther, Tokenizer::kEos, kSlot}) EXPECT_TRUE(rule->allows(id)) << id;
}

TEST_F(TreeConstraintCases, RequestsWithBracketsAreLeftFree) {
  EXPECT_EQ(f("press [enter]"), nullptr);
  EXPECT_NE(f(""), nullptr);
  auto empty = f("");
  empty->advance(kIntent);
  EXPECT_TRUE(empty->allows(byte(']')));  // nothing to copy: the root may close at once
}

TEST_F(TreeConstraintCases, AClonedRuleGoesOnOnItsOwn) {
  feed_id(kIntent);
  feed("set");
  std::unique_ptr<TokenConstraint> copy = rule->clone();
  copy->advance(byte(' '));
  EXPECT_FALSE(copy->allows(byte(' ')));  // the copy has its space ...
  EXPECT_TRUE(rule->allows(byte(' ')));   // ... the original does not
  EXPECT_FALSE(rule->allows(byte('[')));  // a bracket needs a space before it
  EXPECT_TRUE(copy->allows(byte('[')));
  feed(" alarm");                          // the original goes on unaffected by the copy
  EXPECT_TRUE(copy->allows(byte('a')));
  EXPECT_FALSE(copy->allows(byte('f')));
}

TEST_F(TreeConstraintCases, TokensBeyondTheVocabularyAreNeverAllowed) {
  EXPECT_FALSE(rule->allows(388));
  EXPECT_FALSE(rule->allows(-1));
  EXPECT_FALSE(rule->allows(100000));
}

TEST(PickToken, TakesTheBestAllowedTokenOrTheArgmaxWhenNoneIs) {
  struct OnlyEven : TokenConstraint {
    bool allows(int t) const override { return t % 2 == 0; }
    void advance(int) override {}
    std::unique_ptr<TokenConstraint> clone() const override { return std::make_unique<OnlyEven>(*this); }
  };
  struct Nothing : TokenConstraint {
    bool allows(int) const override { return false; }
    void advance(int) override {}
    std::unique_ptr<TokenConstraint> clone() const override { return std::make_unique<Nothing>(*this); }
  };
  const std::vector<float> logits{0.5f, 3.0f, 2.0f, 2.5f, 2.0f};
  OnlyEven even;
  Nothing nothing;
  EXPECT_EQ(pick_token(logits.data(), 5, nullptr), 1);
  EXPECT_EQ(pick_token(logits.data(), 5, &even), 2);  // ties go to the lower id
  EXPECT_EQ(pick_token(logits.data(), 5, &nothing), 1);
}

}  // namespace
}  // namespace byt5::top

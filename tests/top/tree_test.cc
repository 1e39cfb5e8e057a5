// The TOP tree parser: structure, canonical printing, and every validation error with its byte
// offset.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "top/tree.h"

namespace byt5::top {
namespace {

TEST(TopTree, ParsesIntentsSlotsAndTokens) {
  ParseResult r = parse_tree("[IN:CREATE_ALARM set an alarm [SL:DATE_TIME for 7am ] ]");
  ASSERT_TRUE(r.ok()) << r.error.message();
  const Node& root = *r.root;
  EXPECT_TRUE(root.is_intent());
  EXPECT_EQ(root.label, "IN:CREATE_ALARM");
  EXPECT_EQ(root.name(), "CREATE_ALARM");
  ASSERT_EQ(root.children.size(), 4u);
  EXPECT_EQ(root.children[0].label, "set");
  EXPECT_EQ(root.children[0].offset, 17u);
  const Node& slot = root.children[3];
  EXPECT_TRUE(slot.is_slot());
  EXPECT_EQ(slot.name(), "DATE_TIME");
  EXPECT_EQ(slot.offset, 30u);
  ASSERT_EQ(slot.children.size(), 2u);
  EXPECT_EQ(slot.children[1].label, "7am");
  std::vector<const Node*> toks = tokens_of(root);
  ASSERT_EQ(toks.size(), 5u);
  EXPECT_EQ(toks[4]->label, "7am");
}

TEST(TopTree, NestedIntentInsideSlot) {
  Node t = parse_tree_or_throw(
      "[IN:CREATE_REMINDER remind me to [SL:TODO [IN:GET_TODO call [SL:ATTENDEE mom ] ] ] ]");
  const Node& todo = t.children.back();
  ASSERT_TRUE(todo.is_slot());
  ASSERT_EQ(todo.children.size(), 1u);
  EXPECT_TRUE(todo.children[0].is_intent());
  EXPECT_EQ(todo.children[0].label, "IN:GET_TODO");
}

TEST(TopTree, CanonicalPrintNormalisesWhitespace) {
  Node t = parse_tree_or_throw("\n  [IN:A   a\tb [SL:B_2  c ]\r\n]  ");
  EXPECT_EQ(to_string(t), "[IN:A a b [SL:B_2 c ] ]");
  EXPECT_EQ(to_string(parse_tree_or_throw(to_string(t))), to_string(t));
}

TEST(TopTree, EmptyNodesAreValid) {
  // TOPv2 has 41 such slots, e.g. alarm_train.tsv:3071.
  Node t = parse_tree_or_throw("[IN:A x [SL:B ] y ]");
  EXPECT_EQ(to_string(t), "[IN:A x [SL:B ] y ]");
  EXPECT_EQ(to_string(parse_tree_or_throw("[IN:A ]")), "[IN:A ]");
}

TEST(TopTree, TokensMayBeAnyBytesButBrackets) {
  Node t = parse_tree_or_throw("[IN:A caf\xC3\xA9 \xFF \" 's 7am. ]");
  EXPECT_EQ(t.children.size(), 5u);
}

TEST(TopTree, ValidLabels) {
  EXPECT_TRUE(is_valid_label("IN:GET_WEATHER"));
  EXPECT_TRUE(is_valid_label("SL:DATE_TIME_2"));
  EXPECT_FALSE(is_valid_label("IN:"));
  EXPECT_FALSE(is_valid_label("XX:A"));
  EXPECT_FALSE(is_valid_label("IN:a"));
  EXPECT_FALSE(is_valid_label("SL:A-B"));
}

struct BadCase {
  const char* text;
  size_t offset;
  const char* reason;  // a substring of the reason
};

TEST(TopTree, ErrorsGiveOffsetAndReason) {
  const BadCase cases[] = {
      {"", 0, "empty parse"},
      {"   \n", 4, "empty parse"},
      {"hello [IN:A ]", 0, "text 'hello' before the root intent"},
      {"[SL:A a ]", 0, "the root must be an intent, found '[SL:A'"},
      {"[IN:A a", 7, "unclosed '[IN:A' opened at byte 0"},
      {"[IN:A [SL:B b ]", 15, "unclosed '[IN:A' opened at byte 0"},
      {"[IN:A [SL:B b", 13, "unclosed '[SL:B' opened at byte 6"},
      {"[IN:A a ] ]", 10, "']' after the root intent closed"},
      {"[IN:A a ] [IN:B b ]", 10, "one root only"},
      {"[IN:A a ] b", 10, "text 'b' after the root intent closed"},
      {"]", 0, "']' with nothing open"},
      {"[IN:A [IN:B b ] ]", 6, "intent 'IN:B' directly inside intent 'IN:A'"},
      {"[IN:A [SL:B [SL:C c ] ] ]", 12, "slot 'SL:C' directly inside slot 'SL:B'"},
      {"[IN:a b ]", 4, "invalid character 'a' in label"},
      {"[IN:A-B x ]", 5, "invalid character '-' in label"},
      {"[IN:A\xC3\xA9 x ]", 5, "invalid character '\\xC3' in label"},
      {"[IN: b ]", 0, "empty label"},
      {"[XX:A b ]", 0, "unknown node '[XX:A'"},
      {"[ IN:A b ]", 0, "unknown node '['"},
      {"[in:a b ]", 0, "unknown node '[in:a'"},
      {"[IN:A b] ]", 7, "bracket inside the word 'b]'"},
      {"[IN:A a[b ]", 7, "bracket inside the word 'a[b'"},
      {"[IN:A ]]", 6, "bracket inside the word ']]'"},
      {"[IN:A[SL:B b ] ]", 5, "bracket inside the label"},
  };
  for (const BadCase& c : cases) {
    ParseResult r = parse_tree(c.text);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_EQ(r.error.offset, c.offset) << c.text << " -> " << r.error.message();
    EXPECT_NE(r.error.reason.find(c.reason), std::string::npos)
        << c.text << " -> " << r.error.message();
  }
}

TEST(TopTree, ErrorMessageFormat) {
  ParseResult r = parse_tree("[IN:A a ] b");
  EXPECT_EQ(r.error.message(), "byte 10: text 'b' after the root intent closed");
  try {
    parse_tree_or_throw("[IN:A");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid TOP parse: byte 5: unclosed '[IN:A' opened at byte 0 (missing ']')");
  }
}

std::string nested(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += i % 2 ? "[SL:S " : "[IN:I ";
  s += "x";
  for (int i = 0; i < levels; ++i) s += " ]";
  return s;
}

TEST(TopTree, DepthIsBounded) {
  EXPECT_TRUE(parse_tree(nested(kMaxDepth)).ok());
  ParseResult r = parse_tree(nested(kMaxDepth + 1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.reason.find("nesting deeper than"), std::string::npos);
  EXPECT_EQ(r.error.offset, 6u * kMaxDepth);
}

TEST(TopTree, HugeInputsFailFast) {
  // A million opening brackets: rejected at the depth limit, no stack growth.
  std::string deep;
  for (int i = 0; i < 500000; ++i) deep += "[IN:A [SL:B ";
  EXPECT_FALSE(parse_tree(deep).ok());
  // A million tokens in one intent: linear time.
  std::string wide = "[IN:A";
  for (int i = 0; i < 1000000; ++i) wide += " w";
  wide += " ]";
  ParseResult r = parse_tree(wide);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.root->children.size(), 1000000u);
}

}  // namespace
}  // namespace byt5::top

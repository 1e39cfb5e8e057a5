#include "io/tokenizer.h"

#include "core/error.h"
#include "test_util.h"

namespace byt5 {
namespace {

Tokenizer with_labels() {
  Tokenizer t;
  t.add_tokens({{"[IN:CREATE_ALARM", 384}, {"[SL:DATE_TIME", 385}, {"[SL:DATE_TIME_RECURRING", 386}, {"]", 387}});
  return t;
}

TEST(Tokenizer, BytesShiftByThreeAndEndWithEos) {
  Tokenizer t;
  EXPECT_EQ(t.encode("ab"), (std::vector<int>{100, 101, 1}));
  EXPECT_EQ(t.encode(""), (std::vector<int>{1}));
  EXPECT_EQ(t.encode("\xc3\xa9"), (std::vector<int>{0xc3 + 3, 0xa9 + 3, 1}));
  EXPECT_EQ(t.vocab_size(), 384);
}

TEST(Tokenizer, SpecialTokenTextStaysBytesButExtraIdsMatch) {
  Tokenizer t;
  EXPECT_EQ(t.encode("</s>").size(), 5u);  // 4 bytes + EOS
  EXPECT_EQ(t.encode("a <extra_id_0> b"), (std::vector<int>{100, 259, 101, 1}));
  EXPECT_EQ(t.encode("<extra_id_124>"), (std::vector<int>{383, 1}));
}

// The fixture README's worked example: 14 ids, labels matched leftmost-longest, spaces stripped.
TEST(Tokenizer, AddedTokensMatchLeftmostLongestAndStripSpaces) {
  Tokenizer t;
  t.add_tokens({{"[IN:CREATE_ALARM", 384}, {"[SL:DATE_TIME", 385}});
  auto ids = t.encode("[IN:CREATE_ALARM [SL:DATE_TIME for 7am ] ]");
  ASSERT_EQ(ids.size(), 14u);
  EXPECT_EQ(ids[0], 384);
  EXPECT_EQ(ids[1], 385);
  EXPECT_EQ(ids[2], 'f' + 3);
  EXPECT_EQ(ids.back(), 1);
  // A prefix of a label stays bytes; a longer word is label + rest.
  EXPECT_EQ(t.encode("[IN:CREATE_ALAR").size(), 16u);
  auto r = t.encode("[SL:DATE_TIME_RECURRING");
  EXPECT_EQ(r[0], 385);
  EXPECT_EQ(r[1], '_' + 3);
  // Case-sensitive.
  EXPECT_EQ(t.encode("[in:create_alarm").size(), 17u);
}

TEST(Tokenizer, LongestMatchWinsAndUnicodeSpacesAreStripped) {
  Tokenizer t = with_labels();
  EXPECT_EQ(t.encode("[SL:DATE_TIME_RECURRING x")[0], 386);
  // NBSP (U+00A0) and tab count as whitespace, as in Python's str.strip().
  EXPECT_EQ(t.encode("a\xc2\xa0\t[SL:DATE_TIME\xc2\xa0 b"), (std::vector<int>{100, 385, 101, 1}));
}

TEST(Tokenizer, DecodeWritesLabelsBackWithOneSpace) {
  Tokenizer t = with_labels();
  std::string s = "[IN:CREATE_ALARM set alarm [SL:DATE_TIME_RECURRING at 12p every day ] ]";
  EXPECT_EQ(t.decode(t.encode(s)), s);
  std::string s2 = "[IN:CREATE_ALARM [SL:DATE_TIME for 7am ] ]";
  EXPECT_EQ(t.decode(t.encode(s2)), s2);
  // No HF-style clean-up: " 's" and " ." survive.
  Tokenizer plain;
  EXPECT_EQ(plain.decode(plain.encode("what 's up .")), "what 's up .");
}

TEST(Tokenizer, DecodeDropsSpecialsAndInvalidUtf8) {
  Tokenizer t;
  EXPECT_EQ(t.decode({0, 'h' + 3, 2, 'i' + 3, 259, 1}), "hi");
  // 0xff is never valid; a truncated 3-byte sequence is dropped; valid bytes around survive.
  EXPECT_EQ(t.decode({'a' + 3, 0xff + 3, 'b' + 3, 0xe2 + 3, 0x82 + 3}), "ab");
  EXPECT_EQ(t.decode({0xe2 + 3, 0x82 + 3, 0xac + 3}), "\xe2\x82\xac");
  EXPECT_EQ(drop_invalid_utf8("\xed\xa0\x80x"), "x");  // a surrogate is invalid
  EXPECT_EQ(drop_invalid_utf8("\xc0\xafy"), "y");       // overlong
}

TEST(Tokenizer, RoundTripsArbitraryUtf8) {
  Tokenizer t;
  for (std::string s : {"set an alarm for 7am", "réveille-moi à 7h", "напомни мне", "天气怎么样", "⏰ 5 min 🍝", ""})
    EXPECT_EQ(t.decode(t.encode(s)), s);
}

TEST(Tokenizer, RejectsBadAddedTokens) {
  Tokenizer t;
  EXPECT_THROW(t.add_tokens({{"[IN:X", 100}}), Error);
  EXPECT_THROW(t.add_tokens({{"", 400}}), Error);
  EXPECT_THROW(t.add_tokens({{"[IN:X", 400}, {"[IN:Y", 400}}), Error);
  test::TempDir dir;
  test::write_file(dir.path() / "added_tokens.json", "{\"[IN:X\": \"oops\"}");
  EXPECT_THROW(Tokenizer::load(dir.path()), Error);
  test::write_file(dir.path() / "added_tokens.json", "not json");
  try {
    Tokenizer::load(dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("added_tokens.json"), std::string::npos);
  }
  test::write_file(dir.path() / "added_tokens.json", "{\"[IN:X\": 384, \"[SL:Y\": 385}");
  EXPECT_EQ(Tokenizer::load(dir.path()).vocab_size(), 386);
}

}  // namespace
}  // namespace byt5

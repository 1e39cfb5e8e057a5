// Tree-to-JSON and the alignment of re-tokenised parses with the utterance's characters.
#include <gtest/gtest.h>

#include "top/align.h"
#include "top/json.h"
#include "top/utf8.h"

namespace byt5::top {
namespace {

TEST(TopAlign, IgnoresWhitespaceBothWays) {
  auto spans = align_tokens("what's the  weather in 7am.", {"what", "'s", "the", "weather", "in", "7am", "."});
  ASSERT_EQ(spans.size(), 7u);
  for (const auto& s : spans) ASSERT_TRUE(s.has_value());
  EXPECT_EQ(spans[0]->begin, 0u);
  EXPECT_EQ(spans[0]->end, 4u);
  EXPECT_EQ(spans[1]->begin, 4u);
  EXPECT_EQ(spans[1]->end, 6u);
  EXPECT_EQ(spans[3]->begin, 12u);  // two spaces before "weather"
  EXPECT_EQ(spans[5]->begin, 23u);
  EXPECT_EQ(spans[5]->end, 26u);
  EXPECT_EQ(spans[6]->begin, 26u);
  // A parse token may also span utterance whitespace.
  auto joined = align_tokens("7 am", {"7am"});
  ASSERT_TRUE(joined[0]);
  EXPECT_EQ(joined[0]->end, 4u);
}

TEST(TopAlign, ChangedWordsGetNoSpanAndDoNotDerail) {
  auto spans = align_tokens("play songs by adele", {"play", "music", "by", "adele"});
  EXPECT_TRUE(spans[0]);
  EXPECT_FALSE(spans[1]);
  ASSERT_TRUE(spans[2]);
  EXPECT_EQ(spans[2]->begin, 11u);
  // A skipped word is found further on.
  auto skip = align_tokens("play songs by adele", {"play", "adele"});
  ASSERT_TRUE(skip[1]);
  EXPECT_EQ(skip[1]->begin, 14u);
}

TEST(TopJson, SlotsWithTextAndCharacterSpans) {
  nlohmann::json j = tree_to_json("Set an alarm for 7am.",
                                  "[IN:CREATE_ALARM Set an alarm [SL:DATE_TIME for 7am ] . ]");
  EXPECT_TRUE(j["valid"]);
  EXPECT_TRUE(j["aligned"]);
  EXPECT_EQ(j["parse"], "[IN:CREATE_ALARM Set an alarm [SL:DATE_TIME for 7am ] . ]");
  const auto& in = j["intent"];
  EXPECT_EQ(in["label"], "CREATE_ALARM");
  EXPECT_EQ(in["text"], "Set an alarm for 7am.");
  EXPECT_EQ(in["start"], 0);
  EXPECT_EQ(in["end"], 21);
  ASSERT_EQ(in["slots"].size(), 1u);
  const auto& slot = in["slots"][0];
  EXPECT_EQ(slot["label"], "DATE_TIME");
  EXPECT_EQ(slot["text"], "for 7am");
  EXPECT_EQ(slot["start"], 13);
  EXPECT_EQ(slot["end"], 20);
  EXPECT_TRUE(slot["intents"].empty());
}

TEST(TopJson, NestedIntentsAndContractions) {
  nlohmann::json j = tree_to_json(
      "remind me what's on Jo's list",
      "[IN:CREATE_REMINDER remind [SL:PERSON_REMINDED me ] [SL:TODO [IN:GET_TODO what 's on "
      "[SL:TODO_LIST Jo 's list ] ] ] ]");
  const auto& todo = j["intent"]["slots"][1];
  EXPECT_EQ(todo["label"], "TODO");
  EXPECT_EQ(todo["text"], "what's on Jo's list");
  EXPECT_EQ(todo["start"], 10);
  ASSERT_EQ(todo["intents"].size(), 1u);
  const auto& inner = todo["intents"][0];
  EXPECT_EQ(inner["label"], "GET_TODO");
  EXPECT_EQ(inner["slots"][0]["text"], "Jo's list");
  EXPECT_EQ(inner["slots"][0]["start"], 20);
  EXPECT_EQ(inner["slots"][0]["end"], 29);
}

TEST(TopJson, SpansCountCharactersNotBytes) {
  // "é" and "🎵" are 2 and 4 bytes but one character each.
  nlohmann::json j = tree_to_json("play caf\xC3\xA9 \xF0\x9F\x8E\xB5 songs",
                                  "[IN:PLAY_MUSIC play [SL:MUSIC_TYPE caf\xC3\xA9 \xF0\x9F\x8E\xB5 songs ] ]");
  const auto& slot = j["intent"]["slots"][0];
  EXPECT_EQ(slot["start"], 5);
  EXPECT_EQ(slot["end"], 17);
  EXPECT_EQ(slot["text"], "caf\xC3\xA9 \xF0\x9F\x8E\xB5 songs");
}

TEST(TopJson, EmptySlotStandsWhereItIs) {
  nlohmann::json j = tree_to_json("set alarms for 30,32 and 35 minutes",
                                  "[IN:CREATE_ALARM set alarms [SL:DATE_TIME for 30,32 ] "
                                  "[SL:DATE_TIME ] and [SL:DATE_TIME 35 minutes ] ]");
  const auto& empty = j["intent"]["slots"][1];
  EXPECT_EQ(empty["text"], "");
  EXPECT_EQ(empty["start"], 20);
  EXPECT_EQ(empty["end"], 20);
  EXPECT_EQ(j["intent"]["slots"][2]["text"], "35 minutes");
}

TEST(TopJson, ChangedWordsGiveNullSpans) {
  nlohmann::json j = tree_to_json("play songs by adele",
                                  "[IN:PLAY_MUSIC play [SL:MUSIC_TYPE music ] by [SL:ARTIST adele ] ]");
  EXPECT_FALSE(j["aligned"]);
  EXPECT_TRUE(j["intent"]["start"].is_null());
  EXPECT_EQ(j["intent"]["text"], "play music by adele");
  const auto& type = j["intent"]["slots"][0];
  EXPECT_TRUE(type["start"].is_null());
  EXPECT_EQ(type["text"], "music");
  EXPECT_EQ(j["intent"]["slots"][1]["start"], 14);
}

TEST(TopJson, InvalidPredictions) {
  nlohmann::json j = tree_to_json("set an alarm", "[IN:CREATE_ALARM set an alarm");
  EXPECT_FALSE(j["valid"]);
  EXPECT_EQ(j["raw"], "[IN:CREATE_ALARM set an alarm");
  EXPECT_EQ(j["error"], "byte 29: unclosed '[IN:CREATE_ALARM' opened at byte 0 (missing ']')");
  EXPECT_EQ(j["error_offset"], 29);
  EXPECT_FALSE(j.contains("intent"));
}

TEST(TopJson, AnyBytesDumpAsValidUtf8) {
  nlohmann::json bad = tree_to_json("\xFF\xFE utterance", "[IN:\xC3 \xFF");
  EXPECT_NO_THROW((void)bad.dump());
  EXPECT_EQ(bad["raw"], "[IN:\xEF\xBF\xBD \xEF\xBF\xBD");
  nlohmann::json good = tree_to_json("a \xFF b", "[IN:A a [SL:B \xFF ] b ]");
  EXPECT_NO_THROW((void)good.dump());
  EXPECT_EQ(good["intent"]["slots"][0]["text"], "\xEF\xBF\xBD");
  EXPECT_EQ(good["intent"]["slots"][0]["start"], 2);
}

TEST(TopUtf8, ValidatesAndCounts) {
  EXPECT_EQ(valid_utf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");          // overlong
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");          // truncated
  std::vector<size_t> c = char_offsets("a\xC3\xA9z");
  EXPECT_EQ(c, (std::vector<size_t>{0, 1, 2, 2, 3}));
}

}  // namespace
}  // namespace byt5::top

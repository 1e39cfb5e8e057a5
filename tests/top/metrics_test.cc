// Every metric on hand-worked examples (numbers worked out in the comments), including partial
// credit, invalid predictions, nested slots and duplicate spans.
#include <gtest/gtest.h>

#include "top/brackets.h"
#include "top/canonical.h"
#include "top/frame.h"
#include "top/metrics.h"

namespace byt5::top {
namespace {

// Tokens: will(0) it(1) rain(2) in(3) Paris(4) today(5).
// Brackets: IN:GET_WEATHER [0,6), SL:LOCATION [4,5), SL:DATE_TIME [5,6).
const char* kWeather =
    "[IN:GET_WEATHER will it rain in [SL:LOCATION Paris ] [SL:DATE_TIME today ] ]";
// Tokens: remind(0) me(1) to(2) call(3) mom(4).
// Brackets: IN:CREATE_REMINDER [0,5), SL:PERSON_REMINDED [1,2), SL:TODO [3,5),
// IN:GET_TODO [3,5), SL:ATTENDEE [4,5).
const char* kNested =
    "[IN:CREATE_REMINDER remind [SL:PERSON_REMINDED me ] to [SL:TODO [IN:GET_TODO call "
    "[SL:ATTENDEE mom ] ] ] ]";
// Tokens: remind(0) me(1) laundry(2). Brackets: IN:CREATE_REMINDER [0,3), SL:TODO [2,3) twice
// (outer and inner), IN:GET_TODO [2,3).
const char* kDuplicate =
    "[IN:CREATE_REMINDER remind me [SL:TODO [IN:GET_TODO [SL:TODO laundry ] ] ] ]";

RowScore score(const char* gold, const char* pred) {
  return score_row(parse_tree_or_throw(gold), gold, pred);
}

void expect_flags(const RowScore& r, bool em, bool ws, bool valid, bool intent, bool frame,
                  bool canon) {
  EXPECT_EQ(r.exact_match, em);
  EXPECT_EQ(r.exact_match_ws, ws);
  EXPECT_EQ(r.valid, valid);
  EXPECT_EQ(r.top_intent, intent);
  EXPECT_EQ(r.frame, frame);
  EXPECT_EQ(r.exact_match_canonical, canon);
}

void expect_brackets(const RowScore& r, size_t matched, size_t predicted, size_t gold) {
  EXPECT_EQ(r.brackets_matched, matched);
  EXPECT_EQ(r.brackets_predicted, predicted);
  EXPECT_EQ(r.brackets_gold, gold);
}

TEST(TopMetrics, Identical) {
  RowScore r = score(kWeather, kWeather);
  expect_flags(r, true, true, true, true, true, true);
  expect_brackets(r, 3, 3, 3);
}

TEST(TopMetrics, ExtraWhitespaceOnlyBreaksRawExactMatch) {
  RowScore r = score(kWeather,
                     "[IN:GET_WEATHER will it rain in  [SL:LOCATION Paris ] [SL:DATE_TIME today ] ] ");
  expect_flags(r, false, true, true, true, true, true);
  expect_brackets(r, 3, 3, 3);
}

TEST(TopMetrics, ReorderedWordsKeepOnlyTheRootBracketButCanonicalMatches) {
  // Tokens: will it rain today in Paris: DATE_TIME [3,4) and LOCATION [5,6) move; the root
  // [0,6) still matches. Canonical form drops "will it rain in" and sorts the slots.
  RowScore r = score(kWeather,
                     "[IN:GET_WEATHER will it rain [SL:DATE_TIME today ] in [SL:LOCATION Paris ] ]");
  expect_flags(r, false, false, true, true, false, true);
  expect_brackets(r, 1, 3, 3);
}

TEST(TopMetrics, SiblingOrderIgnoredByFrameAndCanonical) {
  // The same frame written with siblings in another order is not a different frame: pytext
  // keeps children as a set. (Positions fix the order of slots with words; this checks the
  // comparison itself.)
  Node a = parse_tree_or_throw("[IN:A [SL:X [IN:B ] ] [SL:Y [IN:C ] ] ]");
  Node b = parse_tree_or_throw("[IN:A [SL:Y [IN:C ] ] [SL:X [IN:B ] ] ]");
  EXPECT_EQ(frame_key(a), frame_key(b));
  EXPECT_EQ(topv2_canonical(a), topv2_canonical(b));
}

TEST(TopMetrics, InvalidPredictionScoresNothingButCountsGold) {
  RowScore r = score(kWeather, "[IN:GET_WEATHER will it rain in [SL:LOCATION Paris ]");
  expect_flags(r, false, false, false, false, false, false);
  expect_brackets(r, 0, 0, 3);
}

TEST(TopMetrics, WrongTopIntent) {
  RowScore r = score(kWeather,
                     "[IN:UNSUPPORTED_WEATHER will it rain in [SL:LOCATION Paris ] [SL:DATE_TIME today ] ]");
  expect_flags(r, false, false, true, false, false, false);
  expect_brackets(r, 2, 3, 3);
}

TEST(TopMetrics, MissingAndMislabelledSlots) {
  // Predicted: IN:GET_WEATHER [0,6), SL:WEATHER_LOCATION [4,5): only the root matches.
  RowScore r = score(kWeather, "[IN:GET_WEATHER will it rain in [SL:WEATHER_LOCATION Paris ] today ]");
  expect_flags(r, false, false, true, true, false, false);
  expect_brackets(r, 1, 2, 3);
}

TEST(TopMetrics, BracketsAndFrameCompareTokenPositionsNotWords) {
  // "Lyons" has Paris's length and position: brackets (evaluate.py) and frames (pytext) match;
  // the canonical form keeps slot words, so it does not.
  RowScore r = score(kWeather,
                     "[IN:GET_WEATHER will it rain in [SL:LOCATION Lyons ] [SL:DATE_TIME today ] ]");
  expect_flags(r, false, false, true, true, true, false);
  expect_brackets(r, 3, 3, 3);
}

TEST(TopMetrics, CanonicalIgnoresWordsOutsideLeafSlotsAndCase) {
  // Tokens shift by two, so no bracket matches ([0,8) vs [0,6)...), and the frame differs.
  RowScore r = score(kWeather,
                     "[IN:GET_WEATHER is it going to rain in [SL:LOCATION PARIS ] [SL:DATE_TIME today ] ]");
  expect_flags(r, false, false, true, true, false, true);
  expect_brackets(r, 0, 3, 3);
  EXPECT_EQ(topv2_canonical(parse_tree_or_throw(kWeather)),
            "[in:get_weather [sl:date_time today ] [sl:location paris ] ]");
}

TEST(TopMetrics, NestedSlotFlattened) {
  // Predicted: IN:CREATE_REMINDER [0,5), SL:PERSON_REMINDED [1,2), SL:TODO [3,5): all three are
  // gold brackets; IN:GET_TODO and SL:ATTENDEE are missed. P = 3/3, R = 3/5.
  RowScore r = score(kNested,
                     "[IN:CREATE_REMINDER remind [SL:PERSON_REMINDED me ] to [SL:TODO call mom ] ]");
  expect_flags(r, false, false, true, true, false, false);
  expect_brackets(r, 3, 3, 5);
  EXPECT_EQ(topv2_canonical(parse_tree_or_throw(kNested)),
            "[in:create_reminder [sl:person_reminded me ] [sl:todo [in:get_todo [sl:attendee mom ] ] ] ]");
}

TEST(TopMetrics, DuplicateSpansCountedAsAMultiset) {
  // Gold has SL:TODO [2,3) twice; a prediction with it once matches it once: root + 1 = 2.
  RowScore r = score(kDuplicate, "[IN:CREATE_REMINDER remind me [SL:TODO laundry ] ]");
  expect_flags(r, false, false, true, true, false, false);
  expect_brackets(r, 2, 2, 4);
  // Predicting it three times matches it only twice.
  RowScore more = score(kDuplicate,
                        "[IN:CREATE_REMINDER remind me [SL:TODO [IN:GET_TODO [SL:TODO [IN:GET_TODO "
                        "[SL:TODO laundry ] ] ] ] ] ]");
  expect_brackets(more, 4, 6, 4);
}

TEST(TopMetrics, EmptySlotsHaveNoSpan) {
  // [SL:B ] has no tokens: (SL:B, no span) matches wherever it stands; the frame keeps its
  // position (pytext's span at the next character), the canonical form does not.
  RowScore r = score("[IN:A x [SL:B ] y ]", "[IN:A x y [SL:B ] ]");
  expect_flags(r, false, false, true, true, false, true);
  expect_brackets(r, 2, 2, 2);
  std::vector<Bracket> b = labeled_brackets(parse_tree_or_throw("[IN:A x [SL:B ] y ]"));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0], (Bracket{"IN:A", 0, 2}));
  EXPECT_EQ(b[1], (Bracket{"SL:B", -1, -1}));
}

TEST(TopMetrics, FrameSpansFollowPytext) {
  // Tokens joined by spaces: "x yy z" -> root [0,6), B [2,4).
  EXPECT_EQ(frame_key(parse_tree_or_throw("[IN:A x [SL:B yy ] z ]")), "IN:A@0:6{SL:B@2:4{},}");
  EXPECT_EQ(frame_key(parse_tree_or_throw("[IN:A [SL:B ] z ]")), "IN:A@0:1{SL:B@0:0{},}");
}

TEST(TopMetrics, CollapseWhitespace) {
  EXPECT_EQ(collapse_whitespace("  a \t b\n\nc  "), "a b c");
  EXPECT_EQ(collapse_whitespace(" \n "), "");
}

TEST(TopMetrics, TotalsAndRates) {
  // Two rows: identical (3/3/3) and invalid (0/0/3).
  MetricTotals t;
  t.add(score(kWeather, kWeather));
  t.add(score(kWeather, "garbage"));
  EXPECT_EQ(t.rows, 2u);
  EXPECT_DOUBLE_EQ(t.rate(t.exact_match), 0.5);
  EXPECT_DOUBLE_EQ(t.rate(t.valid), 0.5);
  EXPECT_DOUBLE_EQ(t.bracket_precision(), 1.0);  // 3 / 3
  EXPECT_DOUBLE_EQ(t.bracket_recall(), 0.5);     // 3 / 6
  EXPECT_DOUBLE_EQ(t.bracket_f1(), 2.0 / 3.0);
  MetricTotals none;
  EXPECT_EQ(none.rate(0), 0.0);
  EXPECT_EQ(none.bracket_f1(), 0.0);
  nlohmann::json j = t.to_json();
  EXPECT_EQ(j["rows"], 2);
  EXPECT_DOUBLE_EQ(j["exact_match"].get<double>(), 0.5);
  EXPECT_EQ(j["counts"]["brackets_gold"], 6);
}

}  // namespace
}  // namespace byt5::top

// Training data: label inventory for --label-tokens, micro-batch order with and without shuffling,
// and the padded batch layout (Hugging Face's collator and _shift_right).
#include <set>

#include "test_util.h"
#include "train/train_data.h"
#include "train/train_model.h"

namespace byt5 {
namespace {

std::vector<data::Example> examples(const std::vector<std::string>& parses) {
  std::vector<data::Example> out;
  for (size_t i = 0; i < parses.size(); ++i) out.push_back({"d", "utterance " + std::to_string(i), parses[i], "f", i});
  return out;
}

TEST(TrainData, CollectsSortedUniqueLabelTokens) {
  auto labels = collect_label_tokens(examples(
      {"[IN:GET_WEATHER [SL:LOCATION [IN:GET_LOCATION [SL:CATEGORY_LOCATION the beach ] ] ] ]",
       "[IN:CREATE_ALARM set [SL:DATE_TIME for 7am ] ]", "[IN:GET_WEATHER x ]", "no labels [ here ]"}));
  EXPECT_EQ(labels, (std::vector<std::string>{"[IN:CREATE_ALARM", "[IN:GET_LOCATION", "[IN:GET_WEATHER",
                                              "[SL:CATEGORY_LOCATION", "[SL:DATE_TIME", "[SL:LOCATION"}));
}

TrainSet numbered_set(int n) {
  TrainSet s;
  for (int i = 0; i < n; ++i) s.rows.push_back({std::vector<int>(1 + i % 5, 3), std::vector<int>(1 + (i * 7) % 11, 4), ""});
  return s;
}

TEST(TrainData, KeepSpreadTakesEvenlySpacedRowsInOrder) {
  auto parses = [](const std::vector<data::Example>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.parse);
    return out;
  };
  auto s = keep_spread(examples({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}), 4);  // rows 0, 2 (10/4 = 2.5), 5, 7
  EXPECT_EQ(parses(s), (std::vector<std::string>{"a", "c", "f", "h"}));
  s = keep_spread(s, 9);  // more than it holds: unchanged
  EXPECT_EQ(parses(s), (std::vector<std::string>{"a", "c", "f", "h"}));
  s = keep_spread(s, 1);
  EXPECT_EQ(parses(s), (std::vector<std::string>{"a"}));
}

TEST(TrainData, NoShuffleWrapsInFileOrder) {
  TrainSet s = numbered_set(8);
  MicroBatchOrder order(s, 3, false, 42);
  EXPECT_EQ(order.rows(0), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(order.rows(2), (std::vector<int>{6, 7, 0}));
  EXPECT_EQ(order.rows(3), (std::vector<int>{1, 2, 3}));
}

TEST(TrainData, ShuffledEpochsVisitEveryRowOnceAndDependOnTheSeed) {
  TrainSet s = numbered_set(1000);
  MicroBatchOrder a(s, 16, true, 42), b(s, 16, true, 42), c(s, 16, true, 43);
  ASSERT_EQ(a.per_epoch(), 63);
  for (int64_t e = 0; e < 2; ++e) {
    std::multiset<int> seen;
    for (int64_t m = e * a.per_epoch(); m < (e + 1) * a.per_epoch(); ++m)
      for (int r : a.rows(m)) seen.insert(r);
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), 1000u);
  }
  int differ = 0;
  for (int64_t m = 0; m < 63; ++m) {
    EXPECT_EQ(a.rows(m), b.rows(m));  // also after a's cache moved on to another epoch
    differ += a.rows(m) != c.rows(m);
  }
  EXPECT_GT(differ, 50);
  EXPECT_NE(a.rows(0), a.rows(63));  // a new permutation per epoch
}

TEST(TrainData, BucketingKeepsPaddingSmall) {
  TrainSet s = numbered_set(2048);
  MicroBatchOrder order(s, 16, true, 1);
  size_t padded = 0, real = 0;
  for (int64_t m = 0; m < order.per_epoch(); ++m) {
    size_t longest = 0;
    auto rows = order.rows(m);
    for (int r : rows) longest = std::max(longest, s.rows[r].target.size()), real += s.rows[r].target.size();
    padded += longest * rows.size();
  }
  EXPECT_LT(padded, real * 11 / 10);  // random batches of these lengths pad ~70%
}

TEST(TrainData, BatchIsPaddedAndShiftedAsHuggingFaceDoes) {
  T5Config cfg;
  cfg.vocab_size = 384;
  Batch b = make_batch({{10, 11, 1}, {12, 1}}, {{20, 1}, {21, 22, 23, 1}}, cfg);
  EXPECT_EQ(b.B, 2);
  EXPECT_EQ(b.Te, 3);
  EXPECT_EQ(b.Td, 4);
  EXPECT_EQ(b.enc_ids, (std::vector<int>{10, 11, 1, 12, 1, 0}));
  EXPECT_EQ(b.enc_mask, (std::vector<float>{1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(b.labels, (std::vector<int>{20, 1, -100, -100, 21, 22, 23, 1}));
  EXPECT_EQ(b.dec_ids, (std::vector<int>{0, 20, 1, 0, 0, 21, 22, 23}));
  EXPECT_EQ(b.label_tokens, 6);
  EXPECT_EQ(b.source_tokens, 5);
}

}  // namespace
}  // namespace byt5

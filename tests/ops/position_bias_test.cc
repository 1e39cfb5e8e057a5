#include "ops/position_bias.h"

#include "test_util.h"

namespace byt5 {
namespace {

// Every relative position -399..399 in both stacks against Hugging Face's own tables.
TEST(PositionBias, BucketTablesMatchHuggingFaceExhaustively) {
  for (const char* variant : {"hf-tiny", "hf-tiny-asym"}) {
    auto j = test::read_json(test::fixtures() / variant / "relative_position_buckets.json");
    const int nb = j["num_buckets"], md = j["max_distance"], first = j["first_relative_position"];
    auto enc = j["encoder_bidirectional"].get<std::vector<int>>();
    auto dec = j["decoder_causal"].get<std::vector<int>>();
    ASSERT_EQ(enc.size(), 799u);
    for (size_t i = 0; i < enc.size(); ++i) {
      int rel = first + (int)i;
      EXPECT_EQ(relative_position_bucket(rel, true, nb, md), enc[i]) << "encoder rel " << rel;
      EXPECT_EQ(relative_position_bucket(rel, false, nb, md), dec[i]) << "decoder rel " << rel;
    }
  }
}

TEST(PositionBias, HandCheckedBuckets) {
  // Bidirectional, 32 buckets: 16 per direction, 8 exact; positive distances go to 16+.
  EXPECT_EQ(relative_position_bucket(0, true, 32, 128), 0);
  EXPECT_EQ(relative_position_bucket(3, true, 32, 128), 19);
  EXPECT_EQ(relative_position_bucket(-7, true, 32, 128), 7);
  EXPECT_EQ(relative_position_bucket(-1000, true, 32, 128), 15);
  // Causal: future keys share bucket 0.
  EXPECT_EQ(relative_position_bucket(5, false, 32, 128), 0);
  EXPECT_EQ(relative_position_bucket(-15, false, 32, 128), 15);
  EXPECT_EQ(relative_position_bucket(-1000, false, 32, 128), 31);
}

}  // namespace
}  // namespace byt5

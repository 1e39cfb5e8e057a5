// The generation cap of `byt5 parse` / `eval` / `bench` must never cut a real TOP parse short: every
// TOPv2 parse fits in kParseTokensPerUtteranceByte * (utterance bytes) + kParseTokensBase bytes
// (label tokens only make a parse shorter in tokens).
#include "data/topv2.h"
#include "test_paths.h"
#include "top/parse_length.h"

namespace byt5 {
namespace {

void check_rows(const std::vector<data::Example>& rows) {
  for (const auto& r : rows)
    EXPECT_LE(r.parse.size() + 1, top::kParseTokensPerUtteranceByte * r.utterance.size() + top::kParseTokensBase)
        << r.utterance;
}

TEST(ParseLength, HandmadeRowsFit) {
  check_rows(data::load_examples({testing::handmade_dir() / "data.tsv"}, data::Selection{"eval", {}}));
}

TEST(ParseLength, EveryTopv2ParseFits) {
  BYT5_REQUIRE_TOPV2();
  size_t n = 0;
  for (const char* split : {"train", "eval"}) {
    auto rows = data::load_examples({testing::topv2_dir()}, data::Selection{split, {}});
    n += rows.size();
    check_rows(rows);
  }
  EXPECT_GT(n, 140000u);
}

}  // namespace
}  // namespace byt5

// Draft-and-verify decoding must give exactly what plain greedy gives, whatever the drafts.
#include "decode/engine.h"
#include "decode/greedy.h"
#include "test_util.h"

namespace byt5 {
namespace {

class Drafted : public ::testing::TestWithParam<std::string> {};

TEST_P(Drafted, IdenticalToGreedyWithPerfectWrongAndCopyDrafts) {
  auto dir = test::fixtures() / GetParam();
  auto engine = Engine::load(dir);
  auto outputs = test::read_json(dir / test::read_json(dir / "fixture.json")["outputs"].get<std::string>());
  int accepted_total = 0;
  for (const auto& c : outputs["cases"]) {
    auto ids = c["input_ids"].get<std::vector<int>>();
    auto plain = greedy_decode(engine->model(), {ids}, 64)[0];
    // Perfect drafts: every proposed token is accepted, passes of up to 9 positions.
    int accepted = 0;
    Drafter oracle = [&](const std::vector<int>& gen, int max) {
      std::vector<int> d;
      for (size_t i = gen.size(); i < plain.size() && (int)d.size() < max; ++i) d.push_back(plain[i]);
      accepted += (int)d.size();
      return d;
    };
    EXPECT_EQ(greedy_decode_drafted(engine->model(), ids, 64, oracle), plain) << c["name"];
    accepted_total += accepted;
    // Wrong drafts: all rejected.
    Drafter wrong = [&](const std::vector<int>& gen, int max) {
      std::vector<int> d;
      for (size_t i = gen.size(); i < plain.size() && (int)d.size() < max; ++i) d.push_back((plain[i] + 7) % 384);
      return d;
    };
    EXPECT_EQ(greedy_decode_drafted(engine->model(), ids, 64, wrong), plain) << c["name"];
    EXPECT_EQ(greedy_decode_drafted(engine->model(), ids, 64, copy_drafter(ids, 1)), plain) << c["name"];
    EXPECT_EQ(greedy_decode_drafted(engine->model(), ids, 64, nullptr), plain) << c["name"];
  }
  EXPECT_GT(accepted_total, 100);
}

TEST(CopyDrafter, ProposesTheSourceContinuationOfTheLongestSuffix) {
  std::vector<int> src{10, 11, 12, 13, 14, 11, 20, 1};
  auto d = copy_drafter(src, 1);
  EXPECT_EQ(d({5, 10, 11}, 3), (std::vector<int>{12, 13, 14}));  // "10 11" matches at 0
  EXPECT_EQ(d({5, 11}, 8), (std::vector<int>{20}));              // rightmost "11"; EOS never drafted
  EXPECT_TRUE(d({99}, 4).empty());
  EXPECT_TRUE(d({}, 4).empty());
}

INSTANTIATE_TEST_SUITE_P(Variants, Drafted, ::testing::Values("hf-tiny", "hf-tiny-asym"),
                         [](const auto& info) { return info.param == "hf-tiny" ? std::string("tiny") : std::string("asym"); });

}  // namespace
}  // namespace byt5

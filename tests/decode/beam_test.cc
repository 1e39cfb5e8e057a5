// Beam search: hand-checked on a toy next-token table, and on the fixture models checked against
// greedy decoding (one beam) and against teacher forcing (the score it reports for its output).
#include <cmath>
#include <map>

#include "core/error.h"
#include "decode/beam.h"
#include "decode/engine.h"
#include "decode/greedy.h"
#include "io/tokenizer.h"
#include "test_util.h"

namespace byt5 {
namespace {

// Tokens: 0 start, 1 EOS, 2 "A", 3 "B". Next-token probabilities by the tokens so far.
class ToyStepper : public BeamStepper {
 public:
  explicit ToyStepper(int rows) : hist_(rows) {}
  int vocab_size() const override { return 4; }
  void step(const std::vector<int>& parents, const std::vector<int>& tokens, float* logits) override {
    std::vector<std::vector<int>> next;
    for (size_t r = 0; r < parents.size(); ++r) {
      next.push_back(hist_.at(parents[r]));
      if (tokens[r] != 0) next.back().push_back(tokens[r]);
      auto it = table().find(next.back());
      const std::vector<double> p = it == table().end() ? std::vector<double>{.01, .97, .01, .01} : it->second;
      for (int t = 0; t < 4; ++t) logits[r * 4 + t] = static_cast<float>(std::log(p[t]) + 3.0);  // any shift
    }
    hist_ = next;
  }
  static const std::map<std::vector<int>, std::vector<double>>& table() {
    static const std::map<std::vector<int>, std::vector<double>> t = {
        {{}, {.01, .01, .56, .42}},     // A is likelier first ...
        {{2}, {.01, .30, .36, .33}},    // ... but nothing after A is sure,
        {{3}, {.01, .90, .05, .04}}};  // while B is then almost surely done.
    return t;
  }

 private:
  std::vector<std::vector<int>> hist_;
};

// Forbids "B" as the first token.
struct NotBFirst : TokenConstraint {
  int seen = 0;
  bool allows(int t) const override { return seen > 0 || t != 3; }
  void advance(int) override { ++seen; }
  std::unique_ptr<TokenConstraint> clone() const override { return std::make_unique<NotBFirst>(*this); }
};

TEST(BeamSearch, FindsTheBetterParseGreedyMisses) {
  ToyStepper greedy(1);
  BeamResult g = beam_search(greedy, 1, 10, 0, 1);
  EXPECT_EQ(g.ids, (std::vector<int>{2, 2, 1}));  // one beam is greedy: A, A, EOS
  EXPECT_NEAR(g.logprob, std::log(.56) + std::log(.36) + std::log(.97), 1e-5);

  ToyStepper two(2);
  BeamResult b = beam_search(two, 2, 10, 0, 1);
  EXPECT_EQ(b.ids, (std::vector<int>{3, 1}));
  const double lp = std::log(.42) + std::log(.90);
  EXPECT_NEAR(b.logprob, lp, 1e-5);
  EXPECT_NEAR(b.score, lp / 2, 1e-5);  // length counts the start token and B, not the EOS

  ToyStepper sums(2);  // without length normalisation B, EOS still wins
  EXPECT_EQ(beam_search(sums, 2, 10, 0, 1, nullptr, 0.0f).ids, (std::vector<int>{3, 1}));
}

TEST(BeamSearch, FollowsTheConstraintAndLeavesTheCallersRuleUntouched) {
  ToyStepper s(2);
  NotBFirst rule;
  BeamResult b = beam_search(s, 2, 10, 0, 1, &rule);
  EXPECT_EQ(b.ids, (std::vector<int>{2, 2, 1}));  // A, A, EOS beats A, B, EOS
  EXPECT_EQ(rule.seen, 0);
}

TEST(BeamSearch, StopsAtTheLengthLimitWithoutEos) {
  ToyStepper s(2);
  BeamResult b = beam_search(s, 2, 1, 0, 1);
  EXPECT_EQ(b.ids, (std::vector<int>{2}));  // "A" (.56) beats "B" (.42); no EOS fits
  EXPECT_NEAR(b.score, std::log(.56) / 2, 1e-5);
  ToyStepper none(2);
  EXPECT_TRUE(beam_search(none, 2, 0, 0, 1).ids.empty());
  ToyStepper bad(2);
  EXPECT_THROW(beam_search(bad, 0, 5, 0, 1), Error);
}

// Sum of log-softmax(teacher-forced logits) at each of `ids`, computed independently of the
// incremental decoder and its cache.
double teacher_forced_logprob(T5Model& m, const std::vector<int>& input, const std::vector<int>& ids) {
  const auto& c = m.config();
  const int Te = static_cast<int>(input.size()), Td = static_cast<int>(ids.size()), V = c.vocab_size;
  AlignedBuffer<float> enc((size_t)Te * c.d_model), logits((size_t)Td * V);
  m.encode(enc.data(), input.data(), nullptr, 1, Te);
  std::vector<int> dec{c.decoder_start_token_id};
  dec.insert(dec.end(), ids.begin(), ids.end() - 1);
  m.decode_full(logits.data(), dec.data(), 1, Td, enc.data(), nullptr, Te);
  double sum = 0;
  for (int t = 0; t < Td; ++t) {
    const float* row = logits.data() + (size_t)t * V;
    double mx = row[0], z = 0;
    for (int v = 0; v < V; ++v) mx = std::max<double>(mx, row[v]);
    for (int v = 0; v < V; ++v) z += std::exp(row[v] - mx);
    sum += row[ids[t]] - mx - std::log(z);
  }
  return sum;
}

class BeamOnFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(BeamOnFixture, OneBeamIsGreedyAndScoresMatchTeacherForcing) {
  auto dir = test::fixtures() / GetParam();
  auto engine = Engine::load(dir);
  auto outputs = test::read_json(dir / test::read_json(dir / "fixture.json")["outputs"].get<std::string>());
  const int eos = engine->config().eos_token_id;
  int differ = 0;
  for (const auto& c : outputs["cases"]) {
    auto ids = c["input_ids"].get<std::vector<int>>();
    EXPECT_EQ(beam_decode(engine->model(), ids, 1, 40).ids, greedy_decode(engine->model(), {ids}, 40)[0]) << c["name"];
    BeamResult b = beam_decode(engine->model(), ids, 4, 40);
    ASSERT_FALSE(b.ids.empty()) << c["name"];
    EXPECT_NEAR(b.logprob, teacher_forced_logprob(engine->model(), ids, b.ids), 1e-3) << c["name"];
    const size_t length = b.ids.size() + 1 - (b.ids.back() == eos ? 1 : 0);
    EXPECT_NEAR(b.score, b.logprob / static_cast<double>(length), 1e-5) << c["name"];
    differ += b.ids != greedy_decode(engine->model(), {ids}, 40)[0];
  }
  EXPECT_GT(differ, 0);  // the beams do search: some outputs are not greedy's
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BeamOnFixture, ::testing::Values("hf-tiny", "hf-tiny-asym"));

TEST(BeamEngine, EachInputGetsItsOwnSearchInInputOrder) {
  auto engine = Engine::load(test::fixtures() / "hf-tiny");
  const std::vector<std::string> inputs = {"play some jazz music please", "x", "set an alarm for 7am", ""};
  GenerateOptions opt;
  opt.num_beams = 3;
  opt.max_new_tokens = 25;
  auto got = engine->generate_ids(inputs, opt);
  ASSERT_EQ(got.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(got[i], beam_decode(engine->model(), engine->tokenizer().encode(inputs[i]), 3, 25).ids) << i;
}

TEST(DecoderCache, ReorderingRowsMovesTheirWholeState) {
  auto engine = Engine::load(test::fixtures() / "hf-tiny-asym");
  T5Model& m = engine->model();
  const auto& c = m.config();
  const std::vector<int> in = engine->tokenizer().encode("reorder me");
  const int Te = static_cast<int>(in.size()), V = c.vocab_size;
  AlignedBuffer<float> enc((size_t)Te * c.d_model), two((size_t)2 * Te * c.d_model);
  m.encode(enc.data(), in.data(), nullptr, 1, Te);
  std::copy(enc.data(), enc.data() + enc.size(), two.data());
  std::copy(enc.data(), enc.data() + enc.size(), two.data() + enc.size());
  DecoderCache cache = m.start_decoding(two.data(), nullptr, 2, Te, 8);
  AlignedBuffer<float> logits((size_t)2 * V);
  std::vector<int> feed{0, 0};
  m.decode_step(cache, feed.data(), logits.data());
  feed = {70, 90};  // the rows now differ
  m.decode_step(cache, feed.data(), logits.data());
  reorder_cache_rows(cache, {1, 1});  // both rows continue row 1 ("90")
  feed = {100, 100};
  m.decode_step(cache, feed.data(), logits.data());
  // Row 0 must now see 0, 90, 100, as the teacher-forced decoder does.
  AlignedBuffer<float> full((size_t)3 * V);
  std::vector<int> dec{0, 90, 100};
  m.decode_full(full.data(), dec.data(), 1, 3, enc.data(), nullptr, Te);
  for (int v = 0; v < V; ++v) {
    EXPECT_NEAR(logits[v], full[2 * V + v], 1e-4);
    EXPECT_EQ(logits[v], logits[V + v]);
  }
  EXPECT_THROW(reorder_cache_rows(cache, {0}), Error);
  EXPECT_THROW(reorder_cache_rows(cache, {0, 2}), Error);
}

}  // namespace
}  // namespace byt5

// Per-row generation caps: a row stops at its own limit exactly as if it were decoded alone with
// that limit, and the engine's length cap (tokens per input byte + base) applies per input.
#include "decode/engine.h"
#include "decode/greedy.h"
#include "io/tokenizer.h"
#include "test_util.h"

namespace byt5 {
namespace {

TEST(RowLimits, EachRowStopsWhereItWouldAlone) {
  auto engine = Engine::load(test::fixtures() / "hf-tiny");
  const Tokenizer& tok = engine->tokenizer();
  std::vector<std::vector<int>> inputs = {tok.encode("set an alarm"), tok.encode("play some jazz music please"),
                                          tok.encode("x"), tok.encode("what is the weather like in Paris")};
  const std::vector<int> limits = {3, 40, 0, 17};
  auto batched = greedy_decode(engine->model(), inputs, 30, &limits);
  for (size_t b = 0; b < inputs.size(); ++b) {
    auto alone = greedy_decode(engine->model(), {inputs[b]}, std::min(30, limits[b]))[0];
    EXPECT_EQ(batched[b], alone) << b;
    EXPECT_LE(batched[b].size(), static_cast<size_t>(std::min(30, limits[b])));
  }
  EXPECT_TRUE(batched[2].empty());
}

TEST(RowLimits, EngineCapFollowsInputLength) {
  auto engine = Engine::load(test::fixtures() / "hf-tiny");
  GenerateOptions opt;
  opt.batch_size = 2;
  opt.tokens_per_input_byte = 2;
  opt.tokens_base = 5;
  const std::vector<std::string> inputs = {"ab", "a much longer request than that", "abcd"};
  auto capped = engine->generate_ids(inputs, opt);
  for (size_t i = 0; i < inputs.size(); ++i) {
    GenerateOptions alone;
    alone.max_new_tokens = static_cast<int>(2 * inputs[i].size() + 5);
    EXPECT_EQ(capped[i], engine->generate_ids({inputs[i]}, alone)[0]) << i;
  }
  // An explicit max_new_tokens wins over the cap.
  opt.max_new_tokens = 50;
  auto explicit_cap = engine->generate_ids({"ab"}, opt);
  GenerateOptions plain;
  plain.max_new_tokens = 50;
  EXPECT_EQ(explicit_cap[0], engine->generate_ids({"ab"}, plain)[0]);
}

}  // namespace
}  // namespace byt5

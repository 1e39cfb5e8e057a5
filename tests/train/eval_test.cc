// In-training evaluation: exact match decodes each row under the rule built from that row's
// utterance. A rule that allows only the gold parse's tokens makes a random model exact.
#include <map>

#include "data/topv2.h"
#include "io/tokenizer.h"
#include "model/checkpoint.h"
#include "model/t5_model.h"
#include "test_util.h"
#include "train/linear_context.h"
#include "train/train_data.h"
#include "train/train_eval.h"
#include "train/train_model.h"

namespace byt5 {
namespace {

// Allows exactly `gold` then EOS.
struct Teacher : TokenConstraint {
  std::vector<int> gold;
  size_t at = 0;
  bool allows(int t) const override { return at < gold.size() && t == gold[at]; }
  void advance(int) override { ++at; }
  std::unique_ptr<TokenConstraint> clone() const override { return std::make_unique<Teacher>(*this); }
};

TEST(TrainEval, ExactMatchDecodesUnderEachRowsRule) {
  const auto dir = test::fixtures() / "hf-tiny";
  ParamSet params = load_params(dir);
  ParamSet copy(params.config());
  std::copy(params.data(), params.data() + params.size(), copy.data());
  T5Model infer(std::move(copy));
  Tokenizer tok = Tokenizer::load(dir);
  std::vector<data::Example> rows = {
      {"alarm", "set an alarm for 7am", "[IN:CREATE_ALARM set an alarm [SL:DATE_TIME for 7am ] ]", "t.tsv", 1},
      {"music", "play jazz", "[IN:PLAY_MUSIC play [SL:MUSIC_GENRE jazz ] ]", "t.tsv", 2},
      {"timer", "pause the timer please", "[IN:PAUSE_TIMER pause the [SL:METHOD_TIMER timer ] please ]", "t.tsv", 3}};
  TrainSet set = tokenize_rows(rows, tok);
  ParamSet grads(params.config());
  LinearContext lin(Precision::F32);
  lin.refresh_weights(params);
  TrainModel model(params, grads, lin, BatchShape{2, set.max_source, set.max_target});

  const EvalResult plain = evaluate(model, infer, set, tok, 2);
  EXPECT_EQ(plain.rows, 3);
  EXPECT_EQ(plain.exact_match, 0.0);  // a random model
  EXPECT_GT(plain.loss, 1.0);

  std::map<std::string, std::string> gold_of;
  for (const auto& r : rows) gold_of[r.utterance] = r.parse;
  int built = 0;
  ConstraintFactory teacher = [&](std::string_view utterance) -> std::unique_ptr<TokenConstraint> {
    auto it = gold_of.find(std::string(utterance));
    if (it == gold_of.end()) return nullptr;  // a wrong utterance would leave the row free
    ++built;
    auto t = std::make_unique<Teacher>();
    t->gold = tok.encode(it->second);  // the parse's ids + EOS
    return t;
  };
  const EvalResult taught = evaluate(model, infer, set, tok, 2, teacher);
  EXPECT_EQ(built, 3);
  EXPECT_EQ(taught.exact_match, 1.0);
  EXPECT_EQ(taught.loss, plain.loss);  // the loss is teacher-forced either way
}

}  // namespace
}  // namespace byt5

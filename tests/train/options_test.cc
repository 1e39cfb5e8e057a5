// Recipes and flags: the shipped recipe is the card's, unknown settings and bad values are
// errors that name the fix, and the CLI keeps usage errors (exit 2) apart from runtime errors
// (exit 1).
#include <sys/wait.h>

#include "cli_util.h"
#include "core/error.h"
#include "model/config.h"
#include "test_util.h"
#include "train/train_options.h"

namespace byt5 {
namespace {

std::filesystem::path repo_root() { return test::fixtures().parent_path().parent_path(); }
std::filesystem::path recipe_file() { return repo_root() / "recipes" / "byt5-small-top_v2.json"; }

TEST(TrainOptions, ShippedRecipeIsTheCardsRecipe) {
  TrainOptions o;
  o.apply_recipe(test::read_json(recipe_file()), "recipe");
  EXPECT_EQ(o.steps, 3000);
  EXPECT_DOUBLE_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.batch_size, 16);
  EXPECT_EQ(o.grad_accum, 32);
  EXPECT_EQ(o.warmup, 0);
  EXPECT_EQ(o.seed, 42u);
  EXPECT_EQ(o.eval_every, 200);
  EXPECT_FLOAT_EQ(o.max_grad_norm, 1.0f);
  EXPECT_FLOAT_EQ(o.weight_decay, 0.0f);
  EXPECT_FALSE(o.dropout.has_value());  // the model's own dropout_rate (0.1 for byt5-small)
  EXPECT_NO_THROW(o.validate());
}

// The recipe of the shipped default model (MODELS.md): a fresh tied model with the position
// prior, and its config file a valid T5 v1.1 config.
TEST(TrainOptions, DefaultModelRecipe) {
  const auto root = repo_root();
  TrainOptions o;
  o.apply_recipe(test::read_json(root / "recipes" / "default-model.json"), "recipe");
  EXPECT_EQ(o.config, "recipes/default-model.config.json");
  EXPECT_TRUE(o.init.empty());
  EXPECT_TRUE(o.label_tokens);
  EXPECT_FLOAT_EQ(o.position_prior, 4.0f);
  EXPECT_NO_THROW(o.validate());
  const T5Config c = T5Config::load(root / o.config);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_GT(c.num_layers, c.num_decoder_layers);  // ByT5 puts more depth in the encoder
}

// Stage 2 of the shipped default model (run m9): it continues stage 1's exported weights
// (--init) with a fresh optimizer, no dropout, and a warm-up inside its schedule.
TEST(TrainOptions, DefaultModelStage2Recipe) {
  TrainOptions o;
  o.apply_recipe(test::read_json(repo_root() / "recipes" / "default-model-stage2.json"), "recipe");
  EXPECT_FALSE(o.init.empty());
  EXPECT_TRUE(o.config.empty());
  EXPECT_EQ(o.steps, 16000);
  EXPECT_DOUBLE_EQ(o.lr, 2.5e-4);
  EXPECT_EQ(o.warmup, 1000);
  EXPECT_EQ(o.batch_size, 32);
  ASSERT_TRUE(o.dropout.has_value());
  EXPECT_FLOAT_EQ(*o.dropout, 0.0f);
  EXPECT_NO_THROW(o.validate());
}

TEST(TrainOptions, DefaultModelStage3Recipe) {
  TrainOptions o;
  o.apply_recipe(test::read_json(repo_root() / "recipes" / "default-model-stage3.json"), "recipe");
  EXPECT_NE(o.init.find("stage2"), std::string::npos) << o.init;
  EXPECT_TRUE(o.config.empty());
  EXPECT_EQ(o.steps, 18000);
  EXPECT_DOUBLE_EQ(o.lr, 2.5e-4);
  EXPECT_EQ(o.warmup, 1000);
  EXPECT_EQ(o.batch_size, 32);
  EXPECT_EQ(o.seed, 23u);
  ASSERT_TRUE(o.dropout.has_value());
  EXPECT_FLOAT_EQ(*o.dropout, 0.0f);
  EXPECT_NO_THROW(o.validate());
}

// Stages 4 and 5 (runs m12 and m14): stage 3's recipe, shorter, each from the previous stages'
// mean; stage 5 alone adds weight decay.
TEST(TrainOptions, DefaultModelStage4And5Recipes) {
  TrainOptions s4, s5;
  s4.apply_recipe(test::read_json(repo_root() / "recipes" / "default-model-stage4.json"), "recipe");
  s5.apply_recipe(test::read_json(repo_root() / "recipes" / "default-model-stage5.json"), "recipe");
  EXPECT_NE(s4.init.find("stage3"), std::string::npos) << s4.init;
  EXPECT_NE(s5.init.find("stage4-mean"), std::string::npos) << s5.init;
  for (const TrainOptions* o : {&s4, &s5}) {
    EXPECT_TRUE(o->config.empty());
    EXPECT_EQ(o->steps, 12000);
    EXPECT_DOUBLE_EQ(o->lr, 2.5e-4);
    EXPECT_EQ(o->warmup, 1000);
    EXPECT_EQ(o->batch_size, 32);
    ASSERT_TRUE(o->dropout.has_value());
    EXPECT_FLOAT_EQ(*o->dropout, 0.0f);
    EXPECT_NO_THROW(o->validate());
  }
  EXPECT_EQ(s4.seed, 31u);
  EXPECT_EQ(s5.seed, 37u);
  EXPECT_FLOAT_EQ(s4.weight_decay, 0.0f);
  EXPECT_FLOAT_EQ(s5.weight_decay, 0.1f);
}

TEST(TrainOptions, RejectsUnknownKeysAndBadValues) {
  TrainOptions o;
  EXPECT_THROW(o.apply_recipe({{"learning_rate", 1e-3}}, "r.json"), Error);
  EXPECT_THROW(o.apply_recipe({{"steps", "many"}}, "r.json"), Error);
  o.apply_recipe({{"_note", "ignored"}, {"init", "m"}, {"train", "t.tsv"}, {"out", "o"}}, "r.json");
  EXPECT_NO_THROW(o.validate());
  o.config = "c.json";
  EXPECT_THROW(o.validate(), Error);  // both --init and --config
  o.config.clear();
  o.warmup = o.steps + 1;
  EXPECT_THROW(o.validate(), Error);
}

TEST(TrainCli, UsageAndRuntimeErrorsHaveTheirExitCodes) {
  test::TempDir tmp;
  auto bad_flag = test::run_train("train --bogus 1");
  EXPECT_EQ(bad_flag.status, 2) << bad_flag.err;
  auto bad_precision = test::run_train("train --precision fp16 --train x --out y");
  EXPECT_EQ(bad_precision.status, 2) << bad_precision.err;
  auto missing = test::run_train("train --train x.tsv --out '" + (tmp.path() / "o").string() + "'");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("--init"), std::string::npos) << missing.err;
  // The recipe's placeholder paths fail with the path named.
  auto placeholder = test::run_train("train --recipe '" + recipe_file().string() + "' --out '" +
                                        (tmp.path() / "o").string() + "'");
  EXPECT_EQ(placeholder.status, 1) << placeholder.err;
  EXPECT_NE(placeholder.err.find("PATH/TO"), std::string::npos) << placeholder.err;
}

}  // namespace
}  // namespace byt5

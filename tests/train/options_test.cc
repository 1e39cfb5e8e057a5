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

// Stages 2-12 of the default model's training (MODELS.md): each continues an exported model
// (--init, never a fresh config) with a fresh optimizer, no dropout and a warm-up inside its
// schedule; they differ in the start, length, seed and (from stage 5 on) weight decay.
struct ContinuationStage {
  const char* recipe;
  const char* init_names;  // the start the recipe's --init placeholder must name
  int steps;
  unsigned seed;
  float weight_decay;
};

TEST(TrainOptions, DefaultModelContinuationRecipes) {
  const ContinuationStage stages[] = {
      {"default-model-stage2.json", "stage1", 16000, 19u, 0.0f},
      {"default-model-stage3.json", "stage2", 18000, 23u, 0.0f},
      {"default-model-stage4.json", "stage3", 12000, 31u, 0.0f},
      {"default-model-stage5.json", "stage4-mean", 12000, 37u, 0.1f},
      {"default-model-stage6.json", "stage5", 12000, 41u, 0.1f},
      {"default-model-stage7.json", "stage6", 12000, 43u, 0.2f},
      {"default-model-stage8.json", "stage7", 12000, 47u, 0.3f},
      {"default-model-stage9.json", "stage8", 12000, 53u, 0.4f},
      {"default-model-stage10.json", "stage9", 12000, 59u, 0.5f},
      {"default-model-stage11.json", "stage10", 12000, 61u, 0.6f},
      {"default-model-stage12.json", "stage11", 12000, 67u, 0.6f},
  };
  for (const ContinuationStage& s : stages) {
    SCOPED_TRACE(s.recipe);
    TrainOptions o;
    o.apply_recipe(test::read_json(repo_root() / "recipes" / s.recipe), "recipe");
    EXPECT_NE(o.init.find(s.init_names), std::string::npos) << o.init;
    EXPECT_TRUE(o.config.empty());
    EXPECT_EQ(o.steps, s.steps);
    EXPECT_DOUBLE_EQ(o.lr, 2.5e-4);
    EXPECT_EQ(o.warmup, 1000);
    EXPECT_EQ(o.batch_size, 32);
    EXPECT_EQ(o.seed, s.seed);
    EXPECT_FLOAT_EQ(o.weight_decay, s.weight_decay);
    ASSERT_TRUE(o.dropout.has_value());
    EXPECT_FLOAT_EQ(*o.dropout, 0.0f);
    EXPECT_NO_THROW(o.validate());
  }
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

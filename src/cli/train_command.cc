// byt5 train: fine-tune (or train from scratch) on TOPv2 with the model card's recipe; a recipe
// file gives the settings and flags override it.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "train/trainer.h"

namespace byt5::cli {
namespace {

struct Flags {
  std::string recipe;
  TrainOptions given;  // what the flags say, copied over the recipe where a flag was used
  float dropout = 0.0f;
  bool no_shuffle = false, eval_unconstrained = false, resume = false, label_tokens = false, no_progress = false;
  std::vector<std::function<void(TrainOptions&)>> apply;
};

template <typename T>
CLI::Option* flag(CLI::App* sub, const std::shared_ptr<Flags>& f, const std::string& name, T TrainOptions::*field,
                  const std::string& help) {
  CLI::Option* opt = sub->add_option(name, f->given.*field, help);
  Flags* raw = f.get();
  f->apply.push_back([opt, field, raw](TrainOptions& o) {
    if (opt->count() > 0) o.*field = raw->given.*field;
  });
  return opt;
}

}  // namespace

void add_train_command(CLI::App& app, Runner& run) {
  auto f = std::make_shared<Flags>();
  auto* sub = app.add_subcommand(
      "train", "Fine-tune a model on TOPv2 (the model card's recipe: recipes/byt5-small-top_v2.json)");
  sub->add_option("--recipe", f->recipe, "JSON recipe (keys as these flags with '_' for '-'; 'shuffle' and 'eval_constrained' for the opposites of --no-shuffle and --eval-unconstrained); flags override it")
      ->check(CLI::ExistingFile);
  auto* init = flag(sub, f, "--init", &TrainOptions::init, "Hugging Face model directory to start from")
                   ->check(CLI::ExistingDirectory);
  auto* config =
      flag(sub, f, "--config", &TrainOptions::config, "config.json of a freshly initialised model (instead of --init)")
          ->check(CLI::ExistingFile);
  flag(sub, f, "--train", &TrainOptions::train, "TOPv2 .tsv file, or a directory of <domain>_train.tsv files");
  flag(sub, f, "--eval", &TrainOptions::eval, "TOPv2 .tsv file, or a directory of <domain>_eval.tsv files");
  flag(sub, f, "--out", &TrainOptions::out, "Output directory (log.jsonl, checkpoint-STEP/, final/)");
  flag(sub, f, "--steps", &TrainOptions::steps, "Optimizer steps (default 3000)")->check(CLI::PositiveNumber);
  flag(sub, f, "--lr", &TrainOptions::lr, "Peak learning rate of the linear schedule (default 1e-3)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--warmup", &TrainOptions::warmup, "Linear warmup steps (default 0)")->check(CLI::NonNegativeNumber);
  flag(sub, f, "--batch-size", &TrainOptions::batch_size, "Rows per micro-batch (default 16)")
      ->check(CLI::PositiveNumber);
  flag(sub, f, "--grad-accum", &TrainOptions::grad_accum, "Micro-batches per optimizer step (default 32)")
      ->check(CLI::PositiveNumber);
  auto* dropout = sub->add_option("--dropout", f->dropout, "Dropout rate (default: the model's dropout_rate)")
                      ->check(CLI::Range(0.0, 0.999));
  flag(sub, f, "--seed", &TrainOptions::seed, "Seed of initialisation, shuffling and dropout (default 42)");
  auto* no_shuffle = sub->add_flag("--no-shuffle", f->no_shuffle,
                                   "Visit rows in file order: micro-batch m holds rows (m*batch + j) mod rows");
  flag(sub, f, "--precision", &TrainOptions::precision, "bf16 (matmuls in bf16, fp32 master weights) or fp32")
      ->check(CLI::IsMember({"bf16", "fp32"}));
  flag(sub, f, "--eval-every", &TrainOptions::eval_every, "Steps between evaluations; 0: only at the end (default 200)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--eval-limit", &TrainOptions::eval_limit, "Evaluate on N eval rows spread evenly over the split (default: all)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--eval-batch-size", &TrainOptions::eval_batch_size, "Rows per eval batch (default: --batch-size)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--save-every", &TrainOptions::save_every, "Steps between resumable checkpoints (default: none)")
      ->check(CLI::NonNegativeNumber);
  auto* eval_unconstrained = sub->add_flag(
      "--eval-unconstrained", f->eval_unconstrained,
      "In-training exact match from plain greedy decoding (as Hugging Face's Trainer) instead of greedy "
      "decoding constrained to trees under the training data's grammar (as byt5 parse --beams 1)");
  auto* resume = sub->add_flag("--resume", f->resume, "Continue from the newest complete checkpoint in --out");
  auto* labels = sub->add_flag("--label-tokens", f->label_tokens,
                               "Add the training data's [IN:/[SL: labels as single tokens (added_tokens.json)");
  flag(sub, f, "--max-grad-norm", &TrainOptions::max_grad_norm, "Gradient-norm clipping threshold; 0: none (default 1.0)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--weight-decay", &TrainOptions::weight_decay, "AdamW weight decay (default 0)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--rel-bias-lr-scale", &TrainOptions::rel_bias_lr_scale,
       "Learning-rate multiplier for the relative-position bias tables (default 1; from scratch, >1 lets "
       "positional attention form sooner)")
      ->check(CLI::NonNegativeNumber);
  flag(sub, f, "--position-prior", &TrainOptions::position_prior,
       "With --config: bias each attention head toward one neighbouring offset by this much (default 0: "
       "Hugging Face's init; see docs/TRAINING.md)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--no-progress", f->no_progress, "Plain log lines even on a terminal");
  sub->callback([f, &run, init, config, dropout, no_shuffle, eval_unconstrained, resume, labels] {
    run = [f, init, config, dropout, no_shuffle, eval_unconstrained, resume, labels] {
      TrainOptions o;
      if (!f->recipe.empty()) {
        std::ifstream in(f->recipe);
        nlohmann::json j;
        try {
          j = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
          throw Error(f->recipe + ": invalid JSON (" + e.what() + ")");
        }
        o.apply_recipe(j, f->recipe);
      }
      for (auto& apply : f->apply) apply(o);
      if (dropout->count()) o.dropout = f->dropout;
      if (no_shuffle->count()) o.shuffle = false;
      if (eval_unconstrained->count()) o.eval_constrained = false;
      if (resume->count()) o.resume = true;
      if (labels->count()) o.label_tokens = true;
      // A starting point named by a flag replaces the recipe's, whichever kind it is.
      if (init->count()) o.config.clear();
      if (config->count()) o.init.clear();
      o.progress = !f->no_progress;
      run_training(o, std::cout, std::cerr, ::isatty(STDERR_FILENO) != 0);
      return 0;
    };
  });
}

}  // namespace byt5::cli

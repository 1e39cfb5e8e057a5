// The settings of a training run: defaults are the model card's recipe; a recipe file (JSON, keys
// as the flags with '_' for '-', e.g. "batch_size"; "shuffle" and "eval_constrained" are the
// opposites of --no-shuffle and --eval-unconstrained) overrides them, and flags override the recipe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace byt5 {

struct TrainOptions {
  std::string init;    // Hugging Face model directory to fine-tune
  std::string config;  // or a config.json for a freshly initialised model
  std::string train;   // TOPv2 TSV file, or a directory of <domain>_train.tsv files
  std::string eval;    // TOPv2 TSV file, or a directory of <domain>_eval.tsv files; empty: none
  std::string out;     // output directory
  int64_t steps = 3000;       // optimizer steps
  double lr = 1e-3;           // peak learning rate
  int64_t warmup = 0;         // warmup steps of the linear schedule
  int batch_size = 16;        // rows per micro-batch
  int grad_accum = 32;        // micro-batches per optimizer step
  std::optional<float> dropout;  // default: the model config's dropout_rate
  uint64_t seed = 42;
  bool shuffle = true;        // false: file order (--no-shuffle)
  std::string precision = "bf16";  // bf16 | fp32
  int64_t eval_every = 200;   // steps between evaluations; 0: only after the last step
  int eval_limit = 0;         // evaluate on N eval rows spread over the split; 0: all
  int eval_batch_size = 0;    // 0: batch_size
  // In-training exact match decodes greedily constrained to trees under the training data's
  // grammar, as `byt5 parse --beams 1` does with an exported model; false: plain greedy (what
  // Hugging Face's Trainer with predict_with_generate reports).
  bool eval_constrained = true;
  int64_t save_every = 0;     // steps between resumable checkpoints; 0: none
  bool resume = false;        // continue from the newest complete checkpoint in out
  bool label_tokens = false;  // add the training data's [IN:/[SL: labels as tokens
  float max_grad_norm = 1.0f;  // 0: no clipping
  float weight_decay = 0.0f;
  // Learning-rate multiplier for the relative-position bias tables (see AdamHyper).
  float rel_bias_lr_scale = 1.0f;
  // With --config: add_position_prior(strength) after the initialisation (0: none).
  float position_prior = 0.0f;
  bool progress = true;       // progress bar on a terminal

  // Overrides fields from a recipe object; unknown keys (other than "_comment"-like keys starting
  // with '_') are an error naming `source`.
  void apply_recipe(const nlohmann::json& recipe, const std::string& source);
  // Throws byt5::Error with the flag to fix.
  void validate() const;
  // Everything that shapes the trajectory (a resumed run must agree on all of it).
  nlohmann::json trajectory_settings() const;
  nlohmann::json to_json() const;
};

}  // namespace byt5

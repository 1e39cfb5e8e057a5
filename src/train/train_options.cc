#include "train/train_options.h"

#include "core/error.h"

namespace byt5 {
namespace {

template <typename T>
void take(const nlohmann::json& j, const char* key, T& out, const std::string& source) {
  try {
    out = j.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(source + ": \"" + key + "\" has the wrong type (" + j.dump() + ")");
  }
}

}  // namespace

void TrainOptions::apply_recipe(const nlohmann::json& r, const std::string& source) {
  if (!r.is_object()) throw Error(source + ": a recipe is a JSON object of settings");
  for (const auto& [key, v] : r.items()) {
    const char* k = key.c_str();
    if (!key.empty() && key[0] == '_') continue;
    if (key == "init") take(v, k, init, source);
    else if (key == "config") take(v, k, config, source);
    else if (key == "train") take(v, k, train, source);
    else if (key == "eval") take(v, k, eval, source);
    else if (key == "out") take(v, k, out, source);
    else if (key == "steps") take(v, k, steps, source);
    else if (key == "lr") take(v, k, lr, source);
    else if (key == "warmup") take(v, k, warmup, source);
    else if (key == "batch_size") take(v, k, batch_size, source);
    else if (key == "grad_accum") take(v, k, grad_accum, source);
    else if (key == "dropout") {
      float d;
      take(v, k, d, source);
      dropout = d;
    } else if (key == "seed") take(v, k, seed, source);
    else if (key == "shuffle") take(v, k, shuffle, source);
    else if (key == "precision") take(v, k, precision, source);
    else if (key == "eval_every") take(v, k, eval_every, source);
    else if (key == "eval_limit") take(v, k, eval_limit, source);
    else if (key == "eval_batch_size") take(v, k, eval_batch_size, source);
    else if (key == "eval_constrained") take(v, k, eval_constrained, source);
    else if (key == "save_every") take(v, k, save_every, source);
    else if (key == "label_tokens") take(v, k, label_tokens, source);
    else if (key == "max_grad_norm") take(v, k, max_grad_norm, source);
    else if (key == "weight_decay") take(v, k, weight_decay, source);
    else if (key == "rel_bias_lr_scale") take(v, k, rel_bias_lr_scale, source);
    else if (key == "position_prior") take(v, k, position_prior, source);
    else
      throw Error(source + ": unknown setting \"" + key +
                  "\" (settings are the train flags with '_' for '-', e.g. \"batch_size\")");
  }
}

void TrainOptions::validate() const {
  if (init.empty() == config.empty()) throw Error("give exactly one of --init DIR (fine-tune) and --config FILE (fresh model)");
  if (train.empty()) throw Error("--train is required (a TOPv2 .tsv file or a directory of <domain>_train.tsv files)");
  if (out.empty()) throw Error("--out is required (the output directory)");
  if (steps <= 0) throw Error("--steps must be positive");
  if (!(lr >= 0)) throw Error("--lr must be non-negative");
  if (warmup < 0 || warmup > steps) throw Error("--warmup must be between 0 and --steps");
  if (batch_size <= 0) throw Error("--batch-size must be positive");
  if (grad_accum <= 0) throw Error("--grad-accum must be positive");
  if (dropout && !(*dropout >= 0.0f && *dropout < 1.0f)) throw Error("--dropout must be in [0, 1)");
  if (precision != "bf16" && precision != "fp32") throw Error("--precision must be bf16 or fp32");
  if (eval_every < 0 || save_every < 0 || eval_limit < 0 || eval_batch_size < 0)
    throw Error("--eval-every, --save-every, --eval-limit and --eval-batch-size must not be negative");
  if (!(max_grad_norm >= 0)) throw Error("--max-grad-norm must not be negative (0 turns clipping off)");
  if (!(weight_decay >= 0)) throw Error("weight_decay must not be negative");
  if (!(rel_bias_lr_scale > 0)) throw Error("rel_bias_lr_scale must be positive");
}

nlohmann::json TrainOptions::trajectory_settings() const {
  return {{"train", train},
          {"steps", steps},
          {"lr", lr},
          {"warmup", warmup},
          {"batch_size", batch_size},
          {"grad_accum", grad_accum},
          {"dropout", dropout ? nlohmann::json(*dropout) : nlohmann::json(nullptr)},
          {"seed", seed},
          {"shuffle", shuffle},
          {"precision", precision},
          {"label_tokens", label_tokens},
          {"max_grad_norm", max_grad_norm},
          {"weight_decay", weight_decay},
          {"rel_bias_lr_scale", rel_bias_lr_scale},
          {"position_prior", position_prior}};
}

nlohmann::json TrainOptions::to_json() const {
  nlohmann::json j = trajectory_settings();
  j["init"] = init;
  j["config"] = config;
  j["eval"] = eval;
  j["out"] = out;
  j["eval_every"] = eval_every;
  j["eval_limit"] = eval_limit;
  j["eval_batch_size"] = eval_batch_size;
  j["eval_constrained"] = eval_constrained;
  j["save_every"] = save_every;
  return j;
}

}  // namespace byt5

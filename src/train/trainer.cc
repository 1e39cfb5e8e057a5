#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>

#include "core/error.h"
#include "data/topv2.h"
#include "model/checkpoint.h"
#include "top/labels.h"
#include "top/tree_constraint.h"
#include "train/init.h"
#include "train/optimizer.h"
#include "train/rng.h"
#include "train/train_checkpoint.h"
#include "train/train_report.h"

namespace byt5 {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kDropoutStream = 0xd20b07ULL;

struct Start {
  ParamSet params;
  Tokenizer tok;
  TrainState state;
  std::optional<fs::path> resume_dir;
};

// Every setting that shapes the trajectory must match the checkpoint's, except --steps: a run may
// be shortened or extended on resume, and the linear schedule then decays to zero at the new total.
void check_same_settings(const nlohmann::json& saved, const nlohmann::json& now, const fs::path& dir) {
  for (const auto& [key, value] : now.items()) {
    if (!saved.contains(key) || saved[key] == value || key == "steps") continue;
    throw Error(dir.string() + " was written by a run with " + key + " = " + saved[key].dump() + ", not " +
                value.dump() + ": pass the original run's settings to --resume it");
  }
}

// Label tokens: the training data's "[IN:X" / "[SL:Y" texts not yet in the vocabulary get ids
// from the model's vocab_size up, in sorted order, and the embedding and lm_head grow to match.
void add_label_tokens(Start& s, const std::vector<data::Example>& train, uint64_t seed, std::ostream& err) {
  std::map<std::string, int> add;
  int next = std::max(s.params.config().vocab_size, s.tok.vocab_size());
  for (const auto& label : collect_label_tokens(train))
    if (!s.tok.added_tokens().count(label)) add[label] = next++;
  if (add.empty()) return;
  s.tok.add_tokens(add, "--label-tokens");
  if (next > s.params.config().vocab_size) s.params = resize_vocab(s.params, next, seed);
  err << "byt5 train: added " << add.size() << " label tokens (ids " << add.begin()->second << ".." << next - 1
      << "); vocab_size is now " << s.params.config().vocab_size << "\n";
}

Start prepare(const TrainOptions& o, std::ostream& err) {
  if (o.resume) {
    std::vector<std::string> skipped;
    auto dir = find_resume_checkpoint(o.out, &skipped);
    for (const auto& s : skipped) err << "byt5 train: skipping incomplete checkpoint " << s << "\n";
    if (!dir) throw Error(o.out + ": --resume found no complete checkpoint-STEP directory to continue from");
    TrainState state = read_train_state(*dir);
    check_same_settings(state.settings, o.trajectory_settings(), *dir);
    if (state.step >= o.steps)
      throw Error(dir->string() + " is at step " + std::to_string(state.step) + ": --steps must be above it to resume");
    if (state.settings.value("steps", o.steps) != o.steps)
      err << "byt5 train: --steps changed from " << state.settings["steps"].dump() << " to " << o.steps
          << "; the learning rate now decays to zero at step " << o.steps << "\n";
    err << "byt5 train: resuming from " << dir->string() << " (step " << state.step << ")\n";
    return Start{load_params(*dir), Tokenizer::load(*dir), std::move(state), dir};
  }
  if (!o.init.empty()) return Start{load_params(o.init), Tokenizer::load(o.init), {}, std::nullopt};
  ParamSet params(T5Config::load(o.config));
  init_t5_weights(params, o.seed);
  if (o.position_prior != 0.0f) add_position_prior(params, o.position_prior);
  return Start{std::move(params), Tokenizer{}, {}, std::nullopt};
}

Batch batch_of(const TrainSet& set, const std::vector<int>& rows, const T5Config& cfg) {
  std::vector<std::vector<int>> src, tgt;
  for (int r : rows) {
    src.push_back(set.rows[r].source);
    tgt.push_back(set.rows[r].target);
  }
  return make_batch(src, tgt, cfg);
}

void check_vocab(const TrainSet& set, int V, const std::string& what) {
  for (const auto& r : set.rows)
    for (const auto* seq : {&r.source, &r.target})
      for (int id : *seq)
        if (id >= V)
          throw Error(what + ": token id " + std::to_string(id) + " is outside the model's vocabulary (" +
                      std::to_string(V) + ")");
}

}  // namespace

TrainSummary run_training(const TrainOptions& o, std::ostream& out, std::ostream& err, bool terminal) {
  o.validate();
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw Error(o.out + ": cannot create the output directory (" + ec.message() + ")");
  remove_stale_temporaries(o.out);

  if (!o.resume && has_checkpoints(o.out))
    err << "byt5 train: " << o.out << " holds checkpoints of an earlier run; this run replaces them as it goes "
        << "(pass --resume to continue that run instead)\n";
  Start s = prepare(o, err);
  const auto train_examples = data::load_examples({o.train}, data::Selection{"train", {}});
  if (!s.resume_dir && o.label_tokens) add_label_tokens(s, train_examples, o.seed, err);
  ParamSet& params = s.params;
  const T5Config& cfg = params.config();
  const float dropout = o.dropout.value_or(cfg.dropout_rate);

  TrainSet train = tokenize_rows(train_examples, s.tok);
  TrainSet eval;
  if (!o.eval.empty()) {
    auto rows = data::load_examples({o.eval}, data::Selection{"eval", {}});
    if (o.eval_limit > 0) rows = keep_spread(std::move(rows), static_cast<size_t>(o.eval_limit));
    eval = tokenize_rows(rows, s.tok);
  }
  check_vocab(train, cfg.vocab_size, o.train);
  check_vocab(eval, cfg.vocab_size, o.eval);
  const int eval_bs = o.eval_batch_size > 0 ? o.eval_batch_size : o.batch_size;
  const BatchShape shape{std::max(o.batch_size, eval.rows.empty() ? 0 : eval_bs),
                         std::max(train.max_source, eval.max_source), std::max(train.max_target, eval.max_target)};

  // Exact match during training decodes as the exported model will (README: decoding), so that it
  // ranks checkpoints by what ships; data whose parses do not form an inventory decode plainly.
  ConstraintFactory eval_rule;
  if (!eval.rows.empty() && o.eval_constrained) {
    try {
      eval_rule = top::tree_constraint(s.tok, cfg.vocab_size, top::LabelInventory::from_examples(train_examples));
    } catch (const Error& e) {
      err << "byt5 train: in-training exact match decodes unconstrained: " << e.what() << "\n";
    }
  }

  ParamSet grads(cfg);
  AdamW opt(cfg, AdamHyper{0.9f, 0.999f, 1e-8f, o.weight_decay, o.rel_bias_lr_scale});
  if (s.resume_dir) read_optimizer_state(*s.resume_dir, opt);
  LinearContext lin(parse_precision(o.precision));
  lin.refresh_weights(params);
  TrainModel model(params, grads, lin, shape);
  MicroBatchOrder order(train, o.batch_size, o.shuffle, o.seed);
  err << "byt5 train: " << train.rows.size() << " training rows, " << eval.rows.size() << " eval rows; micro-batch "
      << o.batch_size << " x " << o.grad_accum << ", " << o.steps << " steps, " << o.precision << ", dropout "
      << dropout << "; activations " << (model.activation_bytes() >> 20) << " MiB for up to " << shape.Te
      << " source / " << shape.Td << " target tokens\n";

  TrainState& state = s.state;
  state.seed = o.seed;
  state.settings = o.trajectory_settings();
  TrainReport report(fs::path(o.out) / "log.jsonl", state.log, o.steps, terminal && o.progress, err);
  const uint64_t dropout_key = derive_key(o.seed, kDropoutStream);
  auto epoch_of = [&](int64_t micro) { return double(micro) * o.batch_size / double(train.rows.size()); };

  TrainSummary summary;
  while (state.step < o.steps) {
    const auto t0 = std::chrono::steady_clock::now();
    const double lr = linear_schedule_lr(o.lr, state.step, o.steps, o.warmup);
    grads.zero();
    double loss_sum = 0;
    long tokens = 0;
    for (int a = 0; a < o.grad_accum; ++a, ++state.micro_batches) {
      Batch b = batch_of(train, order.rows(state.micro_batches), cfg);
      loss_sum += model.forward(b, DropoutPlan{dropout, derive_key(dropout_key, state.micro_batches)});
      model.backward(1.0f / static_cast<float>(o.grad_accum));
      tokens += b.source_tokens + b.label_tokens;
    }
    const double loss = loss_sum / o.grad_accum;
    if (!std::isfinite(loss))
      throw Error("the training loss is " + std::to_string(loss) + " at step " + std::to_string(state.step + 1) +
                  " (try a lower --lr or --precision fp32)");
    const double norm = o.max_grad_norm > 0 ? clip_grad_norm(grads, o.max_grad_norm) : grad_norm(grads);
    opt.step(params, grads, lr);
    lin.refresh_weights(params);
    ++state.step;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.step(state.step, loss, lr, norm, tokens / std::max(secs, 1e-9), epoch_of(state.micro_batches));
    summary.last_loss = loss;

    const bool last = state.step == o.steps;
    if (!eval.rows.empty() && (last || (o.eval_every > 0 && state.step % o.eval_every == 0))) {
      ParamSet copy(cfg);
      std::memcpy(copy.data(), params.data(), sizeof(float) * params.size());
      T5Model infer(std::move(copy));
      summary.last_eval = evaluate(model, infer, eval, s.tok, eval_bs, eval_rule);
      report.eval(state.step, summary.last_eval->loss, summary.last_eval->exact_match, summary.last_eval->rows,
                  epoch_of(state.micro_batches));
    }
    if (o.save_every > 0 && state.step % o.save_every == 0) {
      state.log = report.history();
      write_checkpoint(o.out, "checkpoint-" + std::to_string(state.step), params, s.tok, &opt, &state);
    }
  }
  report.finish();
  summary.steps = state.step;
  summary.final_dir = fs::path(o.out) / "final";
  write_checkpoint(o.out, "final", params, s.tok, nullptr, nullptr);
  err << "byt5 train: final model in " << summary.final_dir.string() << "\n";
  out << report.table();
  return summary;
}

}  // namespace byt5

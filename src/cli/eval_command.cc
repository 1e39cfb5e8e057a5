// `byt5 eval`: runs a model over TOPv2 data (or takes a predictions file) and prints the metrics
// of docs/METRICS.md per domain; --out also writes metrics.json and predictions.tsv.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/parse_options.h"
#include "core/error.h"
#include "data/topv2.h"
#include "decode/engine.h"
#include "top/evaluate.h"
#include "top/progress.h"

namespace byt5::cli {
namespace {

namespace fs = std::filesystem;

struct EvalOptions {
  std::string model;
  std::string predictions;
  std::string data;
  std::string split = "eval";
  std::vector<std::string> domains;
  size_t limit = 0;  // 0: all rows
  std::string out;
  int batch_size = 16;
  int max_new_tokens = 0;
  DecodingFlags decoding;
};

// Rows handed to the engine at a time: large enough to fill batches, small enough that the
// progress bar moves.
constexpr size_t kChunkRows = 64;

struct ModelRun {
  std::vector<std::string> predictions;
  std::vector<ScoreResult> losses;  // per row
};

// Mean cross-entropy per target token (EOS included) over all rows and per domain.
struct LossBoard {
  ScoreResult overall;
  std::map<std::string, ScoreResult> by_domain;
};

LossBoard loss_board(const std::vector<data::Example>& rows, const std::vector<ScoreResult>& losses) {
  LossBoard b;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (ScoreResult* r : {&b.overall, &b.by_domain[rows[i].domain]}) {
      r->nll_sum += losses[i].nll_sum;
      r->tokens += losses[i].tokens;
    }
  }
  return b;
}

ModelRun run_model(const EvalOptions& o, const std::vector<data::Example>& rows) {
  fs::path dir = o.model.empty() ? default_model_dir() : fs::path(o.model);
  std::cerr << "loading model " << dir.string() << "\n";
  std::unique_ptr<Engine> engine = Engine::load(dir);
  GenerateOptions gen = parse_options(*engine, dir, o.decoding);
  gen.batch_size = o.batch_size;
  gen.max_new_tokens = o.max_new_tokens;
  size_t bs = static_cast<size_t>(o.batch_size);
  size_t chunk = std::max(bs, (kChunkRows + bs - 1) / bs * bs);

  ModelRun run;
  run.predictions.reserve(rows.size());
  top::Progress bar(std::cerr, rows.size(), isatty(fileno(stderr)) == 1);
  for (size_t begin = 0; begin < rows.size(); begin += chunk) {
    size_t end = std::min(rows.size(), begin + chunk);
    std::vector<std::string> inputs;
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = begin; i < end; ++i) {
      inputs.push_back(rows[i].utterance);
      pairs.emplace_back(rows[i].utterance, rows[i].parse);
    }
    std::vector<std::string> out = engine->generate_text(inputs, gen);
    if (out.size() != inputs.size())
      throw Error("the engine returned " + std::to_string(out.size()) + " outputs for " +
                  std::to_string(inputs.size()) + " inputs");
    for (std::string& p : out) run.predictions.push_back(std::move(p));
    for (const ScoreResult& s : engine->score(pairs, o.batch_size)) run.losses.push_back(s);
    bar.update(end);
  }
  bar.finish();
  return run;
}

int run_eval(const EvalOptions& o) {
  data::Selection sel;
  sel.split = o.split;
  sel.domains = o.domains;
  std::vector<data::Example> rows = data::load_examples({fs::path(o.data)}, sel);
  if (rows.empty()) throw Error(o.data + ": no data rows");
  if (o.limit > 0 && rows.size() > o.limit) rows.resize(o.limit);
  top::check_gold(rows);

  std::vector<std::string> predictions;
  std::optional<LossBoard> losses;
  nlohmann::json source = {{"data", o.data}, {"split", o.split}, {"rows", rows.size()}};
  if (!o.predictions.empty()) {
    predictions = top::read_predictions(o.predictions, rows, o.limit > 0);
    source["predictions"] = o.predictions;
  } else {
    ModelRun run = run_model(o, rows);
    predictions = std::move(run.predictions);
    losses = loss_board(rows, run.losses);
    source["model"] = o.model.empty() ? default_model_dir().string() : o.model;
    source["eval_loss_tokens"] = losses->overall.tokens;
    source["decoding"] = o.decoding.describe();
  }

  top::Evaluation ev = top::evaluate(rows, predictions);
  std::cout << top::format_table(ev.board);
  if (losses) {
    std::printf("eval_loss (mean cross-entropy per target token, EOS included):");
    for (const auto& [domain, r] : losses->by_domain) std::printf(" %s %.6f", domain.c_str(), r.mean());
    std::printf("\neval_loss %.6f\n", losses->overall.mean());
  }
  std::cout << std::flush;

  if (!o.out.empty()) {
    fs::path dir(o.out);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot create directory: " + ec.message());
    nlohmann::json metrics = ev.board.to_json();
    if (losses) {
      metrics["eval_loss"] = losses->overall.mean();
      for (const auto& [domain, r] : losses->by_domain) metrics["eval_loss_by_domain"][domain] = r.mean();
    }
    metrics["source"] = source;
    top::write_json(dir / "metrics.json", metrics);
    top::write_predictions(dir / "predictions.tsv", rows, predictions, ev.rows);
    std::cerr << "wrote " << (dir / "metrics.json").string() << " and "
              << (dir / "predictions.tsv").string() << "\n";
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Score TOP parses on TOPv2 data: run a model, or score an existing predictions file");
  CLI::Option* model = cmd->add_option(
      "--model", o->model, "Model directory to run (default: the shipped model, or $BYT5_MODEL)");
  CLI::Option* preds = cmd->add_option(
      "--predictions", o->predictions,
      "Score this TSV instead of running a model: a header with a 'prediction' column, one row "
      "per data row, in data order");
  model->excludes(preds);
  cmd->add_option("--data", o->data,
                  "TSV file, or directory of <domain>_<split>.tsv files (domains in alphabetical order)")
      ->required();
  cmd->add_option("--split", o->split, "Split a --data directory contributes")
      ->capture_default_str();
  cmd->add_option("--domain", o->domains, "Keep only these domains (repeat or comma-separate)")
      ->delimiter(',');
  cmd->add_option("--limit", o->limit, "Use only the first N rows")->check(CLI::PositiveNumber);
  cmd->add_option("--out", o->out, "Write metrics.json and predictions.tsv to this directory");
  cmd->add_option("--batch-size", o->batch_size, "Inputs decoded together by greedy decoding (--beams 1); beam search takes one at a time")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-new-tokens", o->max_new_tokens,
                  "Longest output in tokens (0: the engine's default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_decoding_flags(*cmd, o->decoding);
  cmd->callback([&run, o] { run = [o] { return run_eval(*o); }; });
}

}  // namespace byt5::cli

// byt5 bench: the latency a user of `byt5 parse` sees for one utterance, measured over a data split.
// Each utterance is parsed alone (batch 1, the same call `parse` makes: tokenize, encode, decode,
// detokenize), after a few warm-up parses; the model load is not counted. Prints the median and
// tail latencies, so that a target like "under 100 ms median on 2 cores" can be checked.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/parse_options.h"
#include "core/error.h"
#include "data/topv2.h"
#include "decode/engine.h"

namespace byt5::cli {

namespace fs = std::filesystem;

namespace {

double percentile(const std::vector<double>& sorted, double p) {
  const double pos = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

void add_bench_command(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model, data, split = "eval";
    int limit = 0, warmup = 5, stride = 1;
    bool json = false, no_draft = false;
    DecodingFlags decoding;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("bench", "Latency of parsing one utterance at a time over a TOPv2 split "
                                          "(median, p90, p99; model load not counted)");
  sub->add_option("--model", o->model, "Model directory (default: the shipped model)")->check(CLI::ExistingDirectory);
  sub->add_option("--data", o->data, "TOPv2 .tsv file, or a directory of <domain>_<split>.tsv files")
      ->required()
      ->check(CLI::ExistingPath);
  sub->add_option("--split", o->split, "Which split a directory contributes (default eval)");
  sub->add_option("--limit", o->limit, "Time only the first N utterances (after --stride); 0: all")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--stride", o->stride, "Take every Nth utterance (a spread-out sample of a large split)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--warmup", o->warmup, "Untimed parses before timing")->check(CLI::NonNegativeNumber);
  sub->add_flag("--no-draft", o->no_draft, "Plain one-token-per-pass greedy instead of draft-and-verify");
  add_decoding_flags(*sub, o->decoding);
  sub->add_flag("--json", o->json, "Print the summary as one JSON object");
  sub->callback([o, &run] {
    run = [o] {
      const auto examples = data::load_examples({fs::path(o->data)}, data::Selection{o->split, {}});
      std::vector<std::string> texts;
      for (size_t i = 0; i < examples.size(); i += static_cast<size_t>(o->stride)) {
        texts.push_back(examples[i].utterance);
        if (o->limit > 0 && texts.size() == static_cast<size_t>(o->limit)) break;
      }
      if (texts.empty()) throw Error(o->data + ": no utterances to time");
      const fs::path dir = o->model.empty() ? default_model_dir() : fs::path(o->model);
      auto engine = Engine::load(dir);
      GenerateOptions gen = parse_options(*engine, dir, o->decoding);
      gen.batch_size = 1;
      gen.draft = !o->no_draft;
      for (int i = 0; i < o->warmup; ++i) engine->generate_text({texts[static_cast<size_t>(i) % texts.size()]}, gen);

      std::vector<double> ms;
      ms.reserve(texts.size());
      size_t out_bytes = 0;
      for (const auto& t : texts) {
        const auto t0 = std::chrono::steady_clock::now();
        auto parse = engine->generate_text({t}, gen);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        out_bytes += parse[0].size();
      }
      double total = 0;
      for (double v : ms) total += v;
      std::sort(ms.begin(), ms.end());
      nlohmann::json r = {{"model", dir.string()},
                          {"utterances", ms.size()},
                          {"draft", gen.draft && gen.num_beams == 1},  // beam search never drafts
                          {"constrained", !o->decoding.unconstrained},
                          {"beams", o->decoding.beams},
                          {"median_ms", percentile(ms, 0.5)},
                          {"mean_ms", total / static_cast<double>(ms.size())},
                          {"p90_ms", percentile(ms, 0.9)},
                          {"p99_ms", percentile(ms, 0.99)},
                          {"max_ms", ms.back()},
                          {"utterances_per_s", 1000.0 * static_cast<double>(ms.size()) / total},
                          {"output_bytes", out_bytes}};
      if (o->json) {
        std::cout << r.dump() << "\n";
      } else {
        const std::string how = o->decoding.beams > 1 ? o->decoding.describe()
                                : (gen.draft ? "draft-and-verify " : "plain ") + o->decoding.describe();
        std::printf("%zu utterances, one at a time (%s): median %.1f ms, mean %.1f ms, p90 %.1f ms, p99 %.1f ms, "
                    "max %.1f ms; %.1f utterances/s\n",
                    ms.size(), how.c_str(), r["median_ms"].get<double>(),
                    r["mean_ms"].get<double>(), r["p90_ms"].get<double>(), r["p99_ms"].get<double>(),
                    ms.back(), r["utterances_per_s"].get<double>());
      }
      return 0;
    };
  });
}

}  // namespace byt5::cli

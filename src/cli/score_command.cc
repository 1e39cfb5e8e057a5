// byt5 score: teacher-forced mean cross-entropy of `target` given `source` per stdin line.
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/io_util.h"
#include "core/error.h"
#include "decode/engine.h"

namespace byt5::cli {

void add_score_command(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model;
    int batch_size = 16;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand(
      "score", "Read source<TAB>target lines; print the mean cross-entropy (nats) over target tokens + EOS");
  sub->add_option("--model", o->model, "Hugging Face model directory")->required()->check(CLI::ExistingDirectory);
  sub->add_option("--batch-size", o->batch_size, "Pairs scored together")->check(CLI::PositiveNumber);
  sub->callback([o, &run] {
    run = [o] {
      auto lines = read_lines(std::cin);
      std::vector<std::pair<std::string, std::string>> pairs;
      for (size_t i = 0; i < lines.size(); ++i) {
        auto tab = lines[i].find('\t');
        if (tab == std::string::npos)
          throw Error("stdin line " + std::to_string(i + 1) + ": expected source<TAB>target");
        pairs.emplace_back(lines[i].substr(0, tab), lines[i].substr(tab + 1));
      }
      auto engine = Engine::load(o->model);
      for (const auto& r : engine->score(pairs, o->batch_size)) std::printf("%.9g\n", r.mean());
      return 0;
    };
  });
}

}  // namespace byt5::cli

// byt5 generate: greedy decoding of stdin lines, one output line per input line.
#include <iostream>

#include "cli/command.h"
#include "cli/io_util.h"
#include "decode/engine.h"

namespace byt5::cli {

void add_generate_command(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model;
    int max_new_tokens = 0;
    int batch_size = 16;
    bool ids = false;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("generate", "Greedy-decode each stdin line with a model; print one line per input (newlines in outputs as \\n)");
  sub->add_option("--model", o->model, "Hugging Face model directory")->required()->check(CLI::ExistingDirectory);
  sub->add_option("--max-new-tokens", o->max_new_tokens,
                  "Most tokens generated per input (default " + std::to_string(kDefaultMaxNewTokens) + ")")
      ->check(CLI::PositiveNumber);
  sub->add_option("--batch-size", o->batch_size, "Inputs decoded together")->check(CLI::PositiveNumber);
  sub->add_flag("--ids", o->ids, "Print generated token ids (no start token; final EOS if produced)");
  sub->callback([o, &run] {
    run = [o] {
      auto engine = Engine::load(o->model);
      auto lines = read_lines(std::cin);
      GenerateOptions opt;
      opt.max_new_tokens = o->max_new_tokens;
      opt.batch_size = o->batch_size;
      if (o->ids) {
        for (const auto& seq : engine->generate_ids(lines, opt)) {
          for (size_t i = 0; i < seq.size(); ++i) std::cout << (i ? " " : "") << seq[i];
          std::cout << "\n";
        }
      } else {
        for (const auto& text : engine->generate_text(lines, opt)) std::cout << one_line(text) << "\n";
      }
      return 0;
    };
  });
}

}  // namespace byt5::cli

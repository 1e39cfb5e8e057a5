// byt5 parse: the user-facing front end. Text in, TOP intent/slot tree out.
#include <iostream>

#include "cli/command.h"
#include "cli/io_util.h"
#include "cli/parse_options.h"
#include "core/error.h"
#include "decode/engine.h"
#include "io/tokenizer.h"
#include "top/json.h"

namespace byt5::cli {

void add_parse_command(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model;
    std::vector<std::string> texts;
    int batch_size = 16;
    int max_new_tokens = 0;
    bool json = false;
    DecodingFlags decoding;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("parse", "Parse requests into TOP trees (text arguments, or stdin lines)");
  sub->add_option("--model", o->model, "Model directory (default: the shipped model)")->check(CLI::ExistingDirectory);
  sub->add_option("--batch-size", o->batch_size, "Inputs decoded together by greedy decoding (--beams 1); beam search takes one at a time")->check(CLI::PositiveNumber);
  sub->add_option("--max-new-tokens", o->max_new_tokens, "Most tokens generated per input (default: 3 per input byte + 200, at most 1024; enough for every TOPv2 parse)")->check(CLI::PositiveNumber);
  sub->add_flag("--json", o->json,
                "Print each parse as a JSON object (intents, slots with text and character spans; valid:false "
                "with the error for an ill-formed prediction)");
  add_decoding_flags(*sub, o->decoding);
  sub->add_option("text", o->texts, "Requests to parse; stdin lines when none are given");
  sub->callback([o, &run] {
    run = [o] {
      auto lines = o->texts.empty() ? read_lines(std::cin) : o->texts;
      for (size_t i = 0; i < lines.size(); ++i)
        if (drop_invalid_utf8(lines[i]).size() != lines[i].size())
          throw Error("input " + std::to_string(i + 1) + " is not valid UTF-8");
      std::filesystem::path dir = o->model;
      if (dir.empty()) {
        DefaultModel d = default_model();
        if (d.placeholder)
          std::cerr << "byt5: note: no trained model ships in models/default yet; using the random test model "
                    << d.dir.string() << " (its output is not a meaningful parse)\n";
        dir = d.dir;
      }
      auto engine = Engine::load(dir);
      GenerateOptions gen = parse_options(*engine, dir, o->decoding);
      gen.max_new_tokens = o->max_new_tokens;
      gen.batch_size = o->batch_size;
      auto parses = engine->generate_text(lines, gen);
      for (size_t i = 0; i < parses.size(); ++i) {
        if (o->json)
          std::cout << top::tree_to_json(lines[i], parses[i]).dump() << "\n";
        else
          std::cout << one_line(parses[i]) << "\n";
      }
      return 0;
    };
  });
}

}  // namespace byt5::cli

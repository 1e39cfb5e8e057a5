// byt5 export: turn a checkpoint (a training run's checkpoint-STEP/ or final/, or any Hugging Face
// model directory) into a self-contained model directory to ship: config.json, model.safetensors
// in the chosen dtype, added_tokens.json when the vocabulary has added tokens, and optionally the
// label inventory (labels.json) of the data it was trained on. Optimizer and resume files are left
// behind. With --average, the weights written are the mean of --model's and those models'.
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "core/error.h"
#include "data/topv2.h"
#include "io/tokenizer.h"
#include "model/checkpoint.h"
#include "model/param_average.h"
#include "top/labels.h"

namespace byt5::cli {

namespace fs = std::filesystem;

void add_export_command(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model, out, dtype = "bf16", labels_from;
    std::vector<std::string> average;
    bool overwrite = false;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("export", "Write a model directory to ship: config, weights (bf16 or f32), added "
                                           "tokens and the label inventory, without training state");
  sub->add_option("--model", o->model, "Model directory to read (e.g. a run's checkpoint-STEP or final)")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--out", o->out, "Directory to write (must not exist, or be empty)")->required();
  sub->add_option("--dtype", o->dtype, "Stored weight type: bf16 halves the size, f32 keeps every bit")
      ->check(CLI::IsMember({"bf16", "f32"}));
  sub->add_option("--labels-from", o->labels_from,
                  "TOPv2 .tsv file or directory of <domain>_train.tsv files: write its label inventory to labels.json");
  sub->add_option("--average", o->average,
                  "Another model directory of the same config and added tokens (repeatable): write the mean "
                  "of its weights and --model's (checkpoint averaging)")
      ->check(CLI::ExistingDirectory);
  sub->add_flag("--overwrite", o->overwrite, "Replace the model files of a non-empty --out");
  sub->callback([o, &run] {
    run = [o] {
      const fs::path out(o->out);
      if (fs::exists(out) && !fs::is_directory(out)) throw Error(o->out + " exists and is not a directory");
      if (fs::exists(out) && !fs::is_empty(out) && !o->overwrite)
        throw Error(o->out + " is not empty (pass --overwrite to replace its model files)");
      std::vector<fs::path> models{fs::path(o->model)};
      models.insert(models.end(), o->average.begin(), o->average.end());
      for (std::size_t i = 0; i < models.size(); ++i)
        if (fs::exists(out) && fs::equivalent(out, models[i]))
          throw Error(i == 0 ? "--out must differ from --model" : "--out must differ from every --average");
      // Read everything first, so that a bad input leaves --out untouched.
      const Tokenizer tok = Tokenizer::load(o->model);
      for (const auto& dir : o->average)
        if (Tokenizer::load(dir).added_tokens() != tok.added_tokens())
          throw Error(dir + " has other added tokens than " + o->model + ": only models of one vocabulary can be averaged");
      const ParamSet params = average_params(models);
      std::optional<top::LabelInventory> labels;
      if (!o->labels_from.empty())
        labels = top::LabelInventory::from_examples(
            data::load_examples({fs::path(o->labels_from)}, data::Selection{"train", {}}));

      save_params(out, params, o->dtype == "bf16" ? DType::BF16 : DType::F32);
      const fs::path added = out / "added_tokens.json";
      const bool has_added = tok.vocab_size() > Tokenizer::kBaseVocab;  // labels added to the vocabulary
      if (has_added) {
        tok.save_added_tokens(added);
      } else if (fs::exists(added)) {
        fs::remove(added);
      }
      if (labels) labels->save(out / "labels.json");
      std::cerr << "byt5 export: wrote " << out.string() << " (" << params.size() << " parameters, " << o->dtype
                << (has_added ? ", added_tokens.json" : "") << (labels ? ", labels.json" : "")
                << (o->average.empty() ? "" : ", mean of " + std::to_string(models.size()) + " models")
                << ")\n";
      return 0;
    };
  });
}

}  // namespace byt5::cli

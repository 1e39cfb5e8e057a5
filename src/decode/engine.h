// Engine: a loaded checkpoint (config, weights, tokenizer) plus what inference needs, behind the
// calls the CLI subcommands (parse, generate, score, eval, bench) use.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "decode/token_constraint.h"

namespace byt5 {

class Tokenizer;
struct T5Config;
class T5Model;

// Attention memory grows with the square of the input: refuse absurd requests up front.
inline constexpr int kDefaultMaxInputTokens = 4096;

struct GenerateOptions {
  int max_new_tokens = 0;  // 0: enough for the longest TOPv2 parse (see kDefaultMaxNewTokens)
  int batch_size = 16;     // inputs decoded together
  int max_input_tokens = kDefaultMaxInputTokens;  // longer inputs are refused with an error
  // A batch of one is decoded draft-and-verify (drafts copied from the input): same ids, fewer
  // decoder passes. Off: plain one-token-per-pass greedy.
  bool draft = true;
  // With max_new_tokens 0 and tokens_per_input_byte > 0: an input of n bytes gets at most
  // tokens_per_input_byte * n + tokens_base new tokens (and never more than the default), each
  // row on its own. For outputs whose length follows the input's, such as TOP parses
  // (top/parse_length.h): a model that loops stops early instead of holding its batch for 1024 steps.
  int tokens_per_input_byte = 0;
  int tokens_base = 0;
  // Constrained decoding: each input's rule (e.g. top::tree_constraint). Empty: plain greedy,
  // Hugging Face's output.
  ConstraintFactory constraint;
  // Above 1: beam search (decode/beam.h), one input at a time, with this many beams; the result
  // is the finished hypothesis with the best summed log-probability / length^length_penalty.
  int num_beams = 1;
  float length_penalty = 1.0f;
};

// The longest TOPv2 parse is ~700 bytes; labels as single tokens make it shorter.
inline constexpr int kDefaultMaxNewTokens = 1024;

struct ScoreResult {
  double nll_sum = 0;   // summed cross-entropy (natural log) over target tokens + EOS
  int64_t tokens = 0;   // number of target tokens + EOS
  double mean() const { return tokens ? nll_sum / tokens : 0.0; }
};

class Engine {
 public:
  // Loads a Hugging Face model directory (config.json, weights, optional added_tokens.json).
  static std::unique_ptr<Engine> load(const std::filesystem::path& dir);
  ~Engine();

  const T5Config& config() const;
  const Tokenizer& tokenizer() const;
  T5Model& model();

  // Greedy decoding (beam search with num_beams > 1); one result per input, in input order. Ids exclude the start token and include
  // the final EOS when it was produced.
  std::vector<std::vector<int>> generate_ids(const std::vector<std::string>& inputs,
                                             const GenerateOptions& opt = {});
  std::vector<std::string> generate_text(const std::vector<std::string>& inputs,
                                         const GenerateOptions& opt = {});
  // Teacher-forced cross-entropy of target given source, per pair.
  std::vector<ScoreResult> score(const std::vector<std::pair<std::string, std::string>>& pairs,
                                 int batch_size = 16);

 private:
  Engine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The model `byt5 parse` uses without --model: $BYT5_MODEL, else the repository's models/default
// (found by walking up from the executable). Until a trained model ships there, the random test
// model tests/fixtures/hf-tiny stands in, with placeholder set so the caller can say so.
struct DefaultModel {
  std::filesystem::path dir;
  bool placeholder = false;
};
DefaultModel default_model();
inline std::filesystem::path default_model_dir() { return default_model().dir; }

}  // namespace byt5

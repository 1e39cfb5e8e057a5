// What `parse`, `eval` and `bench` share: how a TOP parse is generated. Generation is capped by
// the request's length (top/parse_length.h), constrained to trees over the request
// (top/tree_constraint.h) unless --unconstrained, and searched with kParseBeams beams unless
// --beams says otherwise (1: greedy).
#pragma once
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "decode/engine.h"
#include "io/tokenizer.h"
#include "model/config.h"
#include "top/parse_length.h"
#include "top/tree_constraint.h"

namespace byt5::cli {

// Beam search with 4 beams gains 0.7-3 points of exact match over greedy on TOPv2, depending on
// the model (MODELS.md), and keeps a parse well under 100 ms on 2 cores (BENCHMARKS.md); more
// beams gain little.
inline constexpr int kParseBeams = 4;

struct DecodingFlags {
  bool unconstrained = false;
  int beams = kParseBeams;
  float length_penalty = 1.0f;

  // How the run decoded, for reports: "greedy", "beam search (4 beams), constrained to trees", ...
  std::string describe() const {
    std::string s = beams > 1 ? "beam search (" + std::to_string(beams) + " beams)" : "greedy";
    return unconstrained ? s : s + ", constrained to trees";
  }
};

inline void add_decoding_flags(CLI::App& cmd, DecodingFlags& f) {
  cmd.add_flag("--unconstrained", f.unconstrained,
               "Decode without the rule that the output be a well-formed tree over each request's words "
               "(with --beams 1: Hugging Face's greedy output)");
  cmd.add_option("--beams", f.beams,
                 "Beam search with this many beams, one request at a time (default " + std::to_string(kParseBeams) +
                     "); 1: greedy decoding, in batches")
      ->check(CLI::Range(1, 64));
  cmd.add_option("--length-penalty", f.length_penalty,
                 "Beam search ranks finished parses by summed log-probability / length^this (default 1, "
                 "as Hugging Face)");
}

// Options for parsing with `engine`, loaded from `model_dir` (whose labels.json, if any, feeds
// the constraint); callers add batch size, drafting and explicit caps.
inline GenerateOptions parse_options(Engine& engine, const std::filesystem::path& model_dir, const DecodingFlags& f) {
  GenerateOptions gen;
  gen.tokens_per_input_byte = top::kParseTokensPerUtteranceByte;
  gen.tokens_base = top::kParseTokensBase;
  gen.num_beams = f.beams;
  gen.length_penalty = f.length_penalty;
  if (!f.unconstrained)
    gen.constraint = top::tree_constraint_for_model(engine.tokenizer(), engine.config().vocab_size, model_dir);
  return gen;
}

}  // namespace byt5::cli

// What `parse`, `eval` and `bench` share: how a TOP parse is generated. Generation is capped by
// the request's length (top/parse_length.h) and, unless --unconstrained, constrained to trees
// over the request (top/tree_constraint.h).
#pragma once
#include <filesystem>

#include <CLI/CLI.hpp>

#include "decode/engine.h"
#include "io/tokenizer.h"
#include "model/config.h"
#include "top/parse_length.h"
#include "top/tree_constraint.h"

namespace byt5::cli {

inline void add_unconstrained_flag(CLI::App& cmd, bool& unconstrained) {
  cmd.add_flag("--unconstrained", unconstrained,
               "Plain greedy decoding (Hugging Face's output) instead of decoding constrained to a "
               "well-formed tree over each request's words");
}

// Options for parsing with `engine`, loaded from `model_dir` (whose labels.json, if any, feeds
// the constraint); callers add batch size, drafting and explicit caps.
inline GenerateOptions parse_options(Engine& engine, const std::filesystem::path& model_dir, bool unconstrained) {
  GenerateOptions gen;
  gen.tokens_per_input_byte = top::kParseTokensPerUtteranceByte;
  gen.tokens_base = top::kParseTokensBase;
  if (!unconstrained)
    gen.constraint = top::tree_constraint_for_model(engine.tokenizer(), engine.config().vocab_size, model_dir);
  return gen;
}

}  // namespace byt5::cli

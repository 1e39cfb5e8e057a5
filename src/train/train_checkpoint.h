// Training checkpoints: OUT/checkpoint-STEP/ is a Hugging Face model directory (config.json,
// model.safetensors in f32, added_tokens.json when the vocabulary has added tokens) plus what
// --resume needs: optimizer.safetensors (Adam's exp_avg.NAME and exp_avg_sq.NAME, f32) and
// train_state.json (step, data position, seed, the run's settings, the log so far, and the
// size and digest of every other file). A directory is written as OUT/.checkpoint-STEP.tmp and
// renamed into place when complete, so a kill at any moment leaves the previous checkpoints
// intact; --resume takes the newest checkpoint whose files match its train_state.json.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/tokenizer.h"
#include "model/weights.h"
#include "train/optimizer.h"

namespace byt5 {

struct TrainState {
  int64_t step = 0;           // optimizer steps completed
  int64_t micro_batches = 0;  // micro-batches consumed (the data position)
  uint64_t seed = 0;          // dropout masks and shuffling derive from (seed, micro-batch index)
  nlohmann::json settings;    // the options that shape the trajectory
  nlohmann::json log = nlohmann::json::array();  // every log.jsonl record so far
};

// Writes a model directory (config.json, model.safetensors, added_tokens.json when tok has added
// tokens) and, when opt and state are given, the resume files; atomically as OUT/NAME.
void write_checkpoint(const std::filesystem::path& out, const std::string& name, const ParamSet& params,
                      const Tokenizer& tok, const AdamW* opt, const TrainState* state);

// Empty when dir is a complete checkpoint, else what is wrong with it.
std::string checkpoint_problem(const std::filesystem::path& dir);

// The newest complete OUT/checkpoint-STEP; skipped incomplete ones are described in `skipped`.
std::optional<std::filesystem::path> find_resume_checkpoint(const std::filesystem::path& out,
                                                            std::vector<std::string>* skipped = nullptr);

// Whether OUT has any checkpoint-STEP directory (complete or not).
bool has_checkpoints(const std::filesystem::path& out);

TrainState read_train_state(const std::filesystem::path& dir);
void read_optimizer_state(const std::filesystem::path& dir, AdamW& opt);

// Removes OUT/.*.tmp directories that an interrupted run left behind.
void remove_stale_temporaries(const std::filesystem::path& out);

}  // namespace byt5

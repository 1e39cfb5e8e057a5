// `byt5 train`: the fine-tuning loop of the model card, exact to Hugging Face's Trainer in fp32
// (see docs/TRAINING.md): per optimizer step, grad_accum micro-batches of forward + backward with
// loss / grad_accum, global gradient-norm clipping, AdamW ("adamw_hf") at the linear schedule's
// rate; evaluation, resumable checkpoints, and the final Hugging Face model in OUT/final.
#pragma once
#include <filesystem>
#include <optional>
#include <ostream>

#include "train/train_eval.h"
#include "train/train_options.h"

namespace byt5 {

struct TrainSummary {
  int64_t steps = 0;          // optimizer steps completed (including a resumed run's earlier ones)
  double last_loss = 0;       // the last step's loss
  std::optional<EvalResult> last_eval;
  std::filesystem::path final_dir;
};

// Runs (or, with options.resume, continues) a training run. `out` receives the final table,
// `err` the progress display and notes. Throws byt5::Error for anything the user can fix.
TrainSummary run_training(const TrainOptions& options, std::ostream& out, std::ostream& err, bool terminal);

}  // namespace byt5

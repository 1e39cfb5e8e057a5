// Evaluation during training: the eval loss as Hugging Face's Trainer reports it (each batch's
// mean token cross-entropy, averaged over rows), and exact match: greedy decoding with the
// inference engine's T5Model (constrained by `rule` when given), the ids decoded with the
// tokenizer and compared with the gold parse string byte for byte.
#pragma once
#include "decode/token_constraint.h"
#include "io/tokenizer.h"
#include "model/t5_model.h"
#include "train/train_data.h"
#include "train/train_model.h"

namespace byt5 {

struct EvalResult {
  double loss = 0;
  double exact_match = 0;
  int rows = 0;
};

// Eval batches hold batch_size rows in file order (for the loss) or sorted by length (decoding).
// infer must hold the weights being evaluated. Generation is never capped below what the gold
// parse needs: max_new_tokens = the longest gold parse of the batch in bytes + 2.
// rule (may be empty) builds each row's decoding constraint from its utterance.
EvalResult evaluate(TrainModel& model, T5Model& infer, const TrainSet& eval, const Tokenizer& tok, int batch_size,
                    const ConstraintFactory& rule = {});

}  // namespace byt5

// Beam search, following Hugging Face 4.24's generate(num_beams=K) for one input: each step
// keeps the K best continuations by summed log-probability (log-softmax over the full
// vocabulary, in fp32), a continuation ending in EOS becomes a finished hypothesis scored
// sum / length^length_penalty (length counts the start token, not the EOS), and the search stops
// once K hypotheses are finished and no running beam can beat the worst of them (early_stopping
// off). With a constraint, each beam's disallowed tokens score -inf, as HF's
// prefix_allowed_tokens_fn does.
#pragma once
#include <vector>

#include "decode/token_constraint.h"
#include "model/t5_model.h"

namespace byt5 {

// Scores the next token for a fixed number of beam rows. The search calls step() with, for each
// row, the row it continues (parents) and the token it appends; the stepper reorders its state to
// the parents, feeds the tokens and writes the logits (rows, vocab_size).
class BeamStepper {
 public:
  virtual ~BeamStepper() = default;
  virtual int vocab_size() const = 0;
  virtual void step(const std::vector<int>& parents, const std::vector<int>& tokens, float* logits) = 0;
};

struct BeamResult {
  std::vector<int> ids;  // without the start token; with the final EOS when it was produced
  float score = 0;       // sum of the ids' log-probabilities / length^length_penalty
  float logprob = 0;     // sum of the ids' log-probabilities (EOS included)
};

// The search over `stepper`, which has num_beams rows; the first call feeds `start` to every row.
// `constraint` (may be null) is the rule for the empty output; each beam follows its own copy.
BeamResult beam_search(BeamStepper& stepper, int num_beams, int max_new_tokens, int start_id, int eos_id,
                       const TokenConstraint* constraint = nullptr, float length_penalty = 1.0f);

// Beam search of one input (token ids ending in EOS) over `model`.
BeamResult beam_decode(T5Model& model, const std::vector<int>& input, int num_beams, int max_new_tokens,
                       const TokenConstraint* constraint = nullptr, float length_penalty = 1.0f);

}  // namespace byt5

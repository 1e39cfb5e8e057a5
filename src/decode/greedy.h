// Batched greedy decoding over a T5Model, exact to Hugging Face generate(num_beams=1).
#pragma once
#include <functional>
#include <vector>

#include "decode/token_constraint.h"
#include "model/t5_model.h"

namespace byt5 {

// Drafted tokens verified per decoder pass.
inline constexpr int kDefaultMaxDraft = 8;

// Proposes up to `max` tokens likely to follow `generated` (the tokens produced so far).
using Drafter = std::function<std::vector<int>(const std::vector<int>& generated, int max)>;

// One batch: token ids per input (each ending in EOS). Returns the generated ids per row (without the
// start token, with the final EOS when produced), at most max_new_tokens each, and at most
// row_limits[b] for row b when row_limits is given (a row stops there as if decoded alone).
// With constraints (one per row, null entries free), each row takes its best allowed token.
std::vector<std::vector<int>> greedy_decode(T5Model& model, const std::vector<std::vector<int>>& inputs,
                                            int max_new_tokens, const std::vector<int>* row_limits = nullptr,
                                            const std::vector<TokenConstraint*>* constraints = nullptr);

// Greedy decoding of one input that verifies drafted tokens in a single decoder pass and keeps the
// longest prefix greedy agrees with (plus greedy's own next token). The result is identical to
// greedy_decode: a row's logits do not depend on how many positions are fed together (with the
// same constraint, when one is given).
std::vector<int> greedy_decode_drafted(T5Model& model, const std::vector<int>& input, int max_new_tokens,
                                       const Drafter& drafter, int max_draft = kDefaultMaxDraft,
                                       TokenConstraint* constraint = nullptr);

// Drafts by copying: finds the longest recent suffix of `generated` (up to 8 tokens) in `source` and
// proposes the source tokens that follow it. TOP parses copy most bytes from the utterance.
Drafter copy_drafter(const std::vector<int>& source, int eos_id);

// Pads a batch of id sequences to the longest: ids (B, T) with pad, mask (B, T) 1/0.
int pad_batch(const std::vector<std::vector<int>>& seqs, int pad_id, std::vector<int>& ids, std::vector<float>& mask);

}  // namespace byt5

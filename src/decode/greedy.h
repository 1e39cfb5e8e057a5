// Batched greedy decoding over a T5Model, exact to Hugging Face generate(num_beams=1).
#pragma once
#include <vector>

#include "model/t5_model.h"

namespace byt5 {

// One batch: token ids per input (each ending in EOS). Returns the generated ids per row (without the
// start token, with the final EOS when produced), at most max_new_tokens each.
std::vector<std::vector<int>> greedy_decode(T5Model& model, const std::vector<std::vector<int>>& inputs,
                                            int max_new_tokens);

// Pads a batch of id sequences to the longest: ids (B, T) with pad, mask (B, T) 1/0.
int pad_batch(const std::vector<std::vector<int>>& seqs, int pad_id, std::vector<int>& ids, std::vector<float>& mask);

}  // namespace byt5

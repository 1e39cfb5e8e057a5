// Weights for a fresh model and for a grown vocabulary, as Hugging Face makes them:
// T5PreTrainedModel._init_weights (transformers 4.24) for --config, resize_token_embeddings for
// --label-tokens. Values come from our seeded RNG (not torch's), so they match HF in
// distribution, not bit for bit.
#pragma once
#include <cstdint>

#include "model/weights.h"

namespace byt5 {

// With f = initializer_factor, C = d_model: every RMSNorm weight = f; shared (and an untied
// lm_head) ~ N(0, f); attention q ~ N(0, f (C d_kv)^-1/2), k and v ~ N(0, f C^-1/2),
// o ~ N(0, f (H d_kv)^-1/2), relative_attention_bias ~ N(0, f C^-1/2); FFN wi* ~ N(0, f C^-1/2),
// wo ~ N(0, f d_ff^-1/2).
void init_t5_weights(ParamSet& params, uint64_t seed);

// A copy of params with vocab_size = new_vocab (>= the old one). Old rows are kept; new rows of
// shared.weight ~ N(0, 1) (HF gives the new nn.Embedding torch's default init, which T5's
// _init_weights leaves alone) and of an untied lm_head ~ U(-C^-1/2, C^-1/2) (nn.Linear's default).
ParamSet resize_vocab(const ParamSet& params, int new_vocab, uint64_t seed);

// Our own option for training from scratch (not Hugging Face's init): adds `strength` to the
// relative-position bias of one offset per head, so that attention to a neighbour is sharp from
// the first step. Encoder heads get offsets -1, +1, -2, +2, ..., decoder heads -1, -2, -3, ...;
// the last head of each stack keeps a flat bias (content-only attention). Copying from the input
// needs exactly such neighbour attention (each byte must know the bytes beside it), and without
// it a fresh model spends thousands of steps on a plateau before it starts to copy.
void add_position_prior(ParamSet& params, float strength);

}  // namespace byt5

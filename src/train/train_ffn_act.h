// The FFN nonlinearity for the training backward, fused so that gelu_new's tanh is evaluated once
// per element in backward (T5 v1.1's gated-GELU spends most of its elementwise time in tanh):
// the recompute of wo's input stashes tanh(u), and the gradient reuses it. Same float arithmetic
// as ops/ffn_act (activation, activation_grad), so fp32 results are bit-identical to it (bf16
// runs take a cheaper float tanh).
#pragma once
#include "model/config.h"
#include "ops/dropout.h"

namespace byt5 {

// g = dropout(act(a) * b) (b null: act(a)); for gelu_new, stash = tanh(u) when not null (else
// untouched). The forward pass and the backward's recompute both call it, with the same
// fast_tanh: gelu_new_forward_fast (bf16 runs) or the exact gelu_new_forward (fp32 runs, which
// must match Hugging Face's gradients).
void ffn_act_recompute(float* g, float* stash, const float* a, const float* b, long n, Activation act,
                       const DropoutSpec& drop, bool fast_tanh);
// da = dg * act'(a) * b, db = dg * act(a) (assigned; db skipped when b is null), given the stash.
// da may alias stash and db may alias dg (element by element).
void ffn_act_backward_stashed(float* da, float* db, const float* dg, const float* a, const float* b,
                              const float* stash, long n, Activation act);

}  // namespace byt5

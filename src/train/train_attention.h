// T5 attention for training: the same arithmetic as ops/attention (no 1/sqrt(d) scaling, additive
// bias, masked keys get probability 0), plus Hugging Face's dropout on the attention
// probabilities: out = dropout(softmax(q k^T + bias + mask)) v. The probabilities are saved
// before dropout; backward recomputes the dropout mask from its key.
// Layout as in ops/attention.h: rows of q/k/v/out hold the H heads side by side (H * D wide).
#pragma once
#include "ops/attention.h"
#include "ops/dropout.h"

namespace byt5 {

// q (B, Tq, H*D), k/v (B, Tk, H*D) with the strides of s; bias (H, Tq, Tk) or null; key_mask
// (B, Tk) 1/0 or null. probs (B, H, Tq, Tk) (saved, before dropout); out (B, Tq, H*D).
// Probability (b, h, i, j) is dropout element ((b*H + h)*Tq + i)*Tk + j.
void attention_train_forward(float* out, float* probs, const float* q, const float* k, const float* v,
                             const float* bias, const float* key_mask, const AttentionShape& s,
                             const DropoutSpec& drop);

// dq, dk, dv (assigned, layouts of q, k, v); dscores (B, H, Tq, Tk) (assigned: the gradient of
// the pre-softmax scores); dbias (H, Tq, Tk) += dscores summed over the batch (may be null).
void attention_train_backward(float* dq, float* dk, float* dv, float* dscores, float* dbias, const float* dout,
                              const float* probs, const float* q, const float* k, const float* v,
                              const AttentionShape& s, const DropoutSpec& drop);

}  // namespace byt5

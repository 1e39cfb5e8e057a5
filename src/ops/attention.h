// T5 attention core (no 1/sqrt(d) scaling): probs = softmax(q k^T + bias + mask),
// out = dropout(probs) v, with Hugging Face's dropout on the probabilities during training (none
// in inference: the default DropoutSpec). Heads live side by side in the rows: q, k, v, out rows
// are (H * D) wide.
#pragma once

#include "ops/dropout.h"

namespace byt5 {

struct AttentionShape {
  int B = 1;       // batch
  int Tq = 1;      // query positions
  int Tk = 1;      // key positions
  int H = 1;       // heads
  int D = 1;       // d_kv
  long q_bstride = 0;   // floats between batch rows of q and out (usually Tq * H * D)
  long kv_bstride = 0;  // floats between batch rows of k and v (a KV cache may be longer than Tk)
  // Causal masking: key j is visible to query i iff j <= i + q_offset. Ignored when !causal.
  bool causal = false;
  int q_offset = 0;
};

// q (B, Tq, H*D), k/v (B, Tk, H*D) with the strides above; bias (H, Tq, Tk) shared over the batch or
// null; key_mask (B, Tk) with 1 = attend, 0 = padding, or null. probs (B, H, Tq, Tk) is written
// when non-null (before dropout; kept for backward). out (B, Tq, H*D). Probability (b, h, i, j) is
// dropout element ((b*H + h)*Tq + i)*Tk + j. Each query row is computed the same way whatever Tq
// and B are, so a row's result does not depend on what it is batched with.
void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v, const float* bias,
                       const float* key_mask, const AttentionShape& s, const DropoutSpec& drop = {});

// Inference form of attention_forward (no probs, no dropout) with the keys already transposed,
// as a decoder cache keeps them: key j of head h, batch row b, component d is
// kt[((b * H + h) * D + d) * kt_ld + j], kt_ld >= Tk. Bit for bit what attention_forward gives
// for the same keys; it saves transposing them on every call.
void attention_forward_kt(float* out, const float* q, const float* kt, long kt_ld, const float* v, const float* bias,
                          const float* key_mask, const AttentionShape& s);

// Writes keys k (B, T, H*D, rows contiguous) into kt in attention_forward_kt's layout, at key
// positions pos0 .. pos0 + T - 1 (kt_ld >= pos0 + T): how a decoder cache appends its keys.
void store_keys_transposed(float* kt, long kt_ld, int pos0, const float* k, int B, int T, int H, int D);

// Given dout and the saved probs (and the forward's dropout spec): dq, dk, dv (assigned, same
// layout as the inputs) and dbias (H, Tq, Tk, accumulated over the batch; may be null). dscores
// (B, H, Tq, Tk) is scratch for the gradient of the pre-softmax scores (null: allocated here).
void attention_backward(float* dq, float* dk, float* dv, float* dbias, const float* dout, const float* probs,
                        const float* q, const float* k, const float* v, const AttentionShape& s,
                        const DropoutSpec& drop = {}, float* dscores = nullptr);

}  // namespace byt5

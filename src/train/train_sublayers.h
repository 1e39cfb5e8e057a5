// The two pre-norm residual sublayers of T5, forward (saving what backward needs) and backward:
//   attention: x_out = x + dropout(o(dropout(softmax(q k^T + bias + mask)) v)),
//              q = Wq ln(x), k/v = Wk/Wv (ln(x), or the encoder output for cross-attention)
//   FFN:       x_out = x + dropout(wo(dropout(act(wi_0 ln(x)) * wi_1 ln(x))))
// Backward takes dx = d loss / d x_out and turns it, in place, into d loss / d x; parameter
// gradients accumulate.
#pragma once
#include "model/config.h"
#include "model/weights.h"
#include "ops/dropout.h"
#include "train/activations.h"
#include "train/linear_context.h"

namespace byt5 {

struct SublayerCtx {
  const T5Config& cfg;
  LinearContext& lin;
  TrainActivations& acts;  // scratch: h, y, dh, dtmp, datt, dq, dk, dv, dscores, g, da, db
};

struct AttnArgs {
  const AttentionWeights* w = nullptr;
  AttentionWeights* dw = nullptr;  // gradients (backward)
  const float* ln = nullptr;       // (C) RMSNorm weight
  float* dln = nullptr;
  int B = 0, Tq = 0, Tk = 0;
  const float* kv_src = nullptr;   // null: self-attention; else (B*Tk, C), the encoder output
  float* dkv_src = nullptr;        // backward: += d loss / d kv_src
  const float* bias = nullptr;     // (H, Tq, Tk) or null
  float* dbias = nullptr;          // backward: += (H, Tq, Tk), or null
  const float* key_mask = nullptr; // (B, Tk) or null
  bool causal = false;
  DropoutSpec drop_probs, drop_out;
};

struct FfnArgs {
  const FeedForwardWeights* w = nullptr;
  FeedForwardWeights* dw = nullptr;
  const float* ln = nullptr;
  float* dln = nullptr;
  int N = 0;
  DropoutSpec drop_inner, drop_out;
};

// x, x_out (B*Tq, C).
void attn_sublayer_forward(SublayerCtx& ctx, const AttnArgs& a, AttnSaved& s, const float* x, float* x_out);
void attn_sublayer_backward(SublayerCtx& ctx, const AttnArgs& a, const AttnSaved& s, const float* x, float* dx);

// x, x_out (N, C).
void ffn_sublayer_forward(SublayerCtx& ctx, const FfnArgs& a, FfnSaved& s, const float* x, float* x_out);
void ffn_sublayer_backward(SublayerCtx& ctx, const FfnArgs& a, const FfnSaved& s, const float* x, float* dx);

}  // namespace byt5

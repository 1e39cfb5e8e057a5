// The feed-forward nonlinearity: h = act(a) * b when gated (T5 v1.1: gelu_new), else h = act(a).
#pragma once
#include "model/config.h"

namespace byt5 {

float activation(Activation act, float x);
float activation_grad(Activation act, float x);

// h, a, b (n); b null when not gated.
void ffn_act_forward(float* h, const float* a, const float* b, long n, Activation act);
// da = dh * act'(a) * b; db = dh * act(a) (assigned; db skipped when b is null).
void ffn_act_backward(float* da, float* db, const float* dh, const float* a, const float* b, long n, Activation act);

}  // namespace byt5

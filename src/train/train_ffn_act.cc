#include "train/train_ffn_act.h"

#include <cmath>

#include "ops/ffn_act.h"
#include "ops/gelu_new.h"

namespace byt5 {
void ffn_act_recompute(float* g, float* stash, const float* a, const float* b, long n, Activation act,
                       const DropoutSpec& drop, bool fast_tanh) {
  if (act != Activation::GeluNew)
    ffn_act_forward(g, a, b, n, act);
  else if (fast_tanh)
    gelu_new_forward_fast(g, a, b, n, stash);  // stash keeps each tanh for the backward pass
  else
    gelu_new_forward(g, a, b, n, stash);
  dropout_forward(g, g, n, drop);
}

void ffn_act_backward_stashed(float* da, float* db, const float* dg, const float* a, const float* b,
                              const float* stash, long n, Activation act) {
  if (act != Activation::GeluNew) return ffn_act_backward(da, db, dg, a, b, n, act);
#pragma omp parallel for simd if (n >= 16384)
  for (long i = 0; i < n; ++i) {
    const float x = a[i], t = stash[i], d = dg[i];
    const float du = kGeluNewSqrt2OverPi * (1.0f + 3.0f * kGeluNewCoef * x * x);
    const float grad = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
    if (b) {
      const float h = 0.5f * x * (1.0f + t);
      da[i] = d * grad * b[i];
      if (db) db[i] = d * h;
    } else {
      da[i] = d * grad;
    }
  }
}

}  // namespace byt5

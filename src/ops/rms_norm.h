// T5LayerNorm (RMSNorm): y = w * (x * rsqrt(mean(x^2) + eps)); no mean subtraction, no bias.
#pragma once

namespace byt5 {

// y, x (N, C); w (C); rstd (N) is saved for backward when non-null.
void rms_norm_forward(float* y, float* rstd, const float* x, const float* w, int N, int C, float eps);
// dx (N, C) = (assigned); dw (C) +=.
void rms_norm_backward(float* dx, float* dw, const float* dy, const float* x, const float* w, const float* rstd, int N,
                       int C);

}  // namespace byt5

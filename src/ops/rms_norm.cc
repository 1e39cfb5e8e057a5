#include "ops/rms_norm.h"

#include <cmath>
#include <vector>

namespace byt5 {

void rms_norm_forward(float* y, float* rstd, const float* x, const float* w, int N, int C, float eps) {
#pragma omp parallel for if (N >= 8)
  for (int n = 0; n < N; ++n) {
    const float* xr = x + (size_t)n * C;
    float* yr = y + (size_t)n * C;
    float ss = 0.0f;
    for (int c = 0; c < C; ++c) ss += xr[c] * xr[c];
    float r = 1.0f / std::sqrt(ss / C + eps);
    if (rstd) rstd[n] = r;
    for (int c = 0; c < C; ++c) yr[c] = w[c] * (xr[c] * r);
  }
}

// With xhat = x * r and y = w * xhat:
//   dw += sum_n dy * xhat;  dx = r * (g - xhat * mean(g * xhat)), g = dy * w.
void rms_norm_backward(float* dx, float* dw, const float* dy, const float* x, const float* w, const float* rstd, int N,
                       int C) {
  for (int n = 0; n < N; ++n) {
    const float* xr = x + (size_t)n * C;
    const float* dyr = dy + (size_t)n * C;
    const float r = rstd[n];
    float dot = 0.0f;
    for (int c = 0; c < C; ++c) {
      float xh = xr[c] * r;
      dw[c] += dyr[c] * xh;
      dot += dyr[c] * w[c] * xh;
    }
    if (!dx) continue;
    float* dxr = dx + (size_t)n * C;
    const float m = dot / C;
    for (int c = 0; c < C; ++c) dxr[c] = r * (dyr[c] * w[c] - xr[c] * r * m);
  }
}

}  // namespace byt5

#include "ops/rms_norm.h"

#include <algorithm>
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
// dx row by row and dw in blocks of columns, each in parallel: every sum is taken in the order a
// serial pass takes it (dw[c] over n ascending), so the result does not depend on the threads.
void rms_norm_backward(float* dx, float* dw, const float* dy, const float* x, const float* w, const float* rstd, int N,
                       int C) {
  constexpr int kCols = 64;
#pragma omp parallel if ((long)N * C >= 65536)
  {
    if (dx) {
#pragma omp for schedule(static)
      for (int n = 0; n < N; ++n) {
        const float* xr = x + (size_t)n * C;
        const float* dyr = dy + (size_t)n * C;
        const float r = rstd[n];
        float dot = 0.0f;
        for (int c = 0; c < C; ++c) {
          float xh = xr[c] * r;
          dot += dyr[c] * w[c] * xh;
        }
        float* dxr = dx + (size_t)n * C;
        const float m = dot / C;
        for (int c = 0; c < C; ++c) dxr[c] = r * (dyr[c] * w[c] - xr[c] * r * m);
      }
    }
#pragma omp for schedule(static)
    for (int c0 = 0; c0 < C; c0 += kCols) {
      const int c1 = std::min(C, c0 + kCols);
      for (int n = 0; n < N; ++n) {
        const float* xr = x + (size_t)n * C;
        const float* dyr = dy + (size_t)n * C;
        const float r = rstd[n];
        for (int c = c0; c < c1; ++c) {
          float xh = xr[c] * r;
          dw[c] += dyr[c] * xh;
        }
      }
    }
  }
}

}  // namespace byt5

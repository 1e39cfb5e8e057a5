#include "ops/linear.h"

#include <cstddef>

#include "backends/cpu/small_m_gemm.h"

namespace byt5 {

void linear_forward(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate) {
  if (M <= kSmallM) return small_m_gemm(y, x, W, M, K, N, accumulate);
  sgemm(false, true, M, N, K, 1.0f, x, K, W, K, accumulate ? 1.0f : 0.0f, y, N);
}

void linear_backward(float* dx, float* dW, const float* dy, const float* x, const float* W, int M, int K, int N,
                     bool accumulate_dx) {
  if (dx) sgemm(false, false, M, K, N, 1.0f, dy, N, W, K, accumulate_dx ? 1.0f : 0.0f, dx, K);
  if (dW) sgemm(true, false, N, K, M, 1.0f, dy, N, x, K, 1.0f, dW, K);
}

void linear_forward_ref(float* y, const float* x, const float* W, int M, int K, int N) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double s = 0;
      for (int k = 0; k < K; ++k) s += static_cast<double>(x[(size_t)m * K + k]) * W[(size_t)n * K + k];
      y[(size_t)m * N + n] = static_cast<float>(s);
    }
}

void linear_backward_ref(float* dx, float* dW, const float* dy, const float* x, const float* W, int M, int K, int N) {
  if (dx)
    for (int m = 0; m < M; ++m)
      for (int k = 0; k < K; ++k) {
        double s = 0;
        for (int n = 0; n < N; ++n) s += static_cast<double>(dy[(size_t)m * N + n]) * W[(size_t)n * K + k];
        dx[(size_t)m * K + k] = static_cast<float>(s);
      }
  if (dW)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k) {
        double s = 0;
        for (int m = 0; m < M; ++m) s += static_cast<double>(dy[(size_t)m * N + n]) * x[(size_t)m * K + k];
        dW[(size_t)n * K + k] += static_cast<float>(s);
      }
}

}  // namespace byt5

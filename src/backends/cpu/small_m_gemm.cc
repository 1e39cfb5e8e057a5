#include "backends/cpu/small_m_gemm.h"

#include <algorithm>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace byt5 {
namespace {

#if defined(__AVX512F__)
// Rows n0..n0+3 of W against rows m0..m0+MB-1 of x; MB <= 4.
template <int MB>
void block_4xMB(float* y, const float* x, const float* W, int m0, int K, int N, int n0, int nrows, bool accumulate) {
  __m512 acc[MB][4];
  for (int m = 0; m < MB; ++m)
    for (int r = 0; r < 4; ++r) acc[m][r] = _mm512_setzero_ps();
  const float* w[4];
  for (int r = 0; r < 4; ++r) w[r] = W + (size_t)(n0 + std::min(r, nrows - 1)) * K;
  int k = 0;
  for (; k + 16 <= K; k += 16) {
    __m512 wv[4];
    for (int r = 0; r < 4; ++r) wv[r] = _mm512_loadu_ps(w[r] + k);
    for (int m = 0; m < MB; ++m) {
      __m512 xv = _mm512_loadu_ps(x + (size_t)(m0 + m) * K + k);
      for (int r = 0; r < 4; ++r) acc[m][r] = _mm512_fmadd_ps(xv, wv[r], acc[m][r]);
    }
  }
  if (k < K) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (K - k)) - 1);
    __m512 wv[4];
    for (int r = 0; r < 4; ++r) wv[r] = _mm512_maskz_loadu_ps(mask, w[r] + k);
    for (int m = 0; m < MB; ++m) {
      __m512 xv = _mm512_maskz_loadu_ps(mask, x + (size_t)(m0 + m) * K + k);
      for (int r = 0; r < 4; ++r) acc[m][r] = _mm512_fmadd_ps(xv, wv[r], acc[m][r]);
    }
  }
  for (int m = 0; m < MB; ++m)
    for (int r = 0; r < nrows; ++r) {
      float v = _mm512_reduce_add_ps(acc[m][r]);
      float& out = y[(size_t)(m0 + m) * N + n0 + r];
      out = accumulate ? out + v : v;
    }
}
#endif

}  // namespace

void small_m_gemm(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate) {
#if defined(__AVX512F__)
  const int nblocks = (N + 3) / 4;
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int nb = 0; nb < nblocks; ++nb) {
    const int n0 = nb * 4, nrows = std::min(4, N - n0);
    int m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) block_4xMB<4>(y, x, W, m0, K, N, n0, nrows, accumulate);
    switch (M - m0) {
      case 3: block_4xMB<3>(y, x, W, m0, K, N, n0, nrows, accumulate); break;
      case 2: block_4xMB<2>(y, x, W, m0, K, N, n0, nrows, accumulate); break;
      case 1: block_4xMB<1>(y, x, W, m0, K, N, n0, nrows, accumulate); break;
      default: break;
    }
  }
#else
  // Portable path: one dot product per output element, in a fixed order.
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int n = 0; n < N; ++n)
    for (int m = 0; m < M; ++m) {
      float s = 0.0f;
      for (int k = 0; k < K; ++k) s += x[(size_t)m * K + k] * W[(size_t)n * K + k];
      float& out = y[(size_t)m * N + n];
      out = accumulate ? out + s : s;
    }
#endif
}

}  // namespace byt5

#include "backends/cpu/panel_gemm.h"

#include <algorithm>
#include <string>

#include "core/error.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace byt5 {

PanelMatrix::PanelMatrix(const float* W, int N, int K) : N_(N), K_(K) {
  if (N <= 0 || K <= 0) throw Error("PanelMatrix: empty matrix (" + std::to_string(N) + " x " + std::to_string(K) + ")");
  data_.resize((size_t)panels() * K * kPanelCols);  // zeroed, so columns past N stay 0
  // Transposed in blocks of 16 k's, so a block's 16 x 64 destination floats stay in L1 while each
  // source row gives one cache line. First touching the new memory costs more than the copy:
  // ~1 s for byt5-small's decoder (84M floats) on 2 cores of the development machine.
  const int np = panels();
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int p = 0; p < np; ++p) {
    float* dst = data_.data() + (size_t)p * K * kPanelCols;
    const int cols = std::min(kPanelCols, N - p * kPanelCols);
    for (int k0 = 0; k0 < K; k0 += 16) {
      const int k1 = std::min(K, k0 + 16);
      for (int j = 0; j < cols; ++j) {
        const float* src = W + (size_t)(p * kPanelCols + j) * K;
        for (int k = k0; k < k1; ++k) dst[(size_t)k * kPanelCols + j] = src[k];
      }
    }
  }
}

namespace {

#if defined(__AVX512F__)
// Rows m0..m0+MB-1 of x against one panel: 4 vectors of 16 columns per row. Each k broadcasts
// x[m][k] against the panel's row k; sums restart every kPanelKBlock k's and are added to the
// running totals in order, which keeps rounding error growing with the block, not with K.
template <int MB>
void tile(float* y, const float* x, const float* P, int K, int N, int m0, int n0, bool accumulate) {
  __m512 tot[MB][4];
  for (int m = 0; m < MB; ++m)
    for (int j = 0; j < 4; ++j) tot[m][j] = _mm512_setzero_ps();
  const float* xr = x + (size_t)m0 * K;
  for (int k0 = 0; k0 < K; k0 += kPanelKBlock) {
    const int k1 = std::min(K, k0 + kPanelKBlock);
    __m512 a[MB][4];
    for (int m = 0; m < MB; ++m)
      for (int j = 0; j < 4; ++j) a[m][j] = _mm512_setzero_ps();
    const float* w = P + (size_t)k0 * kPanelCols;
    for (int k = k0; k < k1; ++k, w += kPanelCols) {
      __m512 v0 = _mm512_load_ps(w), v1 = _mm512_load_ps(w + 16), v2 = _mm512_load_ps(w + 32),
             v3 = _mm512_load_ps(w + 48);
      // Pinned to registers: GCC otherwise folds the loads into the FMAs, once per row.
      asm("" : "+v"(v0), "+v"(v1), "+v"(v2), "+v"(v3));
      for (int m = 0; m < MB; ++m) {
        const __m512 xb = _mm512_set1_ps(xr[(size_t)m * K + k]);
        a[m][0] = _mm512_fmadd_ps(xb, v0, a[m][0]);
        a[m][1] = _mm512_fmadd_ps(xb, v1, a[m][1]);
        a[m][2] = _mm512_fmadd_ps(xb, v2, a[m][2]);
        a[m][3] = _mm512_fmadd_ps(xb, v3, a[m][3]);
      }
    }
    for (int m = 0; m < MB; ++m)
      for (int j = 0; j < 4; ++j) tot[m][j] = _mm512_add_ps(tot[m][j], a[m][j]);
  }
  for (int j = 0; j < 4; ++j) {
    const int c = n0 + 16 * j;
    if (c >= N) break;
    const __mmask16 mask = N - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (N - c)) - 1);
    for (int m = 0; m < MB; ++m) {
      float* out = y + (size_t)(m0 + m) * N + c;
      const __m512 v = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out), tot[m][j]) : tot[m][j];
      _mm512_mask_storeu_ps(out, mask, v);
    }
  }
}

void panel_rows(float* y, const float* x, const float* P, int M, int K, int N, int n0, bool accumulate) {
  int m0 = 0;
  for (; m0 + 6 <= M; m0 += 6) tile<6>(y, x, P, K, N, m0, n0, accumulate);
  switch (M - m0) {
    case 5: tile<5>(y, x, P, K, N, m0, n0, accumulate); break;
    case 4: tile<4>(y, x, P, K, N, m0, n0, accumulate); break;
    case 3: tile<3>(y, x, P, K, N, m0, n0, accumulate); break;
    case 2: tile<2>(y, x, P, K, N, m0, n0, accumulate); break;
    case 1: tile<1>(y, x, P, K, N, m0, n0, accumulate); break;
    default: break;
  }
}
#else
// Portable path: the same blocked sums, one output element at a time.
void panel_rows(float* y, const float* x, const float* P, int M, int K, int N, int n0, bool accumulate) {
  for (int m = 0; m < M; ++m)
    for (int j = 0; j < kPanelCols && n0 + j < N; ++j) {
      float total = 0.0f;
      for (int k0 = 0; k0 < K; k0 += kPanelKBlock) {
        float s = 0.0f;
        for (int k = k0; k < std::min(K, k0 + kPanelKBlock); ++k) s += x[(size_t)m * K + k] * P[(size_t)k * kPanelCols + j];
        total += s;
      }
      float& out = y[(size_t)m * N + n0 + j];
      out = accumulate ? out + total : total;
    }
}
#endif

}  // namespace

void panel_gemm(float* y, const float* x, const PanelMatrix& W, int M, bool accumulate) {
  const int N = W.rows(), K = W.cols(), np = W.panels();
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int p = 0; p < np; ++p) panel_rows(y, x, W.panel(p), M, K, N, p * kPanelCols, accumulate);
}

}  // namespace byt5

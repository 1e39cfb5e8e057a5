#include "backends/cpu/panel_gemm.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace byt5 {

namespace {

void check_shape(int N, int K) {
  if (N <= 0 || K <= 0) throw Error("PanelMatrix: empty matrix (" + std::to_string(N) + " x " + std::to_string(K) + ")");
}

// Rows p*64 .. p*64+w-1 of W (N, K) occupy the same floats as panel p, so each panel is a
// transpose of its own block, (w, K) <-> (K, w), through one block-sized scratch per thread.
// Transposed in steps of 16 k's, so the 16 x w destination floats stay in L1 while each source row
// gives one cache line.
void transpose_blocks(float* W, int N, int K, bool to_panels) {
  const int np = (N + kPanelCols - 1) / kPanelCols;
#pragma omp parallel if ((long)N * K >= 65536)
  {
    std::vector<float> scratch;
#pragma omp for schedule(static)
    for (int p = 0; p < np; ++p) {
      const int w = std::min(kPanelCols, N - p * kPanelCols);
      float* block = W + (size_t)p * kPanelCols * K;
      scratch.assign(block, block + (size_t)w * K);
      for (int k0 = 0; k0 < K; k0 += 16) {
        const int k1 = std::min(K, k0 + 16);
        for (int j = 0; j < w; ++j)
          for (int k = k0; k < k1; ++k) {
            if (to_panels) block[(size_t)k * w + j] = scratch[(size_t)j * K + k];
            else block[(size_t)j * K + k] = scratch[(size_t)k * w + j];
          }
      }
    }
  }
}

}  // namespace

PanelMatrix::PanelMatrix(const float* W, int N, int K) : N_(N), K_(K) {
  check_shape(N, K);
  own_.resize((size_t)N * K);
  std::memcpy(own_.data(), W, sizeof(float) * N * K);
  transpose_blocks(own_.data(), N, K, /*to_panels=*/true);
  data_ = own_.data();
}

PanelMatrix PanelMatrix::pack_in_place(float* W, int N, int K) {
  check_shape(N, K);
  transpose_blocks(W, N, K, /*to_panels=*/true);
  PanelMatrix view;
  view.N_ = N, view.K_ = K, view.data_ = W;
  return view;
}

void PanelMatrix::unpack_in_place(float* W, int N, int K) {
  check_shape(N, K);
  transpose_blocks(W, N, K, /*to_panels=*/false);
}

namespace {

#if defined(__AVX512F__)
// Rows m0..m0+MB-1 of x against one panel of `width` columns (4 vectors of 16 per row; a last
// panel narrower than 64 loads under masks). Each k broadcasts x[m][k] against the panel's row k;
// sums restart every kPanelKBlock k's and are added to the running totals in order, which keeps
// rounding error growing with the block, not with K.
template <int MB, bool Full>
void tile(float* y, const float* x, const float* P, int width, int K, int N, int m0, int n0, bool accumulate) {
  __mmask16 lanes[4];
  for (int j = 0; j < 4; ++j) {
    const int n = std::clamp(width - 16 * j, 0, 16);
    lanes[j] = n == 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
  }
  const int ld = Full ? kPanelCols : width;
  __m512 tot[MB][4];
  for (int m = 0; m < MB; ++m)
    for (int j = 0; j < 4; ++j) tot[m][j] = _mm512_setzero_ps();
  const float* xr = x + (size_t)m0 * K;
  for (int k0 = 0; k0 < K; k0 += kPanelKBlock) {
    const int k1 = std::min(K, k0 + kPanelKBlock);
    __m512 a[MB][4];
    for (int m = 0; m < MB; ++m)
      for (int j = 0; j < 4; ++j) a[m][j] = _mm512_setzero_ps();
    const float* w = P + (size_t)k0 * ld;
    for (int k = k0; k < k1; ++k, w += ld) {
      __m512 v0, v1, v2, v3;
      if constexpr (Full) {  // unaligned loads: a view's memory need not be 64-byte aligned
        v0 = _mm512_loadu_ps(w), v1 = _mm512_loadu_ps(w + 16), v2 = _mm512_loadu_ps(w + 32), v3 = _mm512_loadu_ps(w + 48);
      } else {
        v0 = _mm512_maskz_loadu_ps(lanes[0], w), v1 = _mm512_maskz_loadu_ps(lanes[1], w + 16);
        v2 = _mm512_maskz_loadu_ps(lanes[2], w + 32), v3 = _mm512_maskz_loadu_ps(lanes[3], w + 48);
      }
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
  for (int j = 0; j < 4 && lanes[j]; ++j) {
    const int c = n0 + 16 * j;
    for (int m = 0; m < MB; ++m) {
      float* out = y + (size_t)(m0 + m) * N + c;
      const __m512 v = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(lanes[j], out), tot[m][j]) : tot[m][j];
      _mm512_mask_storeu_ps(out, lanes[j], v);
    }
  }
}

template <bool Full>
void panel_rows_of(float* y, const float* x, const float* P, int width, int M, int K, int N, int n0, bool accumulate) {
  int m0 = 0;
  for (; m0 + 6 <= M; m0 += 6) tile<6, Full>(y, x, P, width, K, N, m0, n0, accumulate);
  switch (M - m0) {
    case 5: tile<5, Full>(y, x, P, width, K, N, m0, n0, accumulate); break;
    case 4: tile<4, Full>(y, x, P, width, K, N, m0, n0, accumulate); break;
    case 3: tile<3, Full>(y, x, P, width, K, N, m0, n0, accumulate); break;
    case 2: tile<2, Full>(y, x, P, width, K, N, m0, n0, accumulate); break;
    case 1: tile<1, Full>(y, x, P, width, K, N, m0, n0, accumulate); break;
    default: break;
  }
}

void panel_rows(float* y, const float* x, const float* P, int width, int M, int K, int N, int n0, bool accumulate) {
  if (width == kPanelCols) panel_rows_of<true>(y, x, P, width, M, K, N, n0, accumulate);
  else panel_rows_of<false>(y, x, P, width, M, K, N, n0, accumulate);
}
#else
// Portable path: the same blocked sums, one output element at a time.
void panel_rows(float* y, const float* x, const float* P, int width, int M, int K, int N, int n0, bool accumulate) {
  for (int m = 0; m < M; ++m)
    for (int j = 0; j < width; ++j) {
      float total = 0.0f;
      for (int k0 = 0; k0 < K; k0 += kPanelKBlock) {
        float s = 0.0f;
        for (int k = k0; k < std::min(K, k0 + kPanelKBlock); ++k) s += x[(size_t)m * K + k] * P[(size_t)k * width + j];
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
  if (M <= 0) return;
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int p = 0; p < np; ++p) panel_rows(y, x, W.panel(p), W.width(p), M, K, N, p * kPanelCols, accumulate);
}

}  // namespace byt5

#include "backends/cpu/panel_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace byt5 {
namespace {

#if defined(__AVX512F__)
// A tile is up to 6 rows of x against one panel (4 vectors of 16 columns): 24 accumulators and 4
// weight vectors fill 28 of the 32 vector registers, and each weight vector loaded feeds 6 FMAs.
constexpr int kTileRows = 6;
constexpr int kMaxTiles = (kPanelBlockRows + kTileRows - 1) / kTileRows;
// With several tiles per panel, k is walked in chunks: the first tile streams a chunk (16 KB) from
// memory while prefetching the next, and the other tiles find it in L1. Without chunks the first
// tile would be memory bound and the others compute bound, one after the other (measured: M = 16
// went from ~85 to ~110 GFLOP/s on 2 Zen 4 cores with chunks and the prefetch; the prefetch also
// keeps a single tile, M <= 6, at the speed of the row-streaming small-M kernel).
constexpr int kChunk = 64;

struct PanelMasks {
  __mmask16 m0, m1, m2, m3;
};

PanelMasks masks_for(int w) {
  auto m = [w](int v) { return static_cast<__mmask16>((1u << std::clamp(w - 16 * v, 0, 16)) - 1); };
  return {m(0), m(1), m(2), m(3)};
}

// Rows x[0..MR-1] (row stride K) against panel rows k0..k1-1 of P (row stride w), continuing the
// chains parked in acc[0..MR*4-1]. Parking between chunks is lossless: every chain still adds
// k = 0, 1, ... in order.
template <int MR>
void tile(__m512* acc, const float* x, int K, const float* P, int w, PanelMasks mk, int k0, int k1, bool prefetch) {
  const float* x0 = x;
  const float* x1 = x + (size_t)std::min(1, MR - 1) * K;
  const float* x2 = x + (size_t)std::min(2, MR - 1) * K;
  const float* x3 = x + (size_t)std::min(3, MR - 1) * K;
  const float* x4 = x + (size_t)std::min(4, MR - 1) * K;
  const float* x5 = x + (size_t)std::min(5, MR - 1) * K;
  // Accumulators as plain locals: held in an array, GCC 12 spills them to the stack every step.
  __m512 c00 = acc[0], c01 = acc[1], c02 = acc[2], c03 = acc[3];
  __m512 c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00;
  __m512 c30 = c00, c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00, c42 = c00, c43 = c00;
  __m512 c50 = c00, c51 = c00, c52 = c00, c53 = c00;
  if constexpr (MR > 1) c10 = acc[4], c11 = acc[5], c12 = acc[6], c13 = acc[7];
  if constexpr (MR > 2) c20 = acc[8], c21 = acc[9], c22 = acc[10], c23 = acc[11];
  if constexpr (MR > 3) c30 = acc[12], c31 = acc[13], c32 = acc[14], c33 = acc[15];
  if constexpr (MR > 4) c40 = acc[16], c41 = acc[17], c42 = acc[18], c43 = acc[19];
  if constexpr (MR > 5) c50 = acc[20], c51 = acc[21], c52 = acc[22], c53 = acc[23];
  auto step = [&](int k, const float* p) {
    __m512 b0 = _mm512_maskz_loadu_ps(mk.m0, p), b1 = _mm512_maskz_loadu_ps(mk.m1, p + 16);
    __m512 b2 = _mm512_maskz_loadu_ps(mk.m2, p + 32), b3 = _mm512_maskz_loadu_ps(mk.m3, p + 48);
    // Pinned to registers (the empty asm): GCC otherwise folds the loads into the FMAs.
    asm("" : "+v"(b0), "+v"(b1), "+v"(b2), "+v"(b3));
    auto row = [&](const float* xr, __m512& r0, __m512& r1, __m512& r2, __m512& r3) {
      const __m512 a = _mm512_set1_ps(xr[k]);
      r0 = _mm512_fmadd_ps(a, b0, r0), r1 = _mm512_fmadd_ps(a, b1, r1);
      r2 = _mm512_fmadd_ps(a, b2, r2), r3 = _mm512_fmadd_ps(a, b3, r3);
    };
    row(x0, c00, c01, c02, c03);
    if constexpr (MR > 1) row(x1, c10, c11, c12, c13);
    if constexpr (MR > 2) row(x2, c20, c21, c22, c23);
    if constexpr (MR > 3) row(x3, c30, c31, c32, c33);
    if constexpr (MR > 4) row(x4, c40, c41, c42, c43);
    if constexpr (MR > 5) row(x5, c50, c51, c52, c53);
  };
  const float* p = P + (size_t)k0 * w;
  int k = k0;
  if (prefetch) {
    const size_t ahead = (size_t)kChunk * w;
    for (; k < k1; ++k, p += w) {
      for (int line = 0; line < w; line += 16) _mm_prefetch((const char*)(p + ahead + line), _MM_HINT_T0);
      step(k, p);
    }
  }
  for (; k < k1; ++k, p += w) step(k, p);
  acc[0] = c00, acc[1] = c01, acc[2] = c02, acc[3] = c03;
  if constexpr (MR > 1) acc[4] = c10, acc[5] = c11, acc[6] = c12, acc[7] = c13;
  if constexpr (MR > 2) acc[8] = c20, acc[9] = c21, acc[10] = c22, acc[11] = c23;
  if constexpr (MR > 3) acc[12] = c30, acc[13] = c31, acc[14] = c32, acc[15] = c33;
  if constexpr (MR > 4) acc[16] = c40, acc[17] = c41, acc[18] = c42, acc[19] = c43;
  if constexpr (MR > 5) acc[20] = c50, acc[21] = c51, acc[22] = c52, acc[23] = c53;
}

// rows <= kPanelBlockRows rows of x against the panel at P (columns n0 .. n0 + w - 1).
void panel_block(float* y, const float* x, const float* P, int rows, int K, int N, int n0, int w, bool accumulate) {
  alignas(64) __m512 acc[kMaxTiles * kTileRows * 4];
  const int tiles = (rows + kTileRows - 1) / kTileRows;
  for (int i = 0; i < tiles * kTileRows * 4; ++i) acc[i] = _mm512_setzero_ps();
  const PanelMasks mk = masks_for(w);
  const bool chunked = tiles > 1;
  const int chunk = chunked ? kChunk : std::max(K, 1);
  for (int k0 = 0; k0 < K; k0 += chunk) {
    const int k1 = std::min(K, k0 + chunk);
    for (int t = 0; t < tiles; ++t) {
      __m512* a = acc + t * kTileRows * 4;
      const float* xt = x + (size_t)t * kTileRows * K;
      const bool prefetch = t == 0;
      switch (std::min(kTileRows, rows - t * kTileRows)) {
        case 6: tile<6>(a, xt, K, P, w, mk, k0, k1, prefetch); break;
        case 5: tile<5>(a, xt, K, P, w, mk, k0, k1, prefetch); break;
        case 4: tile<4>(a, xt, K, P, w, mk, k0, k1, prefetch); break;
        case 3: tile<3>(a, xt, K, P, w, mk, k0, k1, prefetch); break;
        case 2: tile<2>(a, xt, K, P, w, mk, k0, k1, prefetch); break;
        default: tile<1>(a, xt, K, P, w, mk, k0, k1, prefetch); break;
      }
    }
  }
  const __mmask16 m[4] = {mk.m0, mk.m1, mk.m2, mk.m3};
  for (int r = 0; r < rows; ++r) {
    float* yr = y + (size_t)r * N + n0;
    const __m512* a = acc + (r / kTileRows) * kTileRows * 4 + (r % kTileRows) * 4;
    for (int v = 0; v < 4 && 16 * v < w; ++v) {
      __m512 s = a[v];
      if (accumulate) s = _mm512_add_ps(_mm512_maskz_loadu_ps(m[v], yr + 16 * v), s);
      _mm512_mask_storeu_ps(yr + 16 * v, m[v], s);
    }
  }
}
#else
// Portable path: the same fused multiply-add chains, one output at a time.
void panel_block(float* y, const float* x, const float* P, int rows, int K, int N, int n0, int w, bool accumulate) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < w; ++j) {
      float s = 0.0f;
      for (int k = 0; k < K; ++k) s = std::fma(x[(size_t)r * K + k], P[(size_t)k * w + j], s);
      float& out = y[(size_t)r * N + n0 + j];
      out = accumulate ? out + s : s;
    }
}
#endif

}  // namespace

void pack_panels(float* dst, const float* W, int K, int N) {
  const int panels = (N + kPanel - 1) / kPanel;
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int p = 0; p < panels; ++p) {
    const int n0 = p * kPanel, w = std::min(kPanel, N - n0);
    float* d = dst + (size_t)n0 * K;
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < w; ++j) d[(size_t)k * w + j] = W[(size_t)(n0 + j) * K + k];
  }
}

void unpack_panels(float* W, const float* packed, int K, int N) {
  for (int n0 = 0; n0 < N; n0 += kPanel) {
    const int w = std::min(kPanel, N - n0);
    const float* s = packed + (size_t)n0 * K;
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < w; ++j) W[(size_t)(n0 + j) * K + k] = s[(size_t)k * w + j];
  }
}

void pack_panels_in_place(float* W, int K, int N) {
  const std::vector<float> copy(W, W + (size_t)N * K);
  pack_panels(W, copy.data(), K, N);
}

void panel_gemm(float* y, const float* x, const float* packed, int M, int K, int N, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  const int panels = (N + kPanel - 1) / kPanel;
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int p = 0; p < panels; ++p) {
    const int n0 = p * kPanel, w = std::min(kPanel, N - n0);
    for (int m0 = 0; m0 < M; m0 += kPanelBlockRows)
      panel_block(y + (size_t)m0 * N, x + (size_t)m0 * K, packed + (size_t)n0 * K, std::min(kPanelBlockRows, M - m0),
                  K, N, n0, w, accumulate);
  }
}

}  // namespace byt5

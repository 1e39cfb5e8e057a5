#include "backends/cpu/small_m_gemm.h"

#include <algorithm>

#if defined(__AVX512F__)
#include <immintrin.h>
// GCC 12 flags the _mm512_undefined_ps() inside its own shuffle and extract intrinsics.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace byt5 {
namespace {

#if defined(__AVX512F__)
// K is walked in chunks of kChunk floats so that a chunk of every x row and of the 4 weight rows
// stays in L1 while all row groups use it, and the first group prefetches the weight rows' next
// chunks from memory. The 16-lane partial sums are parked in `part` between chunks, which is
// lossless: each lane still adds k = lane, lane + 16, ... in order, then the lanes are reduced in
// the same way as without chunking, so a row's result depends neither on M nor on the chunking.
// (Measured: chunking alone changes little; pinning the loads to registers, the prefetch and the
// batched reduction below took M = 16 from ~52 to ~67 GFLOP/s per Zen 4 core.)
constexpr int kChunk = 256;

// One chunk [k0, k1) of rows n0..n0+3 of W against rows m0..m0+MB-1 of x (MB <= 4), adding into
// the row group's parked partial sums. The chunk's tail of fewer than 16 (only in the last
// chunk) uses masked loads, whose zero lanes leave the sums unchanged.
template <int MB>
void chunk_4xMB(__m512* part, const float* x, const float* W, int m0, int K, int n0, int nrows, int k0, int k1,
                bool prefetch, const char* next, int next_lines) {
  const float* w0 = W + (size_t)(n0 + std::min(0, nrows - 1)) * K + k0;
  const float* w1 = W + (size_t)(n0 + std::min(1, nrows - 1)) * K + k0;
  const float* w2 = W + (size_t)(n0 + std::min(2, nrows - 1)) * K + k0;
  const float* w3 = W + (size_t)(n0 + std::min(3, nrows - 1)) * K + k0;
  const float* xr[MB];
  for (int m = 0; m < MB; ++m) xr[m] = x + (size_t)(m0 + m) * K + k0;
  __m512* p = part + m0 * 4;
  // Accumulators as plain locals: held in arrays, GCC 12 spilled some of them in the loop.
  __m512 a00 = p[0], a01 = p[1], a02 = p[2], a03 = p[3];
  const __m512 z = _mm512_setzero_ps();
  __m512 a10 = z, a11 = z, a12 = z, a13 = z, a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
  if constexpr (MB > 1) a10 = p[4], a11 = p[5], a12 = p[6], a13 = p[7];
  if constexpr (MB > 2) a20 = p[8], a21 = p[9], a22 = p[10], a23 = p[11];
  if constexpr (MB > 3) a30 = p[12], a31 = p[13], a32 = p[14], a33 = p[15];
  const int n = k1 - k0;
  auto step = [&](int k, __mmask16 mask) {
    __m512 v0 = _mm512_maskz_loadu_ps(mask, w0 + k), v1 = _mm512_maskz_loadu_ps(mask, w1 + k);
    __m512 v2 = _mm512_maskz_loadu_ps(mask, w2 + k), v3 = _mm512_maskz_loadu_ps(mask, w3 + k);
    // Every loaded vector is pinned to a register (the empty asm): GCC otherwise folds the loads
    // into the FMAs, loading each vector 4 times, which made the kernel load bound.
    asm("" : "+v"(v0), "+v"(v1), "+v"(v2), "+v"(v3));
    // One x row against the 4 weight vectors, into that row's 4 accumulators.
    auto row = [&](const float* xp, __m512& c0, __m512& c1, __m512& c2, __m512& c3) {
      __m512 xv = _mm512_maskz_loadu_ps(mask, xp + k);
      asm("" : "+v"(xv));
      c0 = _mm512_fmadd_ps(xv, v0, c0), c1 = _mm512_fmadd_ps(xv, v1, c1);
      c2 = _mm512_fmadd_ps(xv, v2, c2), c3 = _mm512_fmadd_ps(xv, v3, c3);
    };
    row(xr[0], a00, a01, a02, a03);
    if constexpr (MB > 1) row(xr[1], a10, a11, a12, a13);
    if constexpr (MB > 2) row(xr[2], a20, a21, a22, a23);
    if constexpr (MB > 3) row(xr[3], a30, a31, a32, a33);
  };
  int k = 0, i = 0;
  if (prefetch && m0 == 0) {
    for (; k + 16 <= n; k += 16, ++i) {
      if (i < next_lines) _mm_prefetch(next + 64 * i, _MM_HINT_T1);
      _mm_prefetch((const char*)(w0 + k + 2 * kChunk), _MM_HINT_T0);
      _mm_prefetch((const char*)(w1 + k + 2 * kChunk), _MM_HINT_T0);
      _mm_prefetch((const char*)(w2 + k + 2 * kChunk), _MM_HINT_T0);
      _mm_prefetch((const char*)(w3 + k + 2 * kChunk), _MM_HINT_T0);
      step(k, static_cast<__mmask16>(0xFFFF));
    }
  }
  for (; k + 16 <= n; k += 16, ++i) {
    if (i < next_lines) _mm_prefetch(next + 64 * i, _MM_HINT_T1);
    step(k, static_cast<__mmask16>(0xFFFF));
  }
  if (k < n) step(k, static_cast<__mmask16>((1u << (n - k)) - 1));
  for (; i < next_lines; ++i) _mm_prefetch(next + 64 * i, _MM_HINT_T1);  // a short last chunk's share
  p[0] = a00, p[1] = a01, p[2] = a02, p[3] = a03;
  if constexpr (MB > 1) p[4] = a10, p[5] = a11, p[6] = a12, p[7] = a13;
  if constexpr (MB > 2) p[8] = a20, p[9] = a21, p[10] = a22, p[11] = a23;
  if constexpr (MB > 3) p[12] = a30, p[13] = a31, p[14] = a32, p[15] = a33;
}

// The 16 lane sums of v[0..15] at once, each bit-identical to _mm512_reduce_add_ps(v[i]) (GCC's:
// lanes i + (i + 8), then + 4, then + 2, then + 1): the same pairs are added, just four vectors
// at a time, which costs a third of the shuffles of 16 separate reductions. sums[r * 4 + m] gets
// v[m * 4 + r].
void reduce_add_4x4(const __m512* v, float* sums) {
  __m512 s[8], u[4], r[2];
  for (int i = 0; i < 8; ++i)  // [lo256 + hi256 of v[2i], of v[2i+1]]
    s[i] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  for (int i = 0; i < 4; ++i)  // 128-bit lane j holds v[4i + j]'s 4 partial sums
    u[i] = _mm512_add_ps(_mm512_shuffle_f32x4(s[2 * i], s[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(s[2 * i], s[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  for (int i = 0; i < 2; ++i)  // elements 0 + 2 and 1 + 3 of each lane
    r[i] = _mm512_add_ps(_mm512_shuffle_ps(u[2 * i], u[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_ps(u[2 * i], u[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  // lane j, element e: the sum of v[4e + j]
  _mm512_store_ps(sums, _mm512_add_ps(_mm512_shuffle_ps(r[0], r[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                      _mm512_shuffle_ps(r[0], r[1], _MM_SHUFFLE(3, 1, 3, 1))));
}

// Rows n0..n0+nrows-1 of W (nrows <= 4) against all M <= kSmallM rows of x.
void block_4(float* y, const float* x, const float* W, int M, int K, int N, int n0, int nrows, bool accumulate) {
  alignas(64) __m512 part[kSmallM * 4];
  for (int i = 0; i < M * 4; ++i) part[i] = _mm512_setzero_ps();
  // Up to 4 rows the product is a pure weight stream, which the hardware prefetcher handles best
  // in one pass (chunks and software prefetch cost ~20% at M = 1).
  const bool chunked = M > 4;
  const int chunk = chunked ? kChunk : std::max(K, 1);
  // With four row groups (M > 12) the block computes long enough to hide fetching the next one:
  // L2 prefetches of the next block's weights (the rows after these, contiguous), spread evenly
  // over this block's chunks, took M = 16 over all the decoder's weights ~6% faster; with two or
  // three groups (M 5 to 12) they cost up to 6% (in-process paired runs, dev Xeon).
  const int next_rows = M > 12 ? std::min(4, N - n0 - nrows) : 0;
  const char* next = (const char*)(W + (size_t)(n0 + nrows) * K);
  const long next_total = (long)next_rows * K * 4 / 64;
  const int calls = ((K + chunk - 1) / chunk) * ((M + 3) / 4);
  const int per_call = calls > 0 ? (int)((next_total + calls - 1) / calls) : 0;
  int call = 0, lines = 0;
  auto next_slice = [&] {  // the next call's share of those lines (none when not prefetching)
    if (next_total == 0) return next;
    const long first = std::min((long)call++ * per_call, next_total);
    lines = (int)std::min((long)per_call, next_total - first);
    return next + 64 * first;
  };
  for (int k0 = 0; k0 < K; k0 += chunk) {
    const int k1 = std::min(K, k0 + chunk);
    int m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) {
      const char* p = next_slice();
      chunk_4xMB<4>(part, x, W, m0, K, n0, nrows, k0, k1, chunked, p, lines);
    }
    if (m0 == M) continue;
    const char* p = next_slice();
    switch (M - m0) {
      case 3: chunk_4xMB<3>(part, x, W, m0, K, n0, nrows, k0, k1, chunked, p, lines); break;
      case 2: chunk_4xMB<2>(part, x, W, m0, K, n0, nrows, k0, k1, chunked, p, lines); break;
      case 1: chunk_4xMB<1>(part, x, W, m0, K, n0, nrows, k0, k1, chunked, p, lines); break;
      default: break;
    }
  }
  int m = 0;
  for (; m + 4 <= M; m += 4) {
    alignas(64) float sums[16];
    reduce_add_4x4(part + m * 4, sums);
    for (int mm = 0; mm < 4; ++mm)
      for (int r = 0; r < nrows; ++r) {
        float& out = y[(size_t)(m + mm) * N + n0 + r];
        out = accumulate ? out + sums[r * 4 + mm] : sums[r * 4 + mm];
      }
  }
  for (; m < M; ++m)
    for (int r = 0; r < nrows; ++r) {
      float v = _mm512_reduce_add_ps(part[m * 4 + r]);
      float& out = y[(size_t)m * N + n0 + r];
      out = accumulate ? out + v : v;
    }
}
#endif

}  // namespace

void small_m_gemm(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate) {
#if defined(__AVX512F__)
  const int nblocks = (N + 3) / 4;
#pragma omp parallel for schedule(static) if ((long)N * K >= 65536)
  for (int nb = 0; nb < nblocks; ++nb)
    for (int m0 = 0; m0 < M; m0 += kSmallM)  // groups of kSmallM rows, should a caller pass more
      block_4(y + (size_t)m0 * N, x + (size_t)m0 * K, W, std::min(kSmallM, M - m0), K, N, nb * 4,
              std::min(4, N - nb * 4), accumulate);
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

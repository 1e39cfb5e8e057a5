#include "ops/gelu_new.h"

#include <algorithm>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
// GCC 12 flags the _mm512_undefined_*() inside its own conversion intrinsics.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace byt5 {
namespace {

constexpr long kBlock = 4096;  // elements per OpenMP work item

#if defined(__AVX512F__)
// exp(y) for 0 <= y <= 64 in double: y = n ln2 + r with |r| <= ln2 / 2, e^r by its Taylor series to
// r^11 (truncation below 3e-13 relative), times 2^n. ln2 is split in two so n ln2 is exact enough.
__m512d exp_pd(__m512d y) {
  const __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(y, _mm512_set1_pd(1.4426950408889634)),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(0.6931471803691238), y);  // ln2's high 32 bits: n ln2_hi exact
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(1.9082149292705877e-10), r);     // ln2 - ln2_hi
  // 1 + r (1 + r/2 (1 + r/3 (... (1 + r/11))))
  __m512d p = _mm512_set1_pd(1.0);
  for (int k = 11; k >= 1; --k) p = _mm512_fmadd_pd(_mm512_mul_pd(r, _mm512_set1_pd(1.0 / k)), p, _mm512_set1_pd(1.0));
  return _mm512_scalef_pd(p, n);
}

// tanh of 8 floats, in double: 1 - 2 / (e^(2|u|) + 1) with u's sign, or u - u^3 / 3 where |u| < 1e-3
// (there the first form loses relative accuracy, the second's error is below 2e-13 relative).
__m256 tanh8(__m256 u) {
  const __m512d d = _mm512_cvtps_pd(u);
  // tanh(20) rounds to 1. min(20, NaN) is NaN in this operand order (minpd returns its second
  // operand when either is NaN), so NaN stays NaN.
  const __m512d a = _mm512_min_pd(_mm512_set1_pd(20.0), _mm512_abs_pd(d));
  const __m512d e = exp_pd(_mm512_add_pd(a, a));
  __m512d t = _mm512_sub_pd(_mm512_set1_pd(1.0), _mm512_div_pd(_mm512_set1_pd(2.0), _mm512_add_pd(e, _mm512_set1_pd(1.0))));
  const __m512d small = _mm512_fnmadd_pd(_mm512_mul_pd(a, _mm512_mul_pd(a, a)), _mm512_set1_pd(1.0 / 3.0), a);
  t = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, _mm512_set1_pd(1e-3), _CMP_LT_OQ), t, small);
  // copy u's sign (tanh is odd)
  const __m512i sign = _mm512_and_si512(_mm512_castpd_si512(d), _mm512_set1_epi64((long long)0x8000000000000000ULL));
  t = _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(t), sign));
  return _mm512_cvtpd_ps(t);
}

// The exact tanh of 16 floats: tanh8 on each half.
__m512 tanh16_exact(__m512 u) {
  const __m256 lo = tanh8(_mm512_castps512_ps256(u));
  const __m256 hi = tanh8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
}

// The training form: tanh of 16 floats in float arithmetic, within a few float ulps (the test
// allows 8; bf16 matrix products round to 2^-8). |u| < 0.25: the odd series to u^9 (truncation
// below 1e-8 relative); else 1 - 2 / (e^(2|u|) + 1) with e^y = 2^n e^r, |r| <= ln2 / 2, e^r by
// Taylor to r^7; |u| is capped at 10, where tanh rounds to 1.
__m512 tanh16_fast(__m512 u) {
  // min(10, NaN) is NaN in this operand order, so NaN stays NaN.
  const __m512 a = _mm512_min_ps(_mm512_set1_ps(10.0f), _mm512_abs_ps(u));
  const __m512 y = _mm512_add_ps(a, a);
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(y, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145752f), y);  // ln2's high bits: n ln2_hi exact
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.42860677e-6f), r);        // ln2 - ln2_hi
  __m512 p = _mm512_set1_ps(1.0f);
  for (int k = 7; k >= 1; --k) p = _mm512_fmadd_ps(_mm512_mul_ps(r, _mm512_set1_ps(1.0f / k)), p, _mm512_set1_ps(1.0f));
  const __m512 e = _mm512_scalef_ps(p, n);
  const __m512 big = _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
  // u (1 - u^2/3 + 2u^4/15 - 17u^6/315 + 62u^8/2835)
  const __m512 a2 = _mm512_mul_ps(a, a);
  __m512 s = _mm512_set1_ps(62.0f / 2835.0f);
  s = _mm512_fmadd_ps(s, a2, _mm512_set1_ps(-17.0f / 315.0f));
  s = _mm512_fmadd_ps(s, a2, _mm512_set1_ps(2.0f / 15.0f));
  s = _mm512_fmadd_ps(s, a2, _mm512_set1_ps(-1.0f / 3.0f));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(s, a2), a, a);
  const __m512 t = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.25f), _CMP_LT_OQ), big, small);
  // copy u's sign (tanh is odd)
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(u), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign));
}

// Elements [i0, i1) through Tanh (tanh16_exact or tanh16_fast): 16 at a time, the tail masked.
template <__m512 (*Tanh)(__m512)>
void tanh_range(float* t, const float* u, long i0, long i1) {
  for (long i = i0; i < i1; i += 16) {
    const __mmask16 m = static_cast<__mmask16>(i1 - i >= 16 ? 0xFFFF : (1u << (i1 - i)) - 1);
    _mm512_mask_storeu_ps(t + i, m, Tanh(_mm512_maskz_loadu_ps(m, u + i)));
  }
}

template <__m512 (*Tanh)(__m512)>
void gelu_range(float* h, const float* a, const float* b, float* tanh_out, long i0, long i1) {
  for (long i = i0; i < i1; i += 16) {
    const __mmask16 m = static_cast<__mmask16>(i1 - i >= 16 ? 0xFFFF : (1u << (i1 - i)) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(m, a + i);
    // u = c * (x + k * x^3), rounded step by step as the scalar (and PyTorch's) expression: no FMA.
    const __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
    const __m512 u = _mm512_mul_ps(_mm512_set1_ps(kGeluNewSqrt2OverPi), _mm512_add_ps(x, _mm512_mul_ps(_mm512_set1_ps(kGeluNewCoef), x3)));
    const __m512 t = Tanh(u);
    if (tanh_out) _mm512_mask_storeu_ps(tanh_out + i, m, t);
    __m512 y = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(_mm512_set1_ps(1.0f), t));
    if (b) y = _mm512_mul_ps(y, _mm512_maskz_loadu_ps(m, b + i));
    _mm512_mask_storeu_ps(h + i, m, y);
  }
}

void tanh_range(float* t, const float* u, long i0, long i1, bool fast) {
  fast ? tanh_range<tanh16_fast>(t, u, i0, i1) : tanh_range<tanh16_exact>(t, u, i0, i1);
}

void gelu_range(float* h, const float* a, const float* b, float* tanh_out, long i0, long i1, bool fast) {
  fast ? gelu_range<tanh16_fast>(h, a, b, tanh_out, i0, i1) : gelu_range<tanh16_exact>(h, a, b, tanh_out, i0, i1);
}
#else
// Without AVX-512 the fast forms are the exact ones.
void tanh_range(float* t, const float* u, long i0, long i1, bool /*fast*/) {
  for (long i = i0; i < i1; ++i) t[i] = std::tanh(u[i]);
}

void gelu_range(float* h, const float* a, const float* b, float* tanh_out, long i0, long i1, bool /*fast*/) {
  for (long i = i0; i < i1; ++i) {
    const float x = a[i];
    const float t = std::tanh(kGeluNewSqrt2OverPi * (x + kGeluNewCoef * (x * x * x)));
    if (tanh_out) tanh_out[i] = t;
    const float y = 0.5f * x * (1.0f + t);
    h[i] = b ? y * b[i] : y;
  }
}
#endif

// range(i0, i1) over [0, n) in blocks of kBlock, the blocks shared among the threads.
template <class Range>
void over_blocks(long n, Range range) {
  const long blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for if (blocks > 1)
  for (long blk = 0; blk < blocks; ++blk) range(blk * kBlock, std::min(n, (blk + 1) * kBlock));
}

}  // namespace

void tanh_forward(float* t, const float* u, long n) {
  over_blocks(n, [&](long i0, long i1) { tanh_range(t, u, i0, i1, /*fast=*/false); });
}

void gelu_new_forward(float* h, const float* a, const float* b, long n, float* tanh_out) {
  over_blocks(n, [&](long i0, long i1) { gelu_range(h, a, b, tanh_out, i0, i1, /*fast=*/false); });
}

void tanh_forward_fast(float* t, const float* u, long n) {
  over_blocks(n, [&](long i0, long i1) { tanh_range(t, u, i0, i1, /*fast=*/true); });
}

void gelu_new_forward_fast(float* h, const float* a, const float* b, long n, float* tanh_out) {
  over_blocks(n, [&](long i0, long i1) { gelu_range(h, a, b, tanh_out, i0, i1, /*fast=*/true); });
}

}  // namespace byt5

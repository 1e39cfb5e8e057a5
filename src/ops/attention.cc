#include "ops/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace byt5 {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Below this many multiply-adds a parallel region costs more than it saves.
constexpr long kParallelWork = 1L << 18;

inline long work(const AttentionShape& s) { return (long)s.B * s.H * s.Tq * s.Tk * s.D; }

inline bool visible(const AttentionShape& s, const float* key_mask, int b, int i, int j) {
  if (key_mask && key_mask[(size_t)b * s.Tk + j] == 0.0f) return false;
  return !s.causal || j <= i + s.q_offset;
}

// Head h of batch row b of x (n rows of H*D floats, batch rows bstride apart), written transposed
// into xt (D rows of ld floats) at columns pos0 .. pos0 + n - 1, so that the products over d can
// run across all keys j at once (each one still summed over d in order, as a dot would).
void transpose_head(float* xt, long ld, long pos0, const float* x, long bstride, int n, int H, int D, int b, int h) {
  const int HD = H * D;
  for (int j = 0; j < n; ++j) {
    const float* xj = x + b * bstride + (size_t)j * HD + h * D;
    for (int d = 0; d < D; ++d) xt[(size_t)d * ld + pos0 + j] = xj[d];
  }
}

void transpose_head(float* xt, const float* x, const AttentionShape& s, int b, int h) {
  transpose_head(xt, s.Tk, 0, x, s.kv_bstride, s.Tk, s.H, s.D, b, h);
}

// out[j] = sum_d a[d] * xt[d][j] (xt: D rows of ld floats), accumulated over d in order by fused
// multiply-adds from 0. The AVX-512 form keeps 64 keys' sums in registers across d (the plain
// loop stored and reloaded them for every d); each sum is formed the same way in both.
void row_products(float* out, const float* a, const float* xt, int D, int Tk, long ld) {
#if defined(__AVX512F__)
  for (int j = 0; j < Tk; j += 64) {
    __mmask16 m[4];
    for (int u = 0; u < 4; ++u) {
      const int left = std::clamp(Tk - j - 16 * u, 0, 16);
      m[u] = static_cast<__mmask16>((1u << left) - 1);
    }
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    for (int d = 0; d < D; ++d) {
      const __m512 ad = _mm512_set1_ps(a[d]);
      const float* x = xt + (size_t)d * ld + j;
      c0 = _mm512_fmadd_ps(ad, _mm512_maskz_loadu_ps(m[0], x), c0);
      c1 = _mm512_fmadd_ps(ad, _mm512_maskz_loadu_ps(m[1], x + 16), c1);
      c2 = _mm512_fmadd_ps(ad, _mm512_maskz_loadu_ps(m[2], x + 32), c2);
      c3 = _mm512_fmadd_ps(ad, _mm512_maskz_loadu_ps(m[3], x + 48), c3);
    }
    _mm512_mask_storeu_ps(out + j, m[0], c0);
    _mm512_mask_storeu_ps(out + j + 16, m[1], c1);
    _mm512_mask_storeu_ps(out + j + 32, m[2], c2);
    _mm512_mask_storeu_ps(out + j + 48, m[3], c3);
  }
#else
  std::fill(out, out + Tk, 0.0f);
  for (int d = 0; d < D; ++d) {
    const float ad = a[d];
    const float* x = xt + (size_t)d * ld;
#pragma omp simd
    for (int j = 0; j < Tk; ++j) out[j] += ad * x[j];
  }
#endif
}

// For q < nq (at most 4): out[q * os + d] = sum_r c[q * qs + r * cs] * x[r * xs + d] for d < D,
// over r = 0 .. n-1 in order, by fused multiply-adds from 0: the probability-weighted sums of
// value rows, and the gradients' sums over keys or queries. A term whose coefficients are all
// zero (masked or dropped) is skipped. The AVX-512 form keeps nq x 64 sums in registers across
// r and loads each x row once for all nq outputs; each sum is formed in the same order whatever nq.
#if defined(__AVX512F__)
template <int NQ>
void weighted_rows_n(float* out, long os, const float* c, long qs, long cs, int n, const float* x, long xs, int D) {
  for (int d = 0; d < D; d += 64) {
    __mmask16 m[4];
    for (int u = 0; u < 4; ++u) {
      const int left = std::clamp(D - d - 16 * u, 0, 16);
      m[u] = static_cast<__mmask16>((1u << left) - 1);
    }
    __m512 acc[NQ][4];
    for (int q = 0; q < NQ; ++q)
      for (int u = 0; u < 4; ++u) acc[q][u] = _mm512_setzero_ps();
    for (int r = 0; r < n; ++r) {
      float cr[NQ];
      bool any = false;
      for (int q = 0; q < NQ; ++q) {
        cr[q] = c[q * qs + r * cs];
        any = any || cr[q] != 0.0f;
      }
      if (!any) continue;
      const float* xr = x + r * xs + d;
      __m512 xv[4];
      for (int u = 0; u < 4; ++u) xv[u] = _mm512_maskz_loadu_ps(m[u], xr + 16 * u);
      for (int q = 0; q < NQ; ++q) {
        const __m512 w = _mm512_set1_ps(cr[q]);
        for (int u = 0; u < 4; ++u) acc[q][u] = _mm512_fmadd_ps(w, xv[u], acc[q][u]);
      }
    }
    for (int q = 0; q < NQ; ++q)
      for (int u = 0; u < 4; ++u) _mm512_mask_storeu_ps(out + q * os + d + 16 * u, m[u], acc[q][u]);
  }
}
#endif

void weighted_rows(float* out, long os, int nq, const float* c, long qs, long cs, int n, const float* x, long xs,
                   int D) {
#if defined(__AVX512F__)
  switch (nq) {
    case 4: return weighted_rows_n<4>(out, os, c, qs, cs, n, x, xs, D);
    case 3: return weighted_rows_n<3>(out, os, c, qs, cs, n, x, xs, D);
    case 2: return weighted_rows_n<2>(out, os, c, qs, cs, n, x, xs, D);
    default: return weighted_rows_n<1>(out, os, c, qs, cs, n, x, xs, D);
  }
#else
  for (int q = 0; q < nq; ++q) {
    float* o = out + q * os;
    std::fill(o, o + D, 0.0f);
    for (int r = 0; r < n; ++r) {
      const float cr = c[q * qs + r * cs];
      if (cr == 0.0f) continue;
      const float* xr = x + r * xs;
      for (int d = 0; d < D; ++d) o[d] += cr * xr[d];
    }
  }
#endif
}

// One (b, h) pair: every query row against keys given transposed (kt: D rows of ld floats), in
// groups of up to 4 rows that share the passes over the value rows. scratch: 8 * Tk floats.
void attend_head(float* out, float* probs, float* scratch, const float* q, const float* kt, long ld, const float* v,
                 const float* bias, const float* key_mask, const AttentionShape& s, const DropoutSpec& drop, int b,
                 int h) {
  const int HD = s.H * s.D;
  const float scale = dropout_scale(drop);
  const size_t rows = ((size_t)b * s.H + h) * s.Tq * s.Tk;
  for (int i0 = 0; i0 < s.Tq; i0 += 4) {
    const int nq = std::min(4, s.Tq - i0);
    // Scores, then probabilities, of rows i0 .. i0 + nq - 1, Tk floats apart.
    float* pg = probs ? probs + rows + (size_t)i0 * s.Tk : scratch;
    float* pdg = scratch + 4 * (size_t)s.Tk;  // after dropout, when training
    for (int qi = 0; qi < nq; ++qi) {
      const int i = i0 + qi;
      float* p = pg + (size_t)qi * s.Tk;
      row_products(p, q + b * s.q_bstride + (size_t)i * HD + h * s.D, kt, s.D, s.Tk, ld);
      float mx = kNegInf;
      for (int j = 0; j < s.Tk; ++j) {
        if (!visible(s, key_mask, b, i, j)) {
          p[j] = kNegInf;
          continue;
        }
        if (bias) p[j] += bias[((size_t)h * s.Tq + i) * s.Tk + j];
        mx = std::max(mx, p[j]);
      }
      // A fully masked row (never produced by real inputs) attends uniformly, as an additive
      // finfo.min mask would make it.
      const bool all_masked = mx == kNegInf;
      float sum = 0.0f;
      for (int j = 0; j < s.Tk; ++j) {
        p[j] = all_masked ? 1.0f : (p[j] == kNegInf ? 0.0f : std::exp(p[j] - mx));
        sum += p[j];
      }
      const float inv = 1.0f / sum;
      for (int j = 0; j < s.Tk; ++j) p[j] *= inv;
      if (drop.active()) {
        const size_t row = rows + (size_t)i * s.Tk;
        float* pd = pdg + (size_t)qi * s.Tk;
        for (int j = 0; j < s.Tk; ++j) pd[j] = p[j] != 0.0f && dropout_keep(drop, row + j) ? p[j] * scale : 0.0f;
      }
    }
    weighted_rows(out + b * s.q_bstride + (size_t)i0 * HD + h * s.D, HD, nq, drop.active() ? pdg : pg, s.Tk, 1, s.Tk,
                  v + b * s.kv_bstride + h * s.D, HD, s.D);
  }
}

}  // namespace

void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v, const float* bias,
                       const float* key_mask, const AttentionShape& s, const DropoutSpec& drop) {
#pragma omp parallel if (work(s) >= kParallelWork)
  {
    std::vector<float> kt((size_t)s.D * s.Tk), scratch(8 * (size_t)s.Tk);
#pragma omp for collapse(2) schedule(static)
    for (int b = 0; b < s.B; ++b)
      for (int h = 0; h < s.H; ++h) {
        transpose_head(kt.data(), k, s, b, h);
        attend_head(out, probs, scratch.data(), q, kt.data(), s.Tk, v, bias, key_mask, s, drop, b, h);
      }
  }
}

void store_keys_transposed(float* kt, long kt_ld, int pos0, const float* k, int B, int T, int H, int D) {
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h)
      transpose_head(kt + ((size_t)b * H + h) * D * kt_ld, kt_ld, pos0, k, (long)T * H * D, T, H, D, b, h);
}

void attention_forward_kt(float* out, const float* q, const float* kt, long kt_ld, const float* v, const float* bias,
                          const float* key_mask, const AttentionShape& s) {
#pragma omp parallel if (work(s) >= kParallelWork)
  {
    std::vector<float> scratch(8 * (size_t)s.Tk);
#pragma omp for collapse(2) schedule(static)
    for (int b = 0; b < s.B; ++b)
      for (int h = 0; h < s.H; ++h)
        attend_head(out, nullptr, scratch.data(), q, kt + ((size_t)b * s.H + h) * s.D * kt_ld, kt_ld, v, bias,
                    key_mask, s, {}, b, h);
  }
}

// With Pd = dropout(P): dPd = dout v^T; dP = dropout(dPd); dS = P * (dP - sum_j P dP);
// dq = dS k; dk = dS^T q; dv = Pd^T dout.
void attention_backward(float* dq, float* dk, float* dv, float* dbias, const float* dout, const float* probs,
                        const float* q, const float* k, const float* v, const AttentionShape& s,
                        const DropoutSpec& drop, float* dscores) {
  const int HD = s.H * s.D;
  const float scale = dropout_scale(drop);
  std::vector<float> own;
  if (!dscores) {
    own.resize((size_t)s.B * s.H * s.Tq * s.Tk);
    dscores = own.data();
  }
  // Each (b, h) writes its own columns of dq/dk/dv and its own rows of dscores: first dS row by
  // row, then dq by query rows and dk, dv by key columns, each sum taken over j or i in order.
#pragma omp parallel if (work(s) >= kParallelWork)
  {
    std::vector<float> vt((size_t)s.D * s.Tk), pd((size_t)s.Tq * s.Tk);
#pragma omp for collapse(2) schedule(static)
    for (int b = 0; b < s.B; ++b)
      for (int h = 0; h < s.H; ++h) {
        transpose_head(vt.data(), v, s, b, h);
        const float* qh = q + b * s.q_bstride + h * s.D;
        const float* douth = dout + b * s.q_bstride + h * s.D;
        const size_t rows = ((size_t)b * s.H + h) * s.Tq * s.Tk;
        for (int i = 0; i < s.Tq; ++i) {
          const size_t row = rows + (size_t)i * s.Tk;
          const float* P = probs + row;
          float* g = dscores + row;
          float* pdi = pd.data() + (size_t)i * s.Tk;  // dropout(P): the weights of dout in dv
          row_products(g, douth + (size_t)i * HD, vt.data(), s.D, s.Tk, s.Tk);  // dPd
          float sum = 0.0f;
          for (int j = 0; j < s.Tk; ++j) {
            const bool keep = P[j] != 0.0f && (!drop.active() || dropout_keep(drop, row + j));
            const float dp = keep ? (drop.active() ? g[j] * scale : g[j]) : 0.0f;
            pdi[j] = keep ? (drop.active() ? P[j] * scale : P[j]) : 0.0f;
            g[j] = dp;
            sum += P[j] * dp;
          }
          for (int j = 0; j < s.Tk; ++j) g[j] = P[j] == 0.0f ? 0.0f : P[j] * (g[j] - sum);
        }
        // dq rows and dk, dv rows (key columns) in groups of up to 4.
        for (int i0 = 0; i0 < s.Tq; i0 += 4)
          weighted_rows(dq + b * s.q_bstride + (size_t)i0 * HD + h * s.D, HD, std::min(4, s.Tq - i0),
                        dscores + rows + (size_t)i0 * s.Tk, s.Tk, 1, s.Tk, k + b * s.kv_bstride + h * s.D, HD, s.D);
        for (int j0 = 0; j0 < s.Tk; j0 += 4) {
          const size_t kvo = b * s.kv_bstride + (size_t)j0 * HD + h * s.D;
          const int nj = std::min(4, s.Tk - j0);
          weighted_rows(dk + kvo, HD, nj, dscores + rows + j0, 1, s.Tk, s.Tq, qh, HD, s.D);
          weighted_rows(dv + kvo, HD, nj, pd.data() + j0, 1, s.Tk, s.Tq, douth, HD, s.D);
        }
      }
  }
  if (!dbias) return;
#pragma omp parallel for collapse(2) schedule(static) if (work(s) >= kParallelWork)
  for (int h = 0; h < s.H; ++h)
    for (int i = 0; i < s.Tq; ++i)
      for (int b = 0; b < s.B; ++b) {
        const float* g = dscores + (((size_t)b * s.H + h) * s.Tq + i) * s.Tk;
        float* db = dbias + ((size_t)h * s.Tq + i) * s.Tk;
        for (int j = 0; j < s.Tk; ++j) db[j] += g[j];
      }
}

}  // namespace byt5

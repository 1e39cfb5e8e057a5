#include "ops/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

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

// out[j] = sum_d a[d] * xt[d][j] (xt: D rows of ld floats), accumulated over d in order.
void row_products(float* out, const float* a, const float* xt, int D, int Tk, long ld) {
  std::fill(out, out + Tk, 0.0f);
  for (int d = 0; d < D; ++d) {
    const float ad = a[d];
    const float* x = xt + (size_t)d * ld;
#pragma omp simd
    for (int j = 0; j < Tk; ++j) out[j] += ad * x[j];
  }
}

// One (b, h) pair: every query row against keys given transposed (kt: D rows of ld floats).
void attend_head(float* out, float* probs, float* scratch, const float* q, const float* kt, long ld, const float* v,
                 const float* bias, const float* key_mask, const AttentionShape& s, const DropoutSpec& drop, int b,
                 int h) {
  const int HD = s.H * s.D;
  const float scale = dropout_scale(drop);
  for (int i = 0; i < s.Tq; ++i) {
    const size_t row = (((size_t)b * s.H + h) * s.Tq + i) * s.Tk;
    float* p = probs ? probs + row : scratch;  // (Tk): scores, then probabilities
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
    float* oi = out + b * s.q_bstride + (size_t)i * HD + h * s.D;
    std::fill(oi, oi + s.D, 0.0f);
    for (int j = 0; j < s.Tk; ++j) {
      p[j] *= inv;
      if (p[j] == 0.0f) continue;
      const float pj = drop.active() ? (dropout_keep(drop, row + j) ? p[j] * scale : 0.0f) : p[j];
      if (pj == 0.0f) continue;
      const float* vj = v + b * s.kv_bstride + (size_t)j * HD + h * s.D;
      for (int d = 0; d < s.D; ++d) oi[d] += pj * vj[d];
    }
  }
}

}  // namespace

void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v, const float* bias,
                       const float* key_mask, const AttentionShape& s, const DropoutSpec& drop) {
#pragma omp parallel if (work(s) >= kParallelWork)
  {
    std::vector<float> kt((size_t)s.D * s.Tk), scratch(probs ? 0 : s.Tk);
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
    std::vector<float> scratch(s.Tk);
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
  for (int b = 0; b < s.B; ++b) {
    std::memset(dq + b * s.q_bstride, 0, sizeof(float) * (size_t)s.Tq * HD);
    std::memset(dk + b * s.kv_bstride, 0, sizeof(float) * (size_t)s.Tk * HD);
    std::memset(dv + b * s.kv_bstride, 0, sizeof(float) * (size_t)s.Tk * HD);
  }
  // Each (b, h) writes its own columns of dq/dk/dv and its own rows of dscores.
#pragma omp parallel if (work(s) >= kParallelWork)
  {
    std::vector<float> vt((size_t)s.D * s.Tk);
#pragma omp for collapse(2) schedule(static)
    for (int b = 0; b < s.B; ++b)
      for (int h = 0; h < s.H; ++h) {
        transpose_head(vt.data(), v, s, b, h);
        for (int i = 0; i < s.Tq; ++i) {
          const size_t row = (((size_t)b * s.H + h) * s.Tq + i) * s.Tk;
          const float* P = probs + row;
          float* g = dscores + row;
          const float* doi = dout + b * s.q_bstride + (size_t)i * HD + h * s.D;
          const float* qi = q + b * s.q_bstride + (size_t)i * HD + h * s.D;
          float* dqi = dq + b * s.q_bstride + (size_t)i * HD + h * s.D;
          row_products(g, doi, vt.data(), s.D, s.Tk, s.Tk);  // dPd
          float sum = 0.0f;
          for (int j = 0; j < s.Tk; ++j) {
            float dp = 0.0f;
            if (P[j] != 0.0f && (!drop.active() || dropout_keep(drop, row + j)))
              dp = drop.active() ? g[j] * scale : g[j];
            g[j] = dp;
            sum += P[j] * dp;
          }
          for (int j = 0; j < s.Tk; ++j) {
            if (P[j] == 0.0f) {
              g[j] = 0.0f;
              continue;
            }
            const bool keep = !drop.active() || dropout_keep(drop, row + j);
            const float pd = keep ? (drop.active() ? P[j] * scale : P[j]) : 0.0f;
            g[j] = P[j] * (g[j] - sum);
            const size_t kvo = b * s.kv_bstride + (size_t)j * HD + h * s.D;
            const float gj = g[j];
            for (int d = 0; d < s.D; ++d) {
              dqi[d] += gj * k[kvo + d];
              dk[kvo + d] += gj * qi[d];
            }
            if (pd != 0.0f)
              for (int d = 0; d < s.D; ++d) dv[kvo + d] += pd * doi[d];
          }
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

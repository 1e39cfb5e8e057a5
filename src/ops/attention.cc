#include "ops/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace byt5 {
namespace {

bool visible(const AttentionShape& s, const float* key_mask, int b, int i, int j) {
  if (key_mask && key_mask[(size_t)b * s.Tk + j] == 0.0f) return false;
  return !s.causal || j <= i + s.q_offset;
}

}  // namespace

void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v, const float* bias,
                       const float* key_mask, const AttentionShape& s) {
  const int HD = s.H * s.D;
  const long work = (long)s.B * s.H * s.Tq * s.Tk * s.D;
#pragma omp parallel if (work >= 65536)
  {
    std::vector<float> p(s.Tk);
#pragma omp for collapse(2) schedule(static)
    for (int b = 0; b < s.B; ++b)
      for (int h = 0; h < s.H; ++h)
        for (int i = 0; i < s.Tq; ++i) {
          const float* qi = q + b * s.q_bstride + (size_t)i * HD + h * s.D;
          float mx = -std::numeric_limits<float>::infinity();
          for (int j = 0; j < s.Tk; ++j) {
            if (!visible(s, key_mask, b, i, j)) {
              p[j] = -std::numeric_limits<float>::infinity();
              continue;
            }
            const float* kj = k + b * s.kv_bstride + (size_t)j * HD + h * s.D;
            float sc = 0.0f;
            for (int d = 0; d < s.D; ++d) sc += qi[d] * kj[d];
            if (bias) sc += bias[((size_t)h * s.Tq + i) * s.Tk + j];
            p[j] = sc;
            mx = std::max(mx, sc);
          }
          // A fully masked row (never produced by real inputs) attends uniformly, as an additive
          // finfo.min mask would make it.
          bool all_masked = mx == -std::numeric_limits<float>::infinity();
          float sum = 0.0f;
          for (int j = 0; j < s.Tk; ++j) {
            p[j] = all_masked ? 1.0f : (p[j] == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp(p[j] - mx));
            sum += p[j];
          }
          const float inv = 1.0f / sum;
          float* oi = out + b * s.q_bstride + (size_t)i * HD + h * s.D;
          std::fill(oi, oi + s.D, 0.0f);
          for (int j = 0; j < s.Tk; ++j) {
            p[j] *= inv;
            if (p[j] == 0.0f) continue;
            const float* vj = v + b * s.kv_bstride + (size_t)j * HD + h * s.D;
            for (int d = 0; d < s.D; ++d) oi[d] += p[j] * vj[d];
          }
          if (probs) std::memcpy(probs + (((size_t)b * s.H + h) * s.Tq + i) * s.Tk, p.data(), sizeof(float) * s.Tk);
        }
  }
}

// dP = dout v^T; dS = P * (dP - sum_j P dP); dq = dS k; dk = dS^T q; dv = P^T dout.
void attention_backward(float* dq, float* dk, float* dv, float* dbias, const float* dout, const float* probs,
                        const float* q, const float* k, const float* v, const AttentionShape& s) {
  const int HD = s.H * s.D;
  for (int b = 0; b < s.B; ++b) {
    std::memset(dq + b * s.q_bstride, 0, sizeof(float) * (size_t)s.Tq * HD);
    std::memset(dk + b * s.kv_bstride, 0, sizeof(float) * (size_t)s.Tk * HD);
    std::memset(dv + b * s.kv_bstride, 0, sizeof(float) * (size_t)s.Tk * HD);
  }
  // Parallel over heads: each head writes its own columns of dq/dk/dv and its own slice of dbias.
  const long work = (long)s.B * s.H * s.Tq * s.Tk * s.D;
#pragma omp parallel if (work >= 65536)
  {
    std::vector<float> ds(s.Tk);
#pragma omp for schedule(static)
    for (int h = 0; h < s.H; ++h)
      for (int b = 0; b < s.B; ++b)
        for (int i = 0; i < s.Tq; ++i) {
          const float* P = probs + (((size_t)b * s.H + h) * s.Tq + i) * s.Tk;
          const float* doi = dout + b * s.q_bstride + (size_t)i * HD + h * s.D;
          const float* qi = q + b * s.q_bstride + (size_t)i * HD + h * s.D;
          float* dqi = dq + b * s.q_bstride + (size_t)i * HD + h * s.D;
          float dot = 0.0f;
          for (int j = 0; j < s.Tk; ++j) {
            float dp = 0.0f;
            if (P[j] != 0.0f) {
              const float* vj = v + b * s.kv_bstride + (size_t)j * HD + h * s.D;
              for (int d = 0; d < s.D; ++d) dp += doi[d] * vj[d];
            }
            ds[j] = dp;
            dot += P[j] * dp;
          }
          for (int j = 0; j < s.Tk; ++j) {
            if (P[j] == 0.0f) continue;
            const float g = P[j] * (ds[j] - dot);
            const size_t kvo = b * s.kv_bstride + (size_t)j * HD + h * s.D;
            for (int d = 0; d < s.D; ++d) {
              dqi[d] += g * k[kvo + d];
              dk[kvo + d] += g * qi[d];
              dv[kvo + d] += P[j] * doi[d];
            }
            if (dbias) dbias[((size_t)h * s.Tq + i) * s.Tk + j] += g;
          }
        }
  }
}

}  // namespace byt5

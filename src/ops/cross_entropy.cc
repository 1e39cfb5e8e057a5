#include "ops/cross_entropy.h"

#include <algorithm>
#include <cmath>

namespace byt5 {
float row_logsumexp(const float* x, int V) {
  float mx = x[0];
  for (int v = 1; v < V; ++v) mx = std::max(mx, x[v]);
  float s = 0.0f;
  for (int v = 0; v < V; ++v) s += std::exp(x[v] - mx);
  return mx + std::log(s);
}

double cross_entropy_forward(float* losses, const float* logits, const int* labels, int N, int V) {
  double total = 0.0;
#pragma omp parallel for reduction(+ : total) if (N >= 16)
  for (int n = 0; n < N; ++n) {
    float l = 0.0f;
    if (labels[n] >= 0) {
      const float* x = logits + (size_t)n * V;
      l = row_logsumexp(x, V) - x[labels[n]];
    }
    if (losses) losses[n] = l;
    total += l;
  }
  return total;
}

void cross_entropy_backward(float* dlogits, const float* logits, const int* labels, int N, int V, float scale) {
#pragma omp parallel for if (N >= 16)
  for (int n = 0; n < N; ++n) {
    float* d = dlogits + (size_t)n * V;
    if (labels[n] < 0) {
      std::fill(d, d + V, 0.0f);
      continue;
    }
    const float* x = logits + (size_t)n * V;
    const float lse = row_logsumexp(x, V);
    for (int v = 0; v < V; ++v) d[v] = scale * std::exp(x[v] - lse);
    d[labels[n]] -= scale;
  }
}

}  // namespace byt5

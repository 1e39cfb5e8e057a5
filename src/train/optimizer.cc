#include "train/optimizer.h"

#include <algorithm>
#include <cmath>

namespace byt5 {

AdamW::AdamW(const T5Config& cfg, AdamHyper h) : h_(h), m_(cfg), v_(cfg) {}

// The float arithmetic follows transformers.AdamW on torch's CPU kernels: the scalars are float,
// exp_avg.mul_(b1).add_(g, alpha=1-b1) is an fma, addcmul is v + (c * g) * g, addcdiv is
// p + (c * m) / denom, and the step size is computed in double, as Python does.
void AdamW::step(ParamSet& params, const ParamSet& grads, double lr) {
  ++t_;
  const float b1 = h_.beta1, b2 = h_.beta2, eps = h_.eps;
  const float c1 = static_cast<float>(1.0 - static_cast<double>(h_.beta1));
  const float c2 = static_cast<float>(1.0 - static_cast<double>(h_.beta2));
  const double bc1 = 1.0 - std::pow(static_cast<double>(h_.beta1), static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(static_cast<double>(h_.beta2), static_cast<double>(t_));
  for (const auto& s : params.specs()) {
    const double scale = s.name.find("relative_attention_bias") != std::string::npos ? h_.rel_bias_lr_scale : 1.0;
    const float neg_step = static_cast<float>(-(lr * scale * std::sqrt(bc2) / bc1));
    // HF's Trainer exempts biases (T5 has none) and layer norms from weight decay.
    const bool decays = h_.weight_decay != 0.0f && s.name.find("layer_norm") == std::string::npos;
    const float decay = decays ? static_cast<float>(-lr * h_.weight_decay) : 0.0f;
    float* p = params.data() + s.offset;
    const float* g = grads.data() + s.offset;
    float* m = m_.data() + s.offset;
    float* v = v_.data() + s.offset;
    const long n = static_cast<long>(s.numel());
#pragma omp parallel for simd if (n >= 65536)
    for (long i = 0; i < n; ++i) {
      m[i] = std::fma(g[i], c1, m[i] * b1);
      v[i] = v[i] * b2 + (c2 * g[i]) * g[i];
      const float denom = std::sqrt(v[i]) + eps;
      p[i] = p[i] + (neg_step * m[i]) / denom;
      if (decays) p[i] = std::fma(p[i], decay, p[i]);
    }
  }
}

namespace {

// Sum of squares in double over fixed chunks added in order, so the result does not depend on
// the number of threads (a resumed run must reproduce every bit).
double sum_squares(const float* g, long n) {
  constexpr long kChunks = 64;
  double part[kChunks] = {};
  const long per = (n + kChunks - 1) / kChunks;
#pragma omp parallel for schedule(static) if (n >= 65536)
  for (long c = 0; c < kChunks; ++c) {
    double s = 0;
    for (long i = c * per; i < std::min(n, (c + 1) * per); ++i) s += static_cast<double>(g[i]) * g[i];
    part[c] = s;
  }
  double total = 0;
  for (double p : part) total += p;
  return total;
}

}  // namespace

double grad_norm(const ParamSet& grads) {
  double total = 0;
  for (const auto& s : grads.specs()) {
    // torch.norm returns each tensor's norm as a float.
    const float tensor_norm = static_cast<float>(std::sqrt(sum_squares(grads.data() + s.offset, (long)s.numel())));
    total += static_cast<double>(tensor_norm) * tensor_norm;
  }
  return static_cast<float>(std::sqrt(total));
}

double clip_grad_norm(ParamSet& grads, float max_norm) {
  const double norm = grad_norm(grads);
  const float coef = max_norm / (static_cast<float>(norm) + 1e-6f);
  if (coef < 1.0f) {
    float* g = grads.data();
    const long n = static_cast<long>(grads.size());
#pragma omp parallel for simd if (n >= 65536)
    for (long i = 0; i < n; ++i) g[i] *= coef;
  }
  return norm;
}

double linear_schedule_lr(double lr, int64_t done, int64_t total, int64_t warmup) {
  if (done < warmup) return lr * (static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, warmup)));
  const double f = static_cast<double>(total - done) / static_cast<double>(std::max<int64_t>(1, total - warmup));
  return lr * std::max(0.0, f);
}

}  // namespace byt5

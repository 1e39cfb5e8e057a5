#include "ops/ffn_act.h"

#include <cmath>

#include "ops/gelu_new.h"

namespace byt5 {
float activation(Activation act, float x) {
  switch (act) {
    case Activation::Relu: return x > 0.0f ? x : 0.0f;
    case Activation::Gelu: return 0.5f * x * (1.0f + std::erf(x * 0.7071067811865476f));
    case Activation::GeluNew: return 0.5f * x * (1.0f + std::tanh(kGeluNewSqrt2OverPi * (x + kGeluNewCoef * x * x * x)));
    case Activation::Silu: return x / (1.0f + std::exp(-x));
  }
  return x;
}

float activation_grad(Activation act, float x) {
  switch (act) {
    case Activation::Relu: return x > 0.0f ? 1.0f : 0.0f;
    case Activation::Gelu: {
      float cdf = 0.5f * (1.0f + std::erf(x * 0.7071067811865476f));
      float pdf = 0.3989422804014327f * std::exp(-0.5f * x * x);
      return cdf + x * pdf;
    }
    case Activation::GeluNew: {
      float u = kGeluNewSqrt2OverPi * (x + kGeluNewCoef * x * x * x);
      float t = std::tanh(u);
      float du = kGeluNewSqrt2OverPi * (1.0f + 3.0f * kGeluNewCoef * x * x);
      return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
    }
    case Activation::Silu: {
      float s = 1.0f / (1.0f + std::exp(-x));
      return s * (1.0f + x * (1.0f - s));
    }
  }
  return 1.0f;
}

void ffn_act_forward(float* h, const float* a, const float* b, long n, Activation act) {
  if (act == Activation::GeluNew) return gelu_new_forward(h, a, b, n);
#pragma omp parallel for simd if (n >= 4096)
  for (long i = 0; i < n; ++i) h[i] = b ? activation(act, a[i]) * b[i] : activation(act, a[i]);
}

void ffn_act_backward(float* da, float* db, const float* dh, const float* a, const float* b, long n, Activation act) {
#pragma omp parallel for if (n >= 4096)
  for (long i = 0; i < n; ++i) {
    if (b) {
      da[i] = dh[i] * activation_grad(act, a[i]) * b[i];
      if (db) db[i] = dh[i] * activation(act, a[i]);
    } else {
      da[i] = dh[i] * activation_grad(act, a[i]);
    }
  }
}

}  // namespace byt5

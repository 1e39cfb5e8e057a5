#include "train/linear_context.h"

#include "core/error.h"
#include "train/gemm_f64acc.h"

namespace byt5 {

Precision parse_precision(const std::string& s) {
  if (s == "fp32" || s == "f32") return Precision::F32;
  if (s == "bf16") return Precision::BF16;
  throw Error("unknown precision '" + s + "' (use fp32 or bf16)");
}

const char* precision_name(Precision p) { return p == Precision::F32 ? "fp32" : "bf16"; }

bf16_t* LinearContext::ensure(AlignedBuffer<bf16_t>& b, size_t n) {
  if (b.size() < n) b.resize(n);
  return b.data();
}

void LinearContext::refresh_weights(const ParamSet& params) {
  if (p_ != Precision::BF16) return;
  base_ = params.data();
  base_n_ = params.size();
  ensure(shadow_, base_n_);
  f32_to_bf16(shadow_.data(), base_, base_n_);
}

const bf16_t* LinearContext::weight(const float* W, size_t numel) {
  if (base_ && W >= base_ && W + numel <= base_ + base_n_) return shadow_.data() + (W - base_);
  bf16_t* w = ensure(w_, numel);  // not a parameter (tests): convert now
  f32_to_bf16(w, W, numel);
  return w;
}

float* LinearContext::ensure_f32(AlignedBuffer<float>& b, size_t n) {
  if (b.size() < n) b.resize(n);
  return b.data();
}

void LinearContext::forward(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate) {
  if (p_ == Precision::F32) {
    float* wt = ensure_f32(wt_, (size_t)K * N);  // W^T (K, N)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k) wt[(size_t)k * N + n] = W[(size_t)n * K + k];
    return gemm_f64acc(M, N, K, x, K, 1, wt, N, y, N, accumulate);
  }
  const bf16_t* wb = weight(W, (size_t)N * K);
  bf16_t* xb = ensure(a_, (size_t)M * K);
  f32_to_bf16(xb, x, (size_t)M * K);
  mm_.gemm(M, N, K, xb, K, /*trans_a=*/false, wb, K, /*trans_b=*/true, y, N, accumulate);
}

void LinearContext::backward(float* dx, float* dW, const float* dy, const float* x, const float* W, int M, int K,
                             int N, bool accumulate_dx) {
  if (p_ == Precision::F32) {
    if (dx) gemm_f64acc(M, K, N, dy, N, 1, W, K, dx, K, accumulate_dx);  // dy (M, N) . W (N, K)
    if (dW) gemm_f64acc(N, K, M, dy, 1, N, x, K, dW, K, true);            // dy^T (N, M) . x (M, K)
    return;
  }
  // dy in bf16 once, for both products (dW reads it transposed).
  bf16_t* dyb = ensure(a_, (size_t)M * N);
  f32_to_bf16(dyb, dy, (size_t)M * N);
  if (dx) {
    const bf16_t* wb = weight(W, (size_t)N * K);
    mm_.gemm(M, K, N, dyb, N, /*trans_a=*/false, wb, K, /*trans_b=*/false, dx, K, accumulate_dx);
  }
  if (dW) {  // dy^T (N, M) . x (M, K)
    bf16_t* xb = ensure(b_, (size_t)M * K);
    f32_to_bf16(xb, x, (size_t)M * K);
    mm_.gemm(N, K, M, dyb, N, /*trans_a=*/true, xb, K, /*trans_b=*/false, dW, K, /*accumulate=*/true);
  }
}

}  // namespace byt5

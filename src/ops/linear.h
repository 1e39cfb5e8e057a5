// Linear layer without bias, Hugging Face layout: W is (N, K) = (out, in), y = x W^T.
// Forward and backward through oneDNN's sgemm; *_ref are plain loops kept as the reference.
#pragma once

namespace byt5 {

// y (M, N) = x (M, K) . W^T, W (N, K). With accumulate, y += instead of y =.
void linear_forward(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate = false);
// dx (M, K) = dy (M, N) . W   (assigned, or added with accumulate_dx)
// dW (N, K) += dy^T . x       (always accumulated)
// Either output may be null to skip it.
void linear_backward(float* dx, float* dW, const float* dy, const float* x, const float* W, int M, int K, int N,
                     bool accumulate_dx = false);

void linear_forward_ref(float* y, const float* x, const float* W, int M, int K, int N);
void linear_backward_ref(float* dx, float* dW, const float* dy, const float* x, const float* W, int M, int K, int N);

// C (M, N) = alpha * op(A) op(B) + beta * C, row-major, through oneDNN.
void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc);

}  // namespace byt5

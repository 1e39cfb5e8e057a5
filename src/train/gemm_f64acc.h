// The fp32 training path's matrix product: f32 inputs and outputs, every product and sum in f64,
// each output rounded once. Slower than sgemm, but its results do not depend on blocking, thread
// count or FMA contraction, and they sit within half an ulp of exact arithmetic, which is what
// makes `--precision fp32` reproduce Hugging Face's trajectories robustly (Adam amplifies
// rounding in gradients near zero; see docs/TRAINING.md).
#pragma once

namespace byt5 {

// C (M, N) = A . B, or C += round(A . B) with accumulate. A's element (m, k) is
// A[m * a_rs + k * a_cs] (so a transposed A is a matter of strides); B is row-major (K, N) with
// leading dimension ldb; C is row-major with leading dimension ldc.
void gemm_f64acc(int M, int N, int K, const float* A, long a_rs, long a_cs, const float* B, long ldb, float* C,
                 long ldc, bool accumulate);

}  // namespace byt5

// y (M, N) (+)= x (M, K) W^T for small M (incremental decoding). Memory bound on W, so it streams
// each weight row once per call. Every output element is computed by the same instruction
// sequence whatever M is, so a row's result does not depend on what else is in the batch.
#pragma once

namespace byt5 {

inline constexpr int kSmallM = 16;

void small_m_gemm(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate);

}  // namespace byt5

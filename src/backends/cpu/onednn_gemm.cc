// The only file that talks to oneDNN's BLAS-like API.
#include <dnnl.h>

#include <string>

#include "core/error.h"
#include "ops/linear.h"

namespace byt5 {

void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  if (st != dnnl_success) throw Error("oneDNN sgemm failed with status " + std::to_string(static_cast<int>(st)));
}

}  // namespace byt5

// The fp32 path's f64-accumulating GEMM: equal to the double-precision reference rounded once,
// for every tile/edge shape, strided (transposed) A, and accumulation.
#include "../ops/grad_check.h"
#include "train/gemm_f64acc.h"

namespace byt5 {
namespace {

TEST(GemmF64Acc, EqualsRoundedDoubleReference) {
  for (auto [M, N, K] : {std::tuple{1, 1, 1}, {5, 33, 7}, {8, 64, 70}, {3, 100, 1}, {13, 31, 40}}) {
    auto A = test::random_vec((size_t)M * K, 1), B = test::random_vec((size_t)K * N, 2);
    auto C0 = test::random_vec((size_t)M * N, 3);
    for (bool transposed_a : {false, true})
      for (bool acc : {false, true}) {
        // A stored (M, K), or (K, M) and read transposed.
        std::vector<float> As = A;
        if (transposed_a)
          for (int m = 0; m < M; ++m)
            for (int k = 0; k < K; ++k) As[(size_t)k * M + m] = A[(size_t)m * K + k];
        std::vector<float> C = C0;
        gemm_f64acc(M, N, K, As.data(), transposed_a ? 1 : K, transposed_a ? M : 1, B.data(), N, C.data(), N, acc);
        for (int m = 0; m < M; ++m)
          for (int n = 0; n < N; ++n) {
            double s = 0;
            for (int k = 0; k < K; ++k) s += (double)A[(size_t)m * K + k] * B[(size_t)k * N + n];
            const float want = acc ? C0[(size_t)m * N + n] + (float)s : (float)s;
            ASSERT_EQ(C[(size_t)m * N + n], want) << M << "x" << N << "x" << K << " at " << m << "," << n;
          }
      }
  }
}

}  // namespace
}  // namespace byt5

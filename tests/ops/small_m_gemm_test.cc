// The decoding kernel: close to the double-precision reference, and each row bit-identical
// whatever else is in the batch (draft-and-verify and batched greedy rely on that). Shapes cover
// the K chunking (256), K's tail under 16, N's tail under 4 and M's tail under 4.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "backends/cpu/small_m_gemm.h"
#include "grad_check.h"
#include "ops/linear.h"

namespace byt5 {
namespace {

struct Shape {
  int K, N;
};

class SmallMGemm : public ::testing::TestWithParam<Shape> {};

TEST_P(SmallMGemm, MatchesTheReferenceAndEachRowAlone) {
  const auto [K, N] = GetParam();
  for (int M : {1, 3, 4, 7, 16}) {
    auto x = test::random_vec(M * K, 11 + M), W = test::random_vec(N * K, 13);
    std::vector<float> y(M * N), ref(M * N);
    small_m_gemm(y.data(), x.data(), W.data(), M, K, N, false);
    linear_forward_ref(ref.data(), x.data(), W.data(), M, K, N);
    for (int i = 0; i < M * N; ++i) ASSERT_NEAR(y[i], ref[i], 1e-5f * std::sqrt((float)K)) << "M " << M << " i " << i;
    for (int m = 0; m < M; ++m) {
      std::vector<float> one(N);
      small_m_gemm(one.data(), x.data() + (size_t)m * K, W.data(), 1, K, N, false);
      ASSERT_EQ(std::memcmp(one.data(), y.data() + (size_t)m * N, N * sizeof(float)), 0) << "M " << M << " row " << m;
    }
    // accumulate adds the same sums to what y held
    std::vector<float> acc(M * N, 0.5f);
    small_m_gemm(acc.data(), x.data(), W.data(), M, K, N, true);
    for (int i = 0; i < M * N; ++i) ASSERT_EQ(acc[i], 0.5f + y[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, SmallMGemm,
                         ::testing::Values(Shape{1, 1}, Shape{15, 5}, Shape{16, 8}, Shape{300, 7}, Shape{600, 12},
                                           Shape{1472, 6}));

}  // namespace
}  // namespace byt5

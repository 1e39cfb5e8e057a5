// The decoder's kernel over panel-packed weights: packing round-trips, results close to the
// double-precision reference, and each row bit-identical whatever else is in the call (batched
// greedy and draft-and-verify rely on that). Shapes cover a partial last panel (N not a multiple
// of 64, nor of 16), one and several row tiles (6 rows) and row blocks (24 rows), and K across
// several chunks (64) with a tail.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "backends/cpu/panel_gemm.h"
#include "grad_check.h"
#include "ops/linear.h"

namespace byt5 {
namespace {

struct Shape {
  int K, N;
};

class PanelGemm : public ::testing::TestWithParam<Shape> {};

TEST_P(PanelGemm, PackingRoundTrips) {
  const auto [K, N] = GetParam();
  auto W = test::random_vec(N * K, 5);
  std::vector<float> packed(W.size()), back(W.size());
  pack_panels(packed.data(), W.data(), K, N);
  if (N > 1 && K > 1) {
    EXPECT_NE(packed, W);
  }
  // Element (n, k) of W sits at panel offset n0 * K, row k, column n - n0.
  const int n = N - 1, k = K - 1, n0 = n / kPanel * kPanel, w = std::min(kPanel, N - n0);
  EXPECT_EQ(packed[(size_t)n0 * K + (size_t)k * w + (n - n0)], W[(size_t)n * K + k]);
  unpack_panels(back.data(), packed.data(), K, N);
  EXPECT_EQ(back, W);
  std::vector<float> in_place = W;
  pack_panels_in_place(in_place.data(), K, N);
  EXPECT_EQ(in_place, packed);
}

TEST_P(PanelGemm, MatchesTheReferenceAndEachRowAlone) {
  const auto [K, N] = GetParam();
  auto W = test::random_vec(N * K, 13);
  std::vector<float> packed(W.size());
  pack_panels(packed.data(), W.data(), K, N);
  for (int M : {1, 5, 6, 7, 16, 24, 30}) {
    auto x = test::random_vec(M * K, 11 + M);
    std::vector<float> y(M * N), ref(M * N);
    panel_gemm(y.data(), x.data(), packed.data(), M, K, N, false);
    linear_forward_ref(ref.data(), x.data(), W.data(), M, K, N);
    for (int i = 0; i < M * N; ++i)
      ASSERT_NEAR(y[i], ref[i], 1e-5f * std::sqrt((float)K) + 1e-6f) << "M " << M << " i " << i;
    for (int m = 0; m < M; ++m) {
      std::vector<float> one(N);
      panel_gemm(one.data(), x.data() + (size_t)m * K, packed.data(), 1, K, N, false);
      ASSERT_EQ(std::memcmp(one.data(), y.data() + (size_t)m * N, N * sizeof(float)), 0) << "M " << M << " row " << m;
    }
    // accumulate adds the same sums to what y held
    std::vector<float> acc(M * N, 0.5f);
    panel_gemm(acc.data(), x.data(), packed.data(), M, K, N, true);
    for (int i = 0; i < M * N; ++i) ASSERT_EQ(acc[i], 0.5f + y[i]);
  }
}

TEST(PanelGemm, EachOutputIsOneFusedChainOverK) {
  // a * a = 1 + 2^-11 + 2^-24 rounds to r = 1 + 2^-11 in float. The chain fma(a, a, fma(-1, r, 0))
  // keeps the exact product and leaves the rounding error 2^-24; rounding each product first
  // would give 0.
  const float a = 1.0f + std::ldexp(1.0f, -12), r = a * a;
  const float x[2] = {-1.0f, a}, W[2] = {r, a};
  float packed[2], y = 1.0f;
  pack_panels(packed, W, 2, 1);
  panel_gemm(&y, x, packed, 1, 2, 1, false);
  EXPECT_EQ(y, std::ldexp(1.0f, -24));
}

INSTANTIATE_TEST_SUITE_P(Shapes, PanelGemm,
                         ::testing::Values(Shape{1, 1}, Shape{15, 5}, Shape{16, 64}, Shape{130, 70}, Shape{300, 100},
                                           Shape{200, 200}, Shape{1472, 20}));

}  // namespace
}  // namespace byt5

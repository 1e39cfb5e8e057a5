// The repacked decoding kernel: close to the double-precision reference, each row bit-identical
// whatever else is in the batch (draft-and-verify and batched greedy rely on that), and accumulate
// adds the same sums. Shapes cover K blocks (256) and their tail, N's tails under 64 and under 16,
// and every row tile (6 rows, then 5 down to 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "backends/cpu/panel_gemm.h"
#include "core/error.h"
#include "grad_check.h"
#include "ops/linear.h"

namespace byt5 {
namespace {

struct Shape {
  int K, N;
};

class PanelGemm : public ::testing::TestWithParam<Shape> {};

TEST_P(PanelGemm, MatchesTheReferenceAndEachRowAlone) {
  const auto [K, N] = GetParam();
  auto W = test::random_vec(N * K, 13);
  const PanelMatrix P(W.data(), N, K);
  ASSERT_EQ(P.rows(), N);
  ASSERT_EQ(P.cols(), K);
  for (int M : {1, 2, 3, 4, 5, 6, 7, 11, 16}) {
    auto x = test::random_vec(M * K, 11 + M);
    std::vector<float> y(M * N), ref(M * N);
    panel_gemm(y.data(), x.data(), P, M, false);
    linear_forward_ref(ref.data(), x.data(), W.data(), M, K, N);
    for (int i = 0; i < M * N; ++i) ASSERT_NEAR(y[i], ref[i], 1e-5f * std::sqrt((float)K)) << "M " << M << " i " << i;
    for (int m = 0; m < M; ++m) {
      std::vector<float> one(N);
      panel_gemm(one.data(), x.data() + (size_t)m * K, P, 1, false);
      ASSERT_EQ(std::memcmp(one.data(), y.data() + (size_t)m * N, N * sizeof(float)), 0) << "M " << M << " row " << m;
    }
    std::vector<float> acc(M * N, 0.5f);
    panel_gemm(acc.data(), x.data(), P, M, true);
    for (int i = 0; i < M * N; ++i) ASSERT_EQ(acc[i], 0.5f + y[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, PanelGemm,
                         ::testing::Values(Shape{1, 1}, Shape{15, 5}, Shape{16, 64}, Shape{256, 17}, Shape{300, 70},
                                           Shape{600, 128}, Shape{1472, 200}));

// Repacking where W lies gives the same panels as the owned copy, in W's own floats, and
// unpacking gives W back bit for bit; N's tails make a last panel narrower than 64.
TEST(PanelGemm, RepacksInPlaceAndRestoresBitForBit) {
  for (const Shape s : {Shape{1, 1}, Shape{15, 5}, Shape{16, 64}, Shape{300, 70}, Shape{1472, 200}, Shape{33, 128}}) {
    SCOPED_TRACE(std::to_string(s.K) + " x " + std::to_string(s.N));
    const auto W = test::random_vec(s.N * s.K, 5);
    const PanelMatrix copy(W.data(), s.N, s.K);
    std::vector<float> mem = W;
    const PanelMatrix view = PanelMatrix::pack_in_place(mem.data(), s.N, s.K);
    EXPECT_EQ(view.panel(0), mem.data());
    ASSERT_EQ(view.panels(), copy.panels());
    for (int p = 0; p < view.panels(); ++p) {
      ASSERT_EQ(view.width(p), std::min(64, s.N - 64 * p));
      ASSERT_EQ(std::memcmp(view.panel(p), copy.panel(p), sizeof(float) * s.K * view.width(p)), 0) << p;
    }
    if (s.N > 1 && s.K > 1) {
      EXPECT_NE(std::memcmp(mem.data(), W.data(), sizeof(float) * W.size()), 0);  // rewritten
    }
    auto x = test::random_vec(3 * s.K, 3);
    std::vector<float> a(3 * s.N), b(3 * s.N);
    panel_gemm(a.data(), x.data(), view, 3, false);
    panel_gemm(b.data(), x.data(), copy, 3, false);
    EXPECT_EQ(a, b);
    PanelMatrix::unpack_in_place(mem.data(), s.N, s.K);
    EXPECT_EQ(std::memcmp(mem.data(), W.data(), sizeof(float) * W.size()), 0);
  }
}

TEST(PanelGemm, RejectsAnEmptyMatrix) {
  std::vector<float> W(4, 1.0f);
  EXPECT_THROW(PanelMatrix(W.data(), 0, 4), Error);
  EXPECT_THROW(PanelMatrix(W.data(), 4, 0), Error);
  EXPECT_THROW(PanelMatrix::pack_in_place(W.data(), 0, 4), Error);
}

}  // namespace
}  // namespace byt5

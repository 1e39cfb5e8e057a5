// linear_backward against finite differences and the double-precision reference; the bf16 path
// of the trainer's LinearContext against fp32.
#include "grad_check.h"
#include "ops/linear.h"
#include "train/linear_context.h"

namespace byt5 {
namespace {

constexpr int M = 5, K = 7, N = 6;

TEST(LinearGrad, MatchesFiniteDifferences) {
  auto x = test::random_vec(M * K, 1), W = test::random_vec(N * K, 2), r = test::random_vec(M * N, 3);
  std::vector<float> y(M * N), dx(M * K, 7.0f), dW(N * K, 0.0f);
  auto loss = [&] {
    linear_forward(y.data(), x.data(), W.data(), M, K, N);
    return test::weighted_sum(y.data(), r);
  };
  linear_backward(dx.data(), dW.data(), r.data(), x.data(), W.data(), M, K, N);
  test::expect_grad("dx", x, dx, loss);
  test::expect_grad("dW", W, dW, loss);
}

TEST(LinearGrad, AccumulatesWeightsAndOptionallyInputs) {
  auto x = test::random_vec(M * K, 4), W = test::random_vec(N * K, 5), dy = test::random_vec(M * N, 6);
  std::vector<float> dx_ref(M * K), dW_ref(N * K, 0.0f), dx(M * K, 1.0f), dW(N * K, 1.0f);
  linear_backward_ref(dx_ref.data(), dW_ref.data(), dy.data(), x.data(), W.data(), M, K, N);
  linear_backward(dx.data(), dW.data(), dy.data(), x.data(), W.data(), M, K, N, /*accumulate_dx=*/true);
  for (int i = 0; i < M * K; ++i) EXPECT_NEAR(dx[i], dx_ref[i] + 1.0f, 1e-5f);
  for (int i = 0; i < N * K; ++i) EXPECT_NEAR(dW[i], dW_ref[i] + 1.0f, 1e-5f);
}

TEST(LinearGrad, Bf16ContextIsCloseToFp32) {
  const int m = 33, k = 70, n = 45;
  auto x = test::random_vec(m * k, 7), W = test::random_vec(n * k, 8), dy = test::random_vec(m * n, 9);
  LinearContext f32(Precision::F32), bf16(Precision::BF16);
  std::vector<float> y1(m * n), y2(m * n), dx1(m * k), dx2(m * k), dW1(n * k, 0.f), dW2(n * k, 0.f);
  f32.forward(y1.data(), x.data(), W.data(), m, k, n);
  bf16.forward(y2.data(), x.data(), W.data(), m, k, n);
  f32.backward(dx1.data(), dW1.data(), dy.data(), x.data(), W.data(), m, k, n);
  bf16.backward(dx2.data(), dW2.data(), dy.data(), x.data(), W.data(), m, k, n);
  auto close = [](const std::vector<float>& a, const std::vector<float>& b, const char* what) {
    double mx = 0, err = 0;
    for (size_t i = 0; i < a.size(); ++i) mx = std::max(mx, (double)std::fabs(a[i])), err = std::max(err, (double)std::fabs(a[i] - b[i]));
    EXPECT_LT(err, 2e-2 * mx) << what;
    EXPECT_GT(err, 0.0) << what << ": bf16 path identical to fp32 (not taken?)";
  };
  close(y1, y2, "y");
  close(dx1, dx2, "dx");
  close(dW1, dW2, "dW");
  // Accumulation into y.
  std::vector<float> y3(m * n, 1.0f);
  bf16.forward(y3.data(), x.data(), W.data(), m, k, n, /*accumulate=*/true);
  for (int i = 0; i < m * n; ++i) EXPECT_FLOAT_EQ(y3[i], y2[i] + 1.0f);
}

}  // namespace
}  // namespace byt5

// linear_backward against finite differences and the double-precision reference; the bf16 path
// of the trainer's LinearContext against fp32.
#include "grad_check.h"
#include "backends/cpu/onednn_matmul_bf16.h"
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

TEST(LinearGrad, Bf16WeightGradientAloneEqualsItWithTheInputGradient) {
  // The dW-only backward (frozen inputs) converts dy itself; with dx it shares dx's conversion.
  const int m = 19, k = 40, n = 24;
  auto x = test::random_vec(m * k, 10), W = test::random_vec(n * k, 11), dy = test::random_vec(m * n, 12);
  LinearContext both(Precision::BF16), alone(Precision::BF16);
  std::vector<float> dx(m * k), dW1(n * k, 0.5f), dW2(n * k, 0.5f);
  both.backward(dx.data(), dW1.data(), dy.data(), x.data(), W.data(), m, k, n);
  alone.backward(nullptr, dW2.data(), dy.data(), x.data(), W.data(), m, k, n);
  for (int i = 0; i < n * k; ++i) ASSERT_EQ(dW1[i], dW2[i]) << i;
}

TEST(Bf16Matmul, TransposedOperandsGiveTheExactProduct) {
  // Small integers are exact in bf16 and their sums exact in f32, so every operand layout must
  // give the same C as a plain triple loop, whatever order the kernel adds in.
  const int M = 37, N = 29, K = 53;
  auto val = [](int i, int j, int salt) { return float((i * 7 + j * 3 + salt) % 9 - 4); };
  std::vector<float> a(M * K), b(K * N), want(M * N, 0.0f);
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) a[i * K + k] = val(i, k, 1);
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) b[k * N + j] = val(k, j, 2);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j)
      for (int k = 0; k < K; ++k) want[i * N + j] += a[i * K + k] * b[k * N + j];
  // Each operand as given (row-major) and as the transpose of its row-major transpose.
  std::vector<bf16_t> A(M * K), At(K * M), B(K * N), Bt(N * K);
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) f32_to_bf16(&A[i * K + k], &a[i * K + k], 1), f32_to_bf16(&At[k * M + i], &a[i * K + k], 1);
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) f32_to_bf16(&B[k * N + j], &b[k * N + j], 1), f32_to_bf16(&Bt[j * K + k], &b[k * N + j], 1);
  Bf16Matmul mm;
  for (const bool ta : {false, true})
    for (const bool tb : {false, true}) {
      std::vector<float> c(M * N, 1.0f);
      mm.gemm(M, N, K, ta ? At.data() : A.data(), ta ? M : K, ta, tb ? Bt.data() : B.data(), tb ? K : N, tb, c.data(),
              N, /*accumulate=*/true);
      for (int i = 0; i < M * N; ++i) ASSERT_EQ(c[i], want[i] + 1.0f) << "trans_a " << ta << " trans_b " << tb << " at " << i;
    }
}

}  // namespace
}  // namespace byt5

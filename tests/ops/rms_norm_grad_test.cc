// rms_norm_backward against finite differences, and its parallel path against one thread.
#include <omp.h>

#include <cmath>

#include "grad_check.h"
#include "ops/rms_norm.h"

namespace byt5 {
namespace {

TEST(RmsNormGrad, MatchesFiniteDifferences) {
  const int N = 4, C = 16;
  auto x = test::random_vec(N * C, 1), w = test::random_vec(C, 2), r = test::random_vec(N * C, 3);
  for (auto& v : w) v += 1.0f;
  std::vector<float> y(N * C), rstd(N), dx(N * C), dw(C, 0.0f);
  auto loss = [&] {
    rms_norm_forward(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-6f);
    return test::weighted_sum(y.data(), r);
  };
  loss();
  rms_norm_backward(dx.data(), dw.data(), r.data(), x.data(), w.data(), rstd.data(), N, C);
  test::expect_grad("dx", x, dx, loss, 1e-3f);
  test::expect_grad("dw", w, dw, loss, 1e-3f);
}

TEST(RmsNormGrad, ParallelPathMatchesOneThreadExactly) {
  // Enough work for the OpenMP path (N * C >= 65536), C not a multiple of its 64-column blocks;
  // dw accumulates into what it held. 1 thread and 3 threads must agree bit for bit, with and
  // without dx, and both must agree with the finite-difference-checked formula in double.
  const int N = 301, C = 300;
  auto x = test::random_vec(N * C, 4), w = test::random_vec(C, 5), dy = test::random_vec(N * C, 6);
  std::vector<float> y(N * C), rstd(N);
  rms_norm_forward(y.data(), rstd.data(), x.data(), w.data(), N, C, 1e-6f);
  auto run = [&](int threads, bool with_dx, std::vector<float>& dx, std::vector<float>& dw) {
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    dx.assign(N * C, 0.0f);
    dw.assign(C, 0.25f);
    rms_norm_backward(with_dx ? dx.data() : nullptr, dw.data(), dy.data(), x.data(), w.data(), rstd.data(), N, C);
    omp_set_num_threads(before);
  };
  std::vector<float> dx1, dw1, dx3, dw3, dx_unused, dw_only;
  run(1, true, dx1, dw1);
  run(3, true, dx3, dw3);
  run(3, false, dx_unused, dw_only);
  for (int i = 0; i < N * C; ++i) ASSERT_EQ(dx3[i], dx1[i]) << "dx " << i;
  for (int c = 0; c < C; ++c) {
    ASSERT_EQ(dw3[c], dw1[c]) << "dw " << c;
    ASSERT_EQ(dw_only[c], dw1[c]) << "dw without dx, " << c;
  }
  for (int c = 0; c < C; ++c) {
    double ref = 0.25;
    for (int n = 0; n < N; ++n) ref += (double)dy[(size_t)n * C + c] * x[(size_t)n * C + c] * rstd[n];
    ASSERT_NEAR(dw1[c], ref, 1e-4 * (1.0 + std::fabs(ref))) << "dw " << c;
  }
  for (int n = 0; n < N; n += 37) {
    double dot = 0;
    for (int c = 0; c < C; ++c) dot += (double)dy[(size_t)n * C + c] * w[c] * x[(size_t)n * C + c] * rstd[n];
    for (int c = 0; c < C; ++c) {
      const double xh = (double)x[(size_t)n * C + c] * rstd[n];
      const double ref = rstd[n] * ((double)dy[(size_t)n * C + c] * w[c] - xh * dot / C);
      ASSERT_NEAR(dx1[(size_t)n * C + c], ref, 1e-4 * (1.0 + std::fabs(ref))) << "dx " << n << " " << c;
    }
  }
}

}  // namespace
}  // namespace byt5

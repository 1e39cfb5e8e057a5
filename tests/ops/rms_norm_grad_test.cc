// rms_norm_backward against finite differences.
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

}  // namespace
}  // namespace byt5

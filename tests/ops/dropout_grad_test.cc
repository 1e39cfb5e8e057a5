// Counter-based dropout: rate and scale, backward equal to the forward's mask, determinism per
// key, independence across keys.
#include "grad_check.h"
#include "ops/dropout.h"

namespace byt5 {
namespace {

TEST(DropoutGrad, KeepsTheRightFractionAndScales) {
  const long n = 200000;
  std::vector<float> x(n, 1.0f), y(n);
  DropoutSpec d{0.1f, 12345};
  dropout_forward(y.data(), x.data(), n, d);
  long kept = 0;
  for (float v : y) {
    if (v != 0.0f) {
      ++kept;
      EXPECT_FLOAT_EQ(v, 1.0f / 0.9f);
    }
  }
  EXPECT_NEAR(kept / double(n), 0.9, 0.005);
}

TEST(DropoutGrad, BackwardAppliesTheSameMask) {
  const long n = 1000;
  auto x = test::random_vec(n, 1), r = test::random_vec(n, 2);
  DropoutSpec d{0.3f, 99};
  std::vector<float> y(n), dx(n);
  auto loss = [&] {
    dropout_forward(y.data(), x.data(), n, d);
    return test::weighted_sum(y.data(), r);
  };
  dropout_backward(dx.data(), r.data(), n, d);
  test::expect_grad("dx", x, dx, loss, 1e-2f, 1e-3, 7);
  loss();
  // Offsets address the same mask: the second half of a tensor is element n/2 onward.
  std::vector<float> half(n / 2);
  dropout_forward(half.data(), x.data() + n / 2, n / 2, d, n / 2);
  for (long i = 0; i < n / 2; ++i) EXPECT_EQ(half[i], y[n / 2 + i]);
}

TEST(DropoutGrad, DeterministicPerKeyAndDifferentAcrossKeys) {
  const long n = 4096;
  std::vector<float> x(n, 1.0f), a(n), b(n), c(n);
  dropout_forward(a.data(), x.data(), n, DropoutSpec{0.5f, 7});
  dropout_forward(b.data(), x.data(), n, DropoutSpec{0.5f, 7});
  dropout_forward(c.data(), x.data(), n, DropoutSpec{0.5f, 8});
  EXPECT_EQ(a, b);
  long same = 0;
  for (long i = 0; i < n; ++i) same += (a[i] == c[i]);
  EXPECT_NEAR(same / double(n), 0.5, 0.05);
  // Rate 0 is the identity, in place too.
  std::vector<float> z = x;
  dropout_forward(z.data(), z.data(), n, DropoutSpec{0.0f, 7});
  EXPECT_EQ(z, x);
}

}  // namespace
}  // namespace byt5

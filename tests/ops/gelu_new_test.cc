// The vectorised tanh and gelu_new against double-precision references: tanh within one float
// ulp of the exact value over a sweep from 1e-8 to 30 (both signs, both sides of the 1e-3 switch
// between its two formulas), special values, tails that are not a multiple of 8, and gelu_new
// (gated or not, with the stashed tanh, in place) against the same expression in double; the
// training form's float tanh within 8 ulps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <vector>

#include "ops/gelu_new.h"

namespace byt5 {
namespace {

// Distance in float ulps between a float and an exact (double) value.
double ulps(float got, double exact) {
  const float near = static_cast<float>(exact);
  const double ulp = std::nextafter(std::fabs(near), std::numeric_limits<float>::infinity()) - std::fabs(near);
  return std::fabs(got - exact) / ulp;
}

// `tanh` over a sweep from 1e-8 to 30 (both signs) plus `extra` points and an odd count (a masked
// tail): within `max_ulps` of the exact value, the sign of zero kept, +-inf to +-1, NaN to NaN.
void check_tanh(void (*tanh)(float*, const float*, long), double max_ulps, std::initializer_list<float> extra) {
  std::vector<float> u;
  for (double v = 1e-8; v < 30.0; v *= 1.0007) u.push_back(static_cast<float>(v)), u.push_back(static_cast<float>(-v));
  for (float v : extra) u.push_back(v);
  for (float v : {0.0f, -0.0f, 100.0f, -1e30f}) u.push_back(v);
  if (u.size() % 2 == 0) u.push_back(5.5f);  // odd count: exercises the masked tail
  std::vector<float> t(u.size());
  tanh(t.data(), u.data(), static_cast<long>(u.size()));
  double worst = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    const double exact = std::tanh(static_cast<double>(u[i]));
    if (exact == 0.0) {
      ASSERT_EQ(t[i], 0.0f);
      ASSERT_EQ(std::signbit(t[i]), std::signbit(u[i])) << "tanh keeps the sign of zero";
      continue;
    }
    worst = std::max(worst, ulps(t[i], exact));
    ASSERT_LE(ulps(t[i], exact), max_ulps) << "u = " << u[i] << " got " << t[i];
  }
  EXPECT_LE(worst, max_ulps);
  const float specials[3] = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                             std::numeric_limits<float>::quiet_NaN()};
  float out[3];
  tanh(out, specials, 3);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
}

TEST(GeluNew, TanhIsWithinOneUlp) {
  // Both sides of the 1e-3 switch between its two formulas, and past its cap at 20.
  check_tanh(tanh_forward, 1.0, {9.99e-4f, 1e-3f, 1.001e-3f, 20.0f});
}

TEST(GeluNew, FastTanhIsWithinEightUlps) {
  // The training form (float arithmetic): both sides of its 0.25 switch and its cap at 10.
  check_tanh(tanh_forward_fast, 8.0, {0.2499f, 0.25f, 0.2501f, 9.99f, 10.0f, 10.01f});
  // gelu_new_forward_fast is gelu_new_forward with this tanh: close, gated and with the stash.
  const long n = 10007;
  std::vector<float> a(n), b(n), h1(n), h2(n), s1(n), s2(n);
  for (long i = 0; i < n; ++i) a[i] = -12.0f + 24.0f * static_cast<float>(i) / n, b[i] = 0.5f + (i % 7) * 0.25f;
  gelu_new_forward(h1.data(), a.data(), b.data(), n, s1.data());
  gelu_new_forward_fast(h2.data(), a.data(), b.data(), n, s2.data());
  for (long i = 0; i < n; ++i) {
    ASSERT_LE(ulps(s2[i], s1[i]), 8.0) << i;
    ASSERT_NEAR(h2[i], h1[i], 1e-6f * (1.0f + std::fabs(h1[i]))) << i;
  }
}

TEST(GeluNew, MatchesTheExpressionInDouble) {
  const long n = 10007;  // several OpenMP blocks and a tail
  std::vector<float> a(n), b(n);
  for (long i = 0; i < n; ++i) {
    a[i] = -12.0f + 24.0f * static_cast<float>(i) / n;
    b[i] = 0.5f + static_cast<float>(i % 7) * 0.25f;
  }
  std::vector<float> h(n), gated(n), stash(n), in_place = a;
  gelu_new_forward(h.data(), a.data(), nullptr, n);
  gelu_new_forward(gated.data(), a.data(), b.data(), n, stash.data());
  gelu_new_forward(in_place.data(), in_place.data(), nullptr, n);
  for (long i = 0; i < n; ++i) {
    const double x = a[i];
    const double t = std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x));
    const double exact = 0.5 * x * (1.0 + t);
    // Float rounding of u and of 1 + t dominates where t is near -1: an absolute bound there.
    ASSERT_NEAR(h[i], exact, 4e-7 * std::fabs(x) + 1e-30) << "x = " << x;
    ASSERT_NEAR(stash[i], t, 4e-7) << "x = " << x;
    ASSERT_EQ(gated[i], h[i] * b[i]);
    ASSERT_EQ(in_place[i], h[i]);
  }
}

}  // namespace
}  // namespace byt5

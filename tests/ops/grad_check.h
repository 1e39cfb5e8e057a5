// Finite-difference gradient checks for the ops' backward passes: the scalar loss
// L = sum_i out_i * r_i (r fixed random weights) is evaluated in double over the float forward, and
// d L / d x_i by central differences is compared with the analytic gradient, relative to the
// largest analytic component (float forwards limit the agreement to ~1e-3 of it).
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace byt5::test {

inline std::vector<float> random_vec(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

inline double weighted_sum(const float* out, const std::vector<float>& r) {
  double s = 0;
  for (size_t i = 0; i < r.size(); ++i) s += static_cast<double>(out[i]) * r[i];
  return s;
}

// Compares `analytic` (d L / d x) with central differences of `loss` over every element of x
// (or every `stride`-th one).
inline void expect_grad(const std::string& what, std::vector<float>& x, const std::vector<float>& analytic,
                        const std::function<double()>& loss, float eps = 1e-2f, double tol = 3e-3,
                        size_t stride = 1) {
  ASSERT_EQ(x.size(), analytic.size()) << what;
  double max_an = 0;
  for (float g : analytic) max_an = std::max(max_an, (double)std::fabs(g));
  ASSERT_GT(max_an, 0.0) << what << ": all-zero analytic gradient";
  double worst = 0;
  size_t worst_i = 0;
  for (size_t i = 0; i < x.size(); i += stride) {
    const float x0 = x[i];
    x[i] = x0 + eps;
    const double lp = loss();
    x[i] = x0 - eps;
    const double lm = loss();
    x[i] = x0;
    const double fd = (lp - lm) / (2.0 * eps);
    const double err = std::fabs(fd - analytic[i]);
    if (err > worst) worst = err, worst_i = i;
  }
  EXPECT_LE(worst, tol * max_an) << what << ": element " << worst_i << " analytic " << analytic[worst_i]
                                 << ", max |analytic| " << max_an;
}

}  // namespace byt5::test

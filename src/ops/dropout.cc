#include "ops/dropout.h"

#include <cmath>


namespace byt5 {
namespace {

// splitmix64's output function (the same mixer as byt5::mix64 in train/rng.h; repeated here so
// that ops depend on nothing above them).
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint32_t threshold(const DropoutSpec& d) {
  double t = std::ceil(static_cast<double>(d.rate) * 4294967296.0);
  return t >= 4294967295.0 ? 0xffffffffu : static_cast<uint32_t>(t);
}

inline bool keep(uint64_t key, uint64_t i, uint32_t thr) {
  return static_cast<uint32_t>(mix(key + (i + 1) * 0x9e3779b97f4a7c15ULL) >> 32) >= thr;
}

void apply(float* y, const float* x, long n, const DropoutSpec& d, uint64_t first) {
  if (!d.active()) {
    if (y != x)
      for (long i = 0; i < n; ++i) y[i] = x[i];
    return;
  }
  const uint32_t thr = threshold(d);
  const float scale = dropout_scale(d);
  const uint64_t key = d.key;
#pragma omp parallel for simd if (n >= 16384)
  for (long i = 0; i < n; ++i) y[i] = keep(key, first + i, thr) ? x[i] * scale : 0.0f;
}

}  // namespace

bool dropout_keep(const DropoutSpec& d, uint64_t i) { return !d.active() || keep(d.key, i, threshold(d)); }

float dropout_scale(const DropoutSpec& d) { return d.active() ? 1.0f / (1.0f - d.rate) : 1.0f; }

void dropout_forward(float* y, const float* x, long n, const DropoutSpec& d, uint64_t first_index) {
  apply(y, x, n, d, first_index);
}

void dropout_backward(float* dx, const float* dy, long n, const DropoutSpec& d, uint64_t first_index) {
  apply(dx, dy, n, d, first_index);
}

}  // namespace byt5

#include "ops/position_bias.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace byt5 {

int relative_position_bucket(int relative_position, bool bidirectional, int num_buckets, int max_distance) {
  int bucket = 0;
  int n;
  if (bidirectional) {
    num_buckets /= 2;
    if (relative_position > 0) bucket += num_buckets;
    n = std::abs(relative_position);
  } else {
    n = std::max(-relative_position, 0);
  }
  const int max_exact = num_buckets / 2;
  if (n < max_exact) return bucket + n;
  // Each step in float32, in the order torch evaluates it; the divisor is a Python double that
  // torch rounds to float32. Distances 16, 32, 64 sit on bucket boundaries, so the order matters.
  const float ratio = static_cast<float>(n) / static_cast<float>(max_exact);
  const float scale = static_cast<float>(std::log(static_cast<double>(max_distance) / max_exact));
  float v = std::log(ratio) / scale * static_cast<float>(num_buckets - max_exact);
  int large = max_exact + static_cast<int>(v);
  return bucket + std::min(large, num_buckets - 1);
}

void position_bias_forward(float* bias, const float* table, int H, int Tq, int Tk, int q_offset, bool bidirectional,
                           int num_buckets, int max_distance) {
  for (int i = 0; i < Tq; ++i)
    for (int j = 0; j < Tk; ++j) {
      int b = relative_position_bucket(j - (i + q_offset), bidirectional, num_buckets, max_distance);
      for (int h = 0; h < H; ++h) bias[((size_t)h * Tq + i) * Tk + j] = table[(size_t)b * H + h];
    }
}

void position_bias_backward(float* dtable, const float* dbias, int H, int Tq, int Tk, int q_offset, bool bidirectional,
                            int num_buckets, int max_distance) {
  for (int i = 0; i < Tq; ++i)
    for (int j = 0; j < Tk; ++j) {
      int b = relative_position_bucket(j - (i + q_offset), bidirectional, num_buckets, max_distance);
      for (int h = 0; h < H; ++h) dtable[(size_t)b * H + h] += dbias[((size_t)h * Tq + i) * Tk + j];
    }
}

}  // namespace byt5

// Random attention inputs for an AttentionShape, shared by the attention tests: q, k, v with the
// shape's strides, a (H, Tq, Tk) position bias, and a key mask whose batch row b hides its last
// b + 1 keys (all ones when unmasked).
#pragma once
#include <vector>

#include "grad_check.h"
#include "ops/attention.h"

namespace byt5::test {

struct AttentionInputs {
  std::vector<float> q, k, v, bias, mask;

  AttentionInputs(const AttentionShape& s, bool with_mask)
      : q(random_vec((size_t)s.B * s.q_bstride, 1)),
        k(random_vec((size_t)s.B * s.kv_bstride, 2)),
        v(random_vec((size_t)s.B * s.kv_bstride, 3)),
        bias(random_vec((size_t)s.H * s.Tq * s.Tk, 4)),
        mask((size_t)s.B * s.Tk, 1.0f) {
    if (with_mask)
      for (int b = 0; b < s.B; ++b)
        for (int j = s.Tk - b - 1; j < s.Tk; ++j) mask[(size_t)b * s.Tk + j] = 0.0f;
  }
};

}  // namespace byt5::test

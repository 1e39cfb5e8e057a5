// Inverted dropout with a counter-based mask: element i of a tensor is kept iff
// hash(key, i) >= rate * 2^32, and kept elements are scaled by 1 / (1 - rate). The mask is a pure
// function of (key, i), so backward recomputes it instead of storing it, any thread may compute
// any element, and a resumed run draws the same masks. Keys come from byt5::derive_key.
#pragma once
#include <cstdint>

namespace byt5 {

struct DropoutSpec {
  float rate = 0.0f;  // probability of zeroing an element; 0 disables dropout
  uint64_t key = 0;   // per call site and micro-batch
  bool active() const { return rate > 0.0f; }
};

// True when element i survives.
bool dropout_keep(const DropoutSpec& d, uint64_t i);
// 1 / (1 - rate) as the kernels apply it.
float dropout_scale(const DropoutSpec& d);

// y (n) = x * mask * scale; y may alias x. Element i of the tensor is numbered first_index + i.
void dropout_forward(float* y, const float* x, long n, const DropoutSpec& d, uint64_t first_index = 0);
// dx (n) = dy * mask * scale (assigned; dx may alias dy).
void dropout_backward(float* dx, const float* dy, long n, const DropoutSpec& d, uint64_t first_index = 0);

}  // namespace byt5

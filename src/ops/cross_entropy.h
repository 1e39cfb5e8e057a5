// Token cross-entropy over logits (N, V) with labels (N); a negative label (-100) is ignored.
#pragma once

namespace byt5 {

// log(sum_v exp(x[v])) of one row of V logits, in float, shifted by the row's max for range.
float row_logsumexp(const float* x, int V);

// losses (N): -log softmax(logits)[label], 0 for ignored rows. Returns the summed loss (double).
double cross_entropy_forward(float* losses, const float* logits, const int* labels, int N, int V);
// dlogits (N, V) = scale * (softmax - onehot) for counted rows, 0 for ignored rows (assigned).
void cross_entropy_backward(float* dlogits, const float* logits, const int* labels, int N, int V, float scale);

}  // namespace byt5

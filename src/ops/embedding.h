// Token embedding lookup (T5 does not scale it).
#pragma once

namespace byt5 {

// out (N, C) = table[ids[n]]; ids outside [0, V) throw byt5::Error.
void embedding_forward(float* out, const int* ids, const float* table, int N, int C, int V);
// dtable (V, C) += dout rows at their ids.
void embedding_backward(float* dtable, const float* dout, const int* ids, int N, int C);

}  // namespace byt5

#include "ops/embedding.h"

#include <cstring>
#include <string>

#include "core/error.h"

namespace byt5 {

void embedding_forward(float* out, const int* ids, const float* table, int N, int C, int V) {
  for (int n = 0; n < N; ++n) {
    if (ids[n] < 0 || ids[n] >= V)
      throw Error("token id " + std::to_string(ids[n]) + " is outside the model's vocabulary (" + std::to_string(V) + ")");
    std::memcpy(out + (size_t)n * C, table + (size_t)ids[n] * C, sizeof(float) * C);
  }
}

void embedding_backward(float* dtable, const float* dout, const int* ids, int N, int C) {
  for (int n = 0; n < N; ++n) {
    float* row = dtable + (size_t)ids[n] * C;
    const float* g = dout + (size_t)n * C;
    for (int c = 0; c < C; ++c) row[c] += g[c];
  }
}

}  // namespace byt5

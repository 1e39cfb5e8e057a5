#include "train/gemm_f64acc.h"

#include <algorithm>

namespace byt5 {
namespace {

constexpr int kTileRows = 4;   // a 4 x 32 tile of f64 accumulators fits in 16 AVX-512 registers
constexpr int kTileCols = 32;

struct Operands {
  const float* A;
  long a_rs, a_cs;
  const float* B;
  long ldb;
  float* C;
  long ldc;
  int K;
  bool accumulate;
};

inline void store(const Operands& o, int m, int n, double v) {
  float* c = o.C + (long)m * o.ldc + n;
  *c = o.accumulate ? *c + static_cast<float>(v) : static_cast<float>(v);
}

// A full tile: rows m0..m0+R, columns n0..n0+32; every sum runs over k in order.
template <int R>
void tile(const Operands& o, int m0, int n0) {
  double acc[R][kTileCols] = {};
  for (int k = 0; k < o.K; ++k) {
    const float* b = o.B + (long)k * o.ldb + n0;
    double bd[kTileCols];
    for (int j = 0; j < kTileCols; ++j) bd[j] = static_cast<double>(b[j]);
    for (int r = 0; r < R; ++r) {
      const double a = o.A[(long)(m0 + r) * o.a_rs + (long)k * o.a_cs];
      for (int j = 0; j < kTileCols; ++j) acc[r][j] += a * bd[j];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < kTileCols; ++j) store(o, m0 + r, n0 + j, acc[r][j]);
}

// Any leftover block (fewer columns than a tile): the same sums, one output at a time.
void edge(const Operands& o, int m0, int rows, int n0, int cols) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < cols; ++j) {
      double s = 0;
      for (int k = 0; k < o.K; ++k)
        s += static_cast<double>(o.A[(long)(m0 + r) * o.a_rs + (long)k * o.a_cs]) * o.B[(long)k * o.ldb + n0 + j];
      store(o, m0 + r, n0 + j, s);
    }
}

void block(const Operands& o, int m0, int rows, int n0, int cols) {
  if (cols < kTileCols) return edge(o, m0, rows, n0, cols);
  switch (rows) {
    case 4: return tile<4>(o, m0, n0);
    case 3: return tile<3>(o, m0, n0);
    case 2: return tile<2>(o, m0, n0);
    default: return tile<1>(o, m0, n0);
  }
}

}  // namespace

void gemm_f64acc(int M, int N, int K, const float* A, long a_rs, long a_cs, const float* B, long ldb, float* C,
                 long ldc, bool accumulate) {
  const Operands o{A, a_rs, a_cs, B, ldb, C, ldc, K, accumulate};
  const int mb = (M + kTileRows - 1) / kTileRows, nb = (N + kTileCols - 1) / kTileCols;
  // Column blocks outermost: neighbouring threads share rows of A, and a B panel is reused down M.
#pragma omp parallel for collapse(2) schedule(static) if ((long)M * N * K >= (1L << 18))
  for (int j = 0; j < nb; ++j)
    for (int i = 0; i < mb; ++i) {
      const int m0 = i * kTileRows, n0 = j * kTileCols;
      block(o, m0, std::min(kTileRows, M - m0), n0, std::min(kTileCols, N - n0));
    }
}

}  // namespace byt5

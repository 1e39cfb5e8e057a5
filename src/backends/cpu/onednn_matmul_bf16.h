// bf16 matrix products through oneDNN's matmul primitive: bf16 inputs, f32 accumulation and f32
// output (optionally added to the output). Primitives are created once per shape and cached in
// the context object; nothing here is global.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace byt5 {

using bf16_t = uint16_t;

// Round-to-nearest-even f32 -> bf16 (NaN stays NaN), and back.
void f32_to_bf16(bf16_t* dst, const float* src, size_t n);
void bf16_to_f32(float* dst, const bf16_t* src, size_t n);

class Bf16Matmul {
 public:
  Bf16Matmul();
  ~Bf16Matmul();
  Bf16Matmul(const Bf16Matmul&) = delete;
  Bf16Matmul& operator=(const Bf16Matmul&) = delete;

  // C (M, N) = op(A) . op(B), plus the old C when accumulate. op(A) is (M, K): A row-major with
  // leading dimension lda, or, with trans_a, the transpose of a row-major (K, M) matrix (how a
  // weight gradient reads the output gradient). op(B) is (K, N): B row-major with leading
  // dimension ldb, or, with trans_b, the transpose of a row-major (N, K) matrix (a Hugging Face
  // linear weight). C row-major, ldc.
  void gemm(int M, int N, int K, const bf16_t* A, int lda, bool trans_a, const bf16_t* B, int ldb, bool trans_b,
            float* C, int ldc, bool accumulate);

  size_t cached_primitives() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace byt5

// The training model's matrix products, in the precision the run asked for: fp32 (f32 in and out,
// f64 accumulation: see train/gemm_f64acc.h; for exactness checks against Hugging Face) or bf16
// (oneDNN matmul with bf16 inputs and f32 accumulation/output; the f32 master weights are
// converted once per optimizer step into a bf16 shadow with the same flat layout). Scratch
// buffers grow to the largest shape and are reused.
#pragma once
#include <string>

#include "backends/cpu/onednn_matmul_bf16.h"
#include "core/aligned_buffer.h"
#include "model/weights.h"

namespace byt5 {

enum class Precision { F32, BF16 };

// "fp32" / "bf16"; anything else throws byt5::Error.
Precision parse_precision(const std::string& s);
const char* precision_name(Precision p);

class LinearContext {
 public:
  explicit LinearContext(Precision p) : p_(p) {}
  Precision precision() const { return p_; }

  // bf16: (re)builds the bf16 shadow of every parameter; call after each optimizer step.
  void refresh_weights(const ParamSet& params);

  // y (M, N) = x (M, K) . W^T, W (N, K) in Hugging Face layout; with accumulate, y +=.
  void forward(float* y, const float* x, const float* W, int M, int K, int N, bool accumulate = false);
  // dx (M, K) = dy . W (assigned, or added with accumulate_dx); dW (N, K) += dy^T . x.
  // Either output may be null.
  void backward(float* dx, float* dW, const float* dy, const float* x, const float* W, int M, int K, int N,
                bool accumulate_dx = false);

 private:
  const bf16_t* weight(const float* W, size_t numel);
  static bf16_t* ensure(AlignedBuffer<bf16_t>& b, size_t n);
  static float* ensure_f32(AlignedBuffer<float>& b, size_t n);

  Precision p_;
  const float* base_ = nullptr;  // the ParamSet the shadow mirrors
  size_t base_n_ = 0;
  AlignedBuffer<bf16_t> shadow_;      // bf16 copy of every parameter
  AlignedBuffer<bf16_t> a_, b_, w_;   // conversion scratch
  AlignedBuffer<float> wt_;           // fp32: a transposed weight
  Bf16Matmul mm_;
};

}  // namespace byt5

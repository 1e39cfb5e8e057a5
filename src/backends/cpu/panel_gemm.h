// y (M, N) (+)= x (M, K) W^T for the few rows of incremental decoding, with W repacked once into
// panels of 64 output columns, each panel one contiguous (K, 64) stream. Every output element is
// the same chain of fused multiply-adds over k (in blocks of kPanelKBlock, summed in order),
// whatever M is, so a row's result does not depend on what else is in the batch.
#pragma once

#include "core/aligned_buffer.h"

namespace byt5 {

inline constexpr int kPanelCols = 64;
inline constexpr int kPanelKBlock = 256;

// W (N, K) row-major, as Hugging Face stores a linear layer, repacked: panel p holds columns
// p*64 .. p*64+63 of W^T as K rows of 64 floats (zero past N).
class PanelMatrix {
 public:
  PanelMatrix() = default;
  PanelMatrix(const float* W, int N, int K);
  int rows() const { return N_; }  // N
  int cols() const { return K_; }  // K
  const float* panel(int p) const { return data_.data() + (size_t)p * K_ * kPanelCols; }
  int panels() const { return (N_ + kPanelCols - 1) / kPanelCols; }

 private:
  int N_ = 0, K_ = 0;
  AlignedBuffer<float> data_;
};

void panel_gemm(float* y, const float* x, const PanelMatrix& W, int M, bool accumulate);

}  // namespace byt5

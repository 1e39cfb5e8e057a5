// y (M, N) (+)= x (M, K) W^T for the decoder's products (decoding steps and teacher forcing), with
// W repacked into panels of 64 output columns, each panel one contiguous (K, width) stream. Every
// output element is the same chain of fused multiply-adds over k (in blocks of kPanelKBlock, summed
// in order), whatever M is, so a row's result does not depend on what else is in the batch.
#pragma once

#include "core/aligned_buffer.h"

namespace byt5 {

inline constexpr int kPanelCols = 64;
inline constexpr int kPanelKBlock = 256;

// W (N, K) row-major, as Hugging Face stores a linear layer, repacked: panel p holds columns
// p*64 .. p*64+w-1 of W^T (w = 64, or what is left of N for the last panel) as K rows of w floats.
// The panels take exactly N*K floats and panel p starts where row p*64 of W started, so W can be
// repacked where it lies (pack_in_place) and restored (unpack_in_place): no second copy.
class PanelMatrix {
 public:
  PanelMatrix() = default;
  // A repacked copy of W, owned.
  PanelMatrix(const float* W, int N, int K);
  // Rewrites W's memory into panels and returns a view of it (W must outlive the view); the
  // inverse, unpack_in_place, gives back W bit for bit.
  static PanelMatrix pack_in_place(float* W, int N, int K);
  static void unpack_in_place(float* W, int N, int K);

  int rows() const { return N_; }  // N
  int cols() const { return K_; }  // K
  int panels() const { return (N_ + kPanelCols - 1) / kPanelCols; }
  int width(int p) const { return N_ - p * kPanelCols < kPanelCols ? N_ - p * kPanelCols : kPanelCols; }
  const float* panel(int p) const { return data_ + (size_t)p * K_ * kPanelCols; }

 private:
  int N_ = 0, K_ = 0;
  const float* data_ = nullptr;  // own_'s memory, or the repacked W's
  AlignedBuffer<float> own_;
};

void panel_gemm(float* y, const float* x, const PanelMatrix& W, int M, bool accumulate);

}  // namespace byt5

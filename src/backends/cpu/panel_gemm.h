// y (M, N) (+)= x (M, K) W^T with W repacked into column panels: the kernel of the decoder's
// per-token matrix products, whose weights are packed once when a model is loaded.
//
// Layout: panel p holds output columns n0 = p * kPanel .. n0 + w - 1 (w = kPanel, or less for the
// last panel) as a (K, w) row-major block at offset n0 * K. The packed matrix has W's size, and
// every panel is one contiguous stream, read once per call for up to kPanelBlockRows rows of x.
//
// Each output is one fused multiply-add chain over k = 0, 1, ..., K - 1 in order, so a row's result
// does not depend on M, on how rows are blocked or on the thread count: feeding a token alone, in a
// batch, or among drafted tokens gives bit-identical logits.
#pragma once

namespace byt5 {

inline constexpr int kPanel = 64;
// Rows of x that share one pass over the packed weights (a batch-16 decoding step is one pass).
inline constexpr int kPanelBlockRows = 24;

// dst (N * K floats) = W (N, K) in panel layout; dst and W must not overlap.
void pack_panels(float* dst, const float* W, int K, int N);
// The same, in place (through a temporary copy of W).
void pack_panels_in_place(float* W, int K, int N);
// The inverse of pack_panels (tests, and anyone who needs W back).
void unpack_panels(float* W, const float* packed, int K, int N);

void panel_gemm(float* y, const float* x, const float* packed, int M, int K, int N, bool accumulate);

}  // namespace byt5

// Everything the training forward saves for backward, plus the backward's scratch, carved out of
// one buffer sized once for the largest micro-batch shape (B, Te, Td). A smaller batch uses a
// prefix of each tensor. The normed sublayer inputs and the FFN's act(a) * b are recomputed in
// backward from what is saved (rstd; a and b), which keeps memory to about half.
// Dimension letters: B batch, Te/Td encoder/decoder positions, Ne = B*Te, Nd = B*Td, N = max of
// the two, C d_model, I heads*d_kv, F d_ff, H heads, V vocab.
#pragma once
#include <vector>

#include "core/aligned_buffer.h"
#include "model/config.h"

namespace byt5 {

struct BatchShape {
  int B = 0, Te = 0, Td = 0;
};

struct AttnSaved {
  float* rstd = nullptr;   // (Nq) of the RMSNorm over the sublayer input
  float* q = nullptr;      // (Nq, I)
  float* k = nullptr;      // (Nk, I)
  float* v = nullptr;      // (Nk, I)
  float* probs = nullptr;  // (B, H, Tq, Tk) before dropout
  float* att = nullptr;    // (Nq, I) the heads' output, input of o
};

struct FfnSaved {
  float* rstd = nullptr;  // (N)
  float* a = nullptr;     // (N, F) wi_0 h (wi h when not gated)
  float* b = nullptr;     // (N, F) wi_1 h; null when not gated
};

struct EncLayerSaved {
  AttnSaved attn;
  FfnSaved ffn;
};

struct DecLayerSaved {
  AttnSaved self, cross;
  FfnSaved ffn;
};

struct TrainActivations {
  BatchShape max;
  // Residual stream: [0] the embedding after dropout, then the output of every sublayer.
  std::vector<float*> enc_x;  // 2 * layers + 1 of (Ne, C)
  std::vector<EncLayerSaved> enc;
  float* enc_rstd = nullptr;  // (Ne)
  float* enc_out = nullptr;   // (Ne, C) final norm, then dropout: the decoder's cross-attention input
  std::vector<float*> dec_x;  // 3 * layers + 1 of (Nd, C)
  std::vector<DecLayerSaved> dec;
  float* dec_rstd = nullptr;  // (Nd)
  float* dec_out = nullptr;   // (Nd, C) final norm, dropout (and d_model^-0.5 when tied): lm_head input
  float* logits = nullptr;    // (Nd, V); backward overwrites it with dlogits
  float* enc_bias = nullptr;  // (H, Te, Te)
  float* dec_bias = nullptr;  // (H, Td, Td)

  // Scratch shared by forward and backward.
  float* h = nullptr;         // (N, C) normed sublayer input
  float* y = nullptr;         // (N, C) sublayer output before dropout / its gradient
  float* dx = nullptr;        // (N, C) gradient of the residual stream
  float* dh = nullptr;        // (N, C)
  float* dtmp = nullptr;      // (N, C)
  float* datt = nullptr;      // (N, I)
  float* dq = nullptr;        // (N, I)
  float* dk = nullptr;        // (N, I)
  float* dv = nullptr;        // (N, I)
  float* dscores = nullptr;   // (B, H, max Tq, max Tk)
  float* g = nullptr;         // (N, F) act(a) * b (after dropout)
  float* da = nullptr;        // (N, F)
  float* db = nullptr;        // (N, F)
  float* denc_out = nullptr;  // (Ne, C)
  float* enc_dbias = nullptr; // (H, Te, Te)
  float* dec_dbias = nullptr; // (H, Td, Td)

  TrainActivations(const T5Config& cfg, BatchShape max_shape);
  TrainActivations(const TrainActivations&) = delete;
  size_t bytes() const { return buf_.size() * sizeof(float); }
  // Bytes needed for this config and shape, without allocating.
  static size_t bytes_for(const T5Config& cfg, BatchShape max_shape);

 private:
  size_t carve(const T5Config& cfg, float* base);
  AlignedBuffer<float> buf_;
};

}  // namespace byt5

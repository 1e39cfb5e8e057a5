// T5 v1.1 inference forward pass in fp32 on the CPU: encoder, teacher-forced decoder, and an
// incremental decoder with a self-attention KV cache and cross-attention K/V computed once.
// Dimension letters: B batch, T/Te/Td positions, C d_model, I heads*d_kv, F d_ff, V vocab.
#pragma once
#include <memory>
#include <vector>

#include "backends/cpu/panel_gemm.h"
#include "core/aligned_buffer.h"
#include "model/config.h"
#include "model/weights.h"

namespace byt5 {

// Per-sequence decoder state for incremental decoding.
struct DecoderCache {
  int B = 0, Te = 0, max_len = 0, len = 0;  // len: positions already in the cache
  // Keys are kept transposed per head, as attention reads them (attention_forward_kt): per layer
  // self_kt (B, H, d_kv, max_len) and cross_kt (B, H, d_kv, Te); values as rows, self_v (B,
  // max_len, I) and cross_v (B, Te, I).
  std::vector<AlignedBuffer<float>> self_kt, self_v;
  std::vector<AlignedBuffer<float>> cross_kt, cross_v;
  AlignedBuffer<float> enc_mask;                       // (B, Te)
};

// Makes row b of the cache a copy of what row rows[b] held (beam search reorders its beams so);
// rows has one entry per row, each in [0, B).
void reorder_cache_rows(DecoderCache& cache, const std::vector<int>& rows);

// Scratch space reused across calls; grows to the largest shape seen.
struct Workspace {
  AlignedBuffer<float> x, h, q, k, v, att, tmp, a, b, bias;
  static void ensure(AlignedBuffer<float>& buf, size_t n) {
    if (buf.size() < n) buf.resize(n);
  }
};

// Views of the decoder's linear layers (and the LM head) as panels (panel_gemm). They are repacked
// where they lie in the ParamSet, so the model holds one copy of its weights; only a tied LM head,
// which is also the embedding, gets a repacked copy of its own.
struct DecoderPanels {
  struct FeedForward {
    PanelMatrix wi0, wi1, wo;  // wi1 empty when the feed-forward is not gated
  };
  struct Layer {
    PanelMatrix self_q, self_k, self_v, self_o, cross_q, cross_o;
    FeedForward ffn;
  };
  std::vector<Layer> layers;
  PanelMatrix lm_head;
};

class T5Model {
 public:
  explicit T5Model(ParamSet params);

  const T5Config& config() const { return params_.config(); }
  // The weights in Hugging Face's layout: restores the decoder's matrices if they are repacked
  // (the caller may change them); the next decoder call repacks them.
  ParamSet& params();

  // ids (B, T) padded; mask (B, T) 1/0 (null: all valid). enc_out (B, T, C).
  void encode(float* enc_out, const int* ids, const float* mask, int B, int T);
  // Teacher forcing: dec_ids (B, Td) -> logits (B, Td, V). Like the decoding calls below, it repacks
  // the decoder's weights first if they are not (decoder_panels).
  void decode_full(float* logits, const int* dec_ids, int B, int Td, const float* enc_out, const float* enc_mask,
                   int Te);
  // Computes the cross-attention K/V once and sizes the self-attention cache for max_len steps.
  DecoderCache start_decoding(const float* enc_out, const float* enc_mask, int B, int Te, int max_len);
  // Feeds one token per row at position cache.len; writes logits (B, V) and advances the cache.
  void decode_step(DecoderCache& cache, const int* ids, float* logits) { decode_tokens(cache, ids, 1, logits); }
  // Feeds Tn tokens per row, ids (B, Tn), at positions cache.len .. cache.len + Tn - 1, causally;
  // writes logits (B, Tn, V). Each row's logits are bit-identical to feeding the tokens one step at
  // a time (every product goes through panel_gemm, whose rows do not depend on each other), which
  // makes draft-and-verify decoding lossless.
  void decode_tokens(DecoderCache& cache, const int* ids, int Tn, float* logits);
  // Repacks the decoder's weights for panel_gemm now rather than on the first decoder call (for
  // byt5-small's decoder a fraction of a second; no extra memory).
  void prepare_decoding() { decoder_panels(); }
  // The panels every decoder product uses (repacked now if they are not).
  const DecoderPanels& decoder_panels();

 private:
  // Panels for the products that have them; the others multiply with the weights as stored.
  struct AttentionPanels {
    const PanelMatrix *q = nullptr, *k = nullptr, *v = nullptr, *o = nullptr;
  };
  void attention_block(const AttentionWeights& w, float* x, const float* ln, int B, int Tq, const float* bias,
                       const float* kv_src, int Tkv, const float* key_mask, bool causal, const AttentionPanels& P);
  // With panels (the decoder) the products go through panel_gemm, else through linear_forward.
  void feed_forward(const FeedForwardWeights& w, float* x, const float* ln, int N,
                    const DecoderPanels::FeedForward* panels = nullptr);
  void lm_head(float* logits, const float* x, int N, const PanelMatrix& panel);

  ParamSet params_;
  Workspace ws_;
  std::unique_ptr<DecoderPanels> panels_;
};

}  // namespace byt5

#include "model/t5_model.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/ffn_act.h"
#include "ops/linear.h"
#include "ops/position_bias.h"
#include "ops/rms_norm.h"

namespace byt5 {

T5Model::T5Model(ParamSet params) : params_(std::move(params)) {}

namespace {

// One product of the model: through the panels when given, else linear_forward on W as stored.
void product(float* y, const float* x, const float* W, const PanelMatrix* P, int M, int K, int N,
             bool accumulate = false) {
  if (P) return panel_gemm(y, x, *P, M, accumulate);
  linear_forward(y, x, W, M, K, N, accumulate);
}

// Calls f(W, N, K, slot) for each matrix repacked where it lies, W being (N, K) as Hugging Face
// stores it: every decoder matrix panel_gemm multiplies with (the cross-attention K/V weights, used
// once per input over all encoder positions, keep their layout) and an untied LM head.
template <typename F>
void for_each_decoder_matrix(const T5Config& c, const ModelWeights& w, DecoderPanels& p, F&& f) {
  const int C = c.d_model, I = c.inner_dim(), Fd = c.d_ff;
  p.layers.resize(w.dec.size());
  for (size_t l = 0; l < w.dec.size(); ++l) {
    const DecoderLayerWeights& L = w.dec[l];
    DecoderPanels::Layer& P = p.layers[l];
    f(L.self.q, I, C, P.self_q);
    f(L.self.k, I, C, P.self_k);
    f(L.self.v, I, C, P.self_v);
    f(L.self.o, C, I, P.self_o);
    f(L.cross.q, I, C, P.cross_q);
    f(L.cross.o, C, I, P.cross_o);
    f(L.ffn.wi0, Fd, C, P.ffn.wi0);
    if (L.ffn.wi1) f(L.ffn.wi1, Fd, C, P.ffn.wi1);
    f(L.ffn.wo, C, Fd, P.ffn.wo);
  }
  if (w.lm_head != w.shared) f(w.lm_head, c.vocab_size, C, p.lm_head);
}

}  // namespace

const DecoderPanels& T5Model::decoder_panels() {
  if (panels_) return *panels_;
  const auto& c = config();
  const auto& w = params_.w();
  auto p = std::make_unique<DecoderPanels>();
  for_each_decoder_matrix(c, w, *p, [](float* W, int N, int K, PanelMatrix& slot) {
    slot = PanelMatrix::pack_in_place(W, N, K);
  });
  // A tied LM head is the embedding too, which lookups read by rows: repacked as a copy.
  if (w.lm_head == w.shared) p->lm_head = PanelMatrix(w.lm_head, c.vocab_size, c.d_model);
  panels_ = std::move(p);
  return *panels_;
}

ParamSet& T5Model::params() {
  if (panels_) {
    for_each_decoder_matrix(config(), params_.w(), *panels_, [](float* W, int N, int K, PanelMatrix&) {
      PanelMatrix::unpack_in_place(W, N, K);
    });
    panels_.reset();
  }
  return params_;
}

// Pre-norm residual block: x += o(attn(q(ln(x)), k(src), v(src))). Self-attention when kv_src is
// null (keys from ln(x)); cross-attention reads kv_src (B, Tkv, C), which is not normed here.
void T5Model::attention_block(const AttentionWeights& w, float* x, const float* ln, int B, int Tq, const float* bias,
                              const float* kv_src, int Tkv, const float* key_mask, bool causal,
                              const AttentionPanels& P) {
  const auto& c = config();
  const int C = c.d_model, I = c.inner_dim();
  const int Nq = B * Tq;
  Workspace::ensure(ws_.h, (size_t)Nq * C);
  Workspace::ensure(ws_.q, (size_t)Nq * I);
  Workspace::ensure(ws_.att, (size_t)Nq * I);
  Workspace::ensure(ws_.tmp, (size_t)Nq * C);
  rms_norm_forward(ws_.h.data(), nullptr, x, ln, Nq, C, c.layer_norm_epsilon);
  product(ws_.q.data(), ws_.h.data(), w.q, P.q, Nq, C, I);
  const float* src = kv_src ? kv_src : ws_.h.data();
  const int Nk = B * Tkv;
  Workspace::ensure(ws_.k, (size_t)Nk * I);
  Workspace::ensure(ws_.v, (size_t)Nk * I);
  product(ws_.k.data(), src, w.k, P.k, Nk, C, I);
  product(ws_.v.data(), src, w.v, P.v, Nk, C, I);
  AttentionShape s{B, Tq, Tkv, c.num_heads, c.d_kv, (long)Tq * I, (long)Tkv * I, causal, 0};
  attention_forward(ws_.att.data(), nullptr, ws_.q.data(), ws_.k.data(), ws_.v.data(), bias, key_mask, s);
  product(x, ws_.att.data(), w.o, P.o, Nq, I, C, /*accumulate=*/true);
}

void T5Model::feed_forward(const FeedForwardWeights& w, float* x, const float* ln, int N,
                           const DecoderPanels::FeedForward* panels) {
  const auto& c = config();
  const int C = c.d_model, F = c.d_ff;
  Workspace::ensure(ws_.h, (size_t)N * C);
  Workspace::ensure(ws_.a, (size_t)N * F);
  Workspace::ensure(ws_.b, (size_t)N * F);
  rms_norm_forward(ws_.h.data(), nullptr, x, ln, N, C, c.layer_norm_epsilon);
  product(ws_.a.data(), ws_.h.data(), w.wi0, panels ? &panels->wi0 : nullptr, N, C, F);
  if (w.wi1) product(ws_.b.data(), ws_.h.data(), w.wi1, panels ? &panels->wi1 : nullptr, N, C, F);
  ffn_act_forward(ws_.a.data(), ws_.a.data(), w.wi1 ? ws_.b.data() : nullptr, (long)N * F, c.act);
  product(x, ws_.a.data(), w.wo, panels ? &panels->wo : nullptr, N, F, C, /*accumulate=*/true);
}

void T5Model::lm_head(float* logits, const float* x, int N, const PanelMatrix& panel) {
  const auto& c = config();
  const int C = c.d_model;
  Workspace::ensure(ws_.h, (size_t)N * C);
  rms_norm_forward(ws_.h.data(), nullptr, x, params_.w().dec_final_ln, N, C, c.layer_norm_epsilon);
  if (c.scales_decoder_output()) {
    // As Hugging Face: the decoder output rescaled by d_model^-0.5 first (tied models of transformers 4).
    const float scale = 1.0f / std::sqrt(static_cast<float>(C));
    for (size_t i = 0; i < (size_t)N * C; ++i) ws_.h[i] *= scale;
  }
  panel_gemm(logits, ws_.h.data(), panel, N, /*accumulate=*/false);
}

void T5Model::encode(float* enc_out, const int* ids, const float* mask, int B, int T) {
  const auto& c = config();
  const auto& w = params_.w();
  const int C = c.d_model, N = B * T;
  Workspace::ensure(ws_.x, (size_t)N * C);
  Workspace::ensure(ws_.bias, (size_t)c.num_heads * T * T);
  embedding_forward(ws_.x.data(), ids, w.shared, N, C, c.vocab_size);
  position_bias_forward(ws_.bias.data(), w.enc_rel_bias, c.num_heads, T, T, 0, true, c.relative_attention_num_buckets,
                        c.relative_attention_max_distance);
  for (const auto& L : w.enc) {
    attention_block(L.attn, ws_.x.data(), L.ln_attn, B, T, ws_.bias.data(), nullptr, T, mask, false, {});
    feed_forward(L.ffn, ws_.x.data(), L.ln_ffn, N);
  }
  rms_norm_forward(enc_out, nullptr, ws_.x.data(), w.enc_final_ln, N, C, c.layer_norm_epsilon);
}

void T5Model::decode_full(float* logits, const int* dec_ids, int B, int Td, const float* enc_out,
                          const float* enc_mask, int Te) {
  const auto& c = config();
  const auto& w = params_.w();
  const DecoderPanels& panels = decoder_panels();
  const int C = c.d_model, N = B * Td;
  AlignedBuffer<float> x((size_t)N * C), bias((size_t)c.num_heads * Td * Td);
  embedding_forward(x.data(), dec_ids, w.shared, N, C, c.vocab_size);
  position_bias_forward(bias.data(), w.dec_rel_bias, c.num_heads, Td, Td, 0, false, c.relative_attention_num_buckets,
                        c.relative_attention_max_distance);
  for (size_t l = 0; l < w.dec.size(); ++l) {
    const auto& L = w.dec[l];
    const DecoderPanels::Layer& P = panels.layers[l];
    attention_block(L.self, x.data(), L.ln_self, B, Td, bias.data(), nullptr, Td, nullptr, true,
                    {&P.self_q, &P.self_k, &P.self_v, &P.self_o});
    // The cross-attention K/V weights keep their layout (linear_forward; see start_decoding).
    attention_block(L.cross, x.data(), L.ln_cross, B, Td, nullptr, enc_out, Te, enc_mask, false,
                    {&P.cross_q, nullptr, nullptr, &P.cross_o});
    feed_forward(L.ffn, x.data(), L.ln_ffn, N, &P.ffn);
  }
  lm_head(logits, x.data(), N, panels.lm_head);
}

DecoderCache T5Model::start_decoding(const float* enc_out, const float* enc_mask, int B, int Te, int max_len) {
  const auto& c = config();
  const int C = c.d_model, I = c.inner_dim();
  DecoderCache cache;
  cache.B = B;
  cache.Te = Te;
  cache.max_len = max_len;
  cache.enc_mask.resize((size_t)B * Te);
  for (size_t i = 0; i < (size_t)B * Te; ++i) cache.enc_mask[i] = enc_mask ? enc_mask[i] : 1.0f;
  Workspace::ensure(ws_.k, (size_t)B * Te * I);
  for (const auto& L : params_.w().dec) {
    cache.self_kt.emplace_back((size_t)B * max_len * I);
    cache.self_v.emplace_back((size_t)B * max_len * I);
    cache.cross_kt.emplace_back((size_t)B * Te * I);
    cache.cross_v.emplace_back((size_t)B * Te * I);
    linear_forward(ws_.k.data(), enc_out, L.cross.k, B * Te, C, I);
    store_keys_transposed(cache.cross_kt.back().data(), Te, 0, ws_.k.data(), B, Te, c.num_heads, c.d_kv);
    linear_forward(cache.cross_v.back().data(), enc_out, L.cross.v, B * Te, C, I);
  }
  return cache;
}

void T5Model::decode_tokens(DecoderCache& cache, const int* ids, int Tn, float* logits) {
  const auto& c = config();
  const auto& w = params_.w();
  const int B = cache.B, C = c.d_model, I = c.inner_dim(), H = c.num_heads, N = B * Tn;
  const int t = cache.len;
  if (Tn <= 0) return;
  if (t + Tn > cache.max_len)
    throw Error("decoder cache is full (" + std::to_string(cache.max_len) + " positions)");
  Workspace::ensure(ws_.x, (size_t)N * C);
  Workspace::ensure(ws_.h, (size_t)N * C);
  Workspace::ensure(ws_.q, (size_t)N * I);
  Workspace::ensure(ws_.k, (size_t)N * I);
  Workspace::ensure(ws_.v, (size_t)N * I);
  Workspace::ensure(ws_.att, (size_t)N * I);
  Workspace::ensure(ws_.bias, (size_t)H * Tn * (t + Tn));
  // The panels' per-row results do not depend on the number of rows (draft-and-verify relies on it).
  const DecoderPanels& panels = decoder_panels();
  float* x = ws_.x.data();
  embedding_forward(x, ids, w.shared, N, C, c.vocab_size);
  position_bias_forward(ws_.bias.data(), w.dec_rel_bias, H, Tn, t + Tn, t, false, c.relative_attention_num_buckets,
                        c.relative_attention_max_distance);
  for (size_t l = 0; l < w.dec.size(); ++l) {
    const auto& L = w.dec[l];
    const DecoderPanels::Layer& P = panels.layers[l];
    // Self-attention: append the new positions' K/V to the cache, attend causally over 0..t+Tn-1.
    rms_norm_forward(ws_.h.data(), nullptr, x, L.ln_self, N, C, c.layer_norm_epsilon);
    product(ws_.q.data(), ws_.h.data(), L.self.q, &P.self_q, N, C, I);
    product(ws_.k.data(), ws_.h.data(), L.self.k, &P.self_k, N, C, I);
    product(ws_.v.data(), ws_.h.data(), L.self.v, &P.self_v, N, C, I);
    store_keys_transposed(cache.self_kt[l].data(), cache.max_len, t, ws_.k.data(), B, Tn, H, c.d_kv);
    for (int b = 0; b < B; ++b) {
      const size_t dst = ((size_t)b * cache.max_len + t) * I, src = (size_t)b * Tn * I;
      std::memcpy(cache.self_v[l].data() + dst, ws_.v.data() + src, sizeof(float) * Tn * I);
    }
    AttentionShape ss{B, Tn, t + Tn, H, c.d_kv, (long)Tn * I, (long)cache.max_len * I, true, t};
    attention_forward_kt(ws_.att.data(), ws_.q.data(), cache.self_kt[l].data(), cache.max_len, cache.self_v[l].data(),
                         ws_.bias.data(), nullptr, ss);
    product(x, ws_.att.data(), L.self.o, &P.self_o, N, I, C, true);
    // Cross-attention over the precomputed encoder K/V.
    rms_norm_forward(ws_.h.data(), nullptr, x, L.ln_cross, N, C, c.layer_norm_epsilon);
    product(ws_.q.data(), ws_.h.data(), L.cross.q, &P.cross_q, N, C, I);
    AttentionShape cs{B, Tn, cache.Te, H, c.d_kv, (long)Tn * I, (long)cache.Te * I, false, 0};
    attention_forward_kt(ws_.att.data(), ws_.q.data(), cache.cross_kt[l].data(), cache.Te, cache.cross_v[l].data(),
                         nullptr, cache.enc_mask.data(), cs);
    product(x, ws_.att.data(), L.cross.o, &P.cross_o, N, I, C, true);
    feed_forward(L.ffn, x, L.ln_ffn, N, &P.ffn);
  }
  lm_head(logits, x, N, panels.lm_head);
  cache.len = t + Tn;
}

void reorder_cache_rows(DecoderCache& cache, const std::vector<int>& rows) {
  if (rows.size() != static_cast<size_t>(cache.B))
    throw Error("reorder_cache_rows: " + std::to_string(rows.size()) + " rows given for a cache of " +
                std::to_string(cache.B));
  bool identity = true;
  for (int b = 0; b < cache.B; ++b) {
    if (rows[b] < 0 || rows[b] >= cache.B) throw Error("reorder_cache_rows: row " + std::to_string(rows[b]) + " out of range");
    identity = identity && rows[b] == b;
  }
  if (identity) return;
  // Gathers rows through one scratch copy. Only the filled positions of the self cache matter: a
  // row is nseg segments of seg floats, seg_stride apart (one segment unless keys are transposed).
  std::vector<float> old;
  auto gather = [&](AlignedBuffer<float>& buf, size_t row_stride, size_t nseg, size_t seg_stride, size_t seg) {
    const size_t used = nseg * seg;
    if (used == 0) return;  // nothing filled yet (memcpy must not see the empty scratch's null pointer)
    old.resize((size_t)cache.B * used);
    for (int b = 0; b < cache.B; ++b)
      for (size_t s = 0; s < nseg; ++s)
        std::memcpy(old.data() + b * used + s * seg, buf.data() + b * row_stride + s * seg_stride, sizeof(float) * seg);
    for (int b = 0; b < cache.B; ++b)
      for (size_t s = 0; s < nseg; ++s)
        std::memcpy(buf.data() + b * row_stride + s * seg_stride, old.data() + rows[b] * used + s * seg,
                    sizeof(float) * seg);
  };
  const size_t len = cache.len, max_len = cache.max_len, Te = cache.Te;
  for (size_t l = 0; l < cache.self_kt.size(); ++l) {
    const size_t I = cache.self_kt[l].size() / ((size_t)cache.B * max_len);
    gather(cache.self_kt[l], max_len * I, I, max_len, len);  // I rows (head, component) of len keys
    gather(cache.self_v[l], max_len * I, 1, 0, len * I);
    gather(cache.cross_kt[l], Te * I, 1, 0, Te * I);
    gather(cache.cross_v[l], Te * I, 1, 0, Te * I);
  }
  gather(cache.enc_mask, Te, 1, 0, Te);
}

}  // namespace byt5

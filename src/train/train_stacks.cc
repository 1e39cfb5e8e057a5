// Encoder and decoder stacks of TrainModel, forward and backward. Dropout sites (Hugging Face
// T5): after the embedding, on attention probabilities, on each sublayer's output before the
// residual add, inside the FFN after act(a) * b, and after each stack's final RMSNorm.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "ops/embedding.h"
#include "ops/position_bias.h"
#include "ops/rms_norm.h"
#include "train/train_model.h"
#include "train/train_sublayers.h"

namespace byt5 {
namespace {

enum Stack { kEncoder = 0, kDecoder = 1 };
enum Kind { kSelfProbs = 0, kSelfOut = 1, kCrossProbs = 2, kCrossOut = 3, kFfnInner = 4, kFfnOut = 5, kEmbed = 254, kFinal = 255 };

}  // namespace

namespace {

// What every attention sublayer needs: its weights, its pre-norm, and the query/key lengths.
AttnArgs attn_args(const AttentionWeights& w, AttentionWeights* dw, const float* ln, float* dln, int B, int Tq,
                   int Tk) {
  AttnArgs a;
  a.w = &w;
  a.dw = dw;
  a.ln = ln;
  a.dln = dln;
  a.B = B, a.Tq = Tq, a.Tk = Tk;
  return a;
}

AttnArgs encoder_self_args(const EncoderLayerWeights& L, EncoderLayerWeights* D, const Batch& b, float* bias,
                           float* dbias) {
  AttnArgs a = attn_args(L.attn, D ? &D->attn : nullptr, L.ln_attn, D ? D->ln_attn : nullptr, b.B, b.Te, b.Te);
  a.bias = bias;
  a.dbias = dbias;
  a.key_mask = b.enc_mask.data();
  return a;
}

AttnArgs self_args(const DecoderLayerWeights& L, DecoderLayerWeights* D, const Batch& b, float* bias, float* dbias) {
  AttnArgs a = attn_args(L.self, D ? &D->self : nullptr, L.ln_self, D ? D->ln_self : nullptr, b.B, b.Td, b.Td);
  a.bias = bias;
  a.dbias = dbias;
  a.causal = true;
  return a;
}

AttnArgs cross_args(const DecoderLayerWeights& L, DecoderLayerWeights* D, const Batch& b, const float* enc_out,
                    float* denc_out) {
  AttnArgs a = attn_args(L.cross, D ? &D->cross : nullptr, L.ln_cross, D ? D->ln_cross : nullptr, b.B, b.Td, b.Te);
  a.kv_src = enc_out;
  a.dkv_src = denc_out;
  a.key_mask = b.enc_mask.data();
  return a;
}

// Either stack's layer: both name their FFN weights ffn and ln_ffn.
template <class Layer>
FfnArgs ffn_args(const Layer& L, std::type_identity_t<Layer>* D, int N) {
  FfnArgs f;
  f.w = &L.ffn;
  f.dw = D ? &D->ffn : nullptr;
  f.ln = L.ln_ffn;
  f.dln = D ? D->ln_ffn : nullptr;
  f.N = N;
  return f;
}

}  // namespace

void TrainModel::encoder_forward() {
  const auto& c = config();
  const auto& w = params_.w();
  auto& t = acts_;
  const Batch& b = *batch_;
  const int C = c.d_model, Ne = b.B * b.Te;
  auto spec = [&](int layer, int kind) { return DropoutSpec{drop_.rate, site_key(kEncoder, layer, kind)}; };
  embedding_forward(t.enc_x[0], b.enc_ids.data(), w.shared, Ne, C, c.vocab_size);
  dropout_forward(t.enc_x[0], t.enc_x[0], (long)Ne * C, spec(0, kEmbed));
  position_bias_forward(t.enc_bias, w.enc_rel_bias, c.num_heads, b.Te, b.Te, 0, true, c.relative_attention_num_buckets,
                        c.relative_attention_max_distance);
  SublayerCtx ctx{c, lin_, acts_};
  for (int l = 0; l < c.num_layers; ++l) {
    const auto& L = w.enc[l];
    AttnArgs a = encoder_self_args(L, nullptr, b, t.enc_bias, nullptr);
    a.drop_probs = spec(l, kSelfProbs);
    a.drop_out = spec(l, kSelfOut);
    attn_sublayer_forward(ctx, a, t.enc[l].attn, t.enc_x[2 * l], t.enc_x[2 * l + 1]);
    FfnArgs f = ffn_args(L, nullptr, Ne);
    f.drop_inner = spec(l, kFfnInner);
    f.drop_out = spec(l, kFfnOut);
    ffn_sublayer_forward(ctx, f, t.enc[l].ffn, t.enc_x[2 * l + 1], t.enc_x[2 * l + 2]);
  }
  rms_norm_forward(t.enc_out, t.enc_rstd, t.enc_x.back(), w.enc_final_ln, Ne, C, c.layer_norm_epsilon);
  dropout_forward(t.enc_out, t.enc_out, (long)Ne * C, spec(0, kFinal));
}

void TrainModel::encoder_backward() {
  const auto& c = config();
  const auto& w = params_.w();
  auto& dw = grads_.w();
  auto& t = acts_;
  const Batch& b = *batch_;
  const int C = c.d_model, H = c.num_heads, Ne = b.B * b.Te;
  auto spec = [&](int layer, int kind) { return DropoutSpec{drop_.rate, site_key(kEncoder, layer, kind)}; };
  dropout_backward(t.dx, t.denc_out, (long)Ne * C, spec(0, kFinal));
  rms_norm_backward(t.dtmp, dw.enc_final_ln, t.dx, t.enc_x.back(), w.enc_final_ln, t.enc_rstd, Ne, C);
  std::memcpy(t.dx, t.dtmp, sizeof(float) * (size_t)Ne * C);
  std::memset(t.enc_dbias, 0, sizeof(float) * (size_t)H * b.Te * b.Te);
  SublayerCtx ctx{c, lin_, acts_};
  for (int l = c.num_layers - 1; l >= 0; --l) {
    const auto& L = w.enc[l];
    auto& D = dw.enc[l];
    FfnArgs f = ffn_args(L, &D, Ne);
    f.drop_inner = spec(l, kFfnInner);
    f.drop_out = spec(l, kFfnOut);
    ffn_sublayer_backward(ctx, f, t.enc[l].ffn, t.enc_x[2 * l + 1], t.dx);
    AttnArgs a = encoder_self_args(L, &D, b, t.enc_bias, t.enc_dbias);
    a.drop_probs = spec(l, kSelfProbs);
    a.drop_out = spec(l, kSelfOut);
    attn_sublayer_backward(ctx, a, t.enc[l].attn, t.enc_x[2 * l], t.dx);
  }
  dropout_backward(t.dx, t.dx, (long)Ne * C, spec(0, kEmbed));
  embedding_backward(dw.shared, t.dx, b.enc_ids.data(), Ne, C);
  position_bias_backward(dw.enc_rel_bias, t.enc_dbias, H, b.Te, b.Te, 0, true, c.relative_attention_num_buckets,
                         c.relative_attention_max_distance);
}

void TrainModel::decoder_forward() {
  const auto& c = config();
  const auto& w = params_.w();
  auto& t = acts_;
  const Batch& b = *batch_;
  const int C = c.d_model, Nd = b.B * b.Td;
  auto spec = [&](int layer, int kind) { return DropoutSpec{drop_.rate, site_key(kDecoder, layer, kind)}; };
  embedding_forward(t.dec_x[0], b.dec_ids.data(), w.shared, Nd, C, c.vocab_size);
  dropout_forward(t.dec_x[0], t.dec_x[0], (long)Nd * C, spec(0, kEmbed));
  position_bias_forward(t.dec_bias, w.dec_rel_bias, c.num_heads, b.Td, b.Td, 0, false,
                        c.relative_attention_num_buckets, c.relative_attention_max_distance);
  SublayerCtx ctx{c, lin_, acts_};
  for (int l = 0; l < c.num_decoder_layers; ++l) {
    const auto& L = w.dec[l];
    AttnArgs s = self_args(L, nullptr, b, t.dec_bias, nullptr);
    s.drop_probs = spec(l, kSelfProbs);
    s.drop_out = spec(l, kSelfOut);
    attn_sublayer_forward(ctx, s, t.dec[l].self, t.dec_x[3 * l], t.dec_x[3 * l + 1]);
    AttnArgs x = cross_args(L, nullptr, b, t.enc_out, nullptr);
    x.drop_probs = spec(l, kCrossProbs);
    x.drop_out = spec(l, kCrossOut);
    attn_sublayer_forward(ctx, x, t.dec[l].cross, t.dec_x[3 * l + 1], t.dec_x[3 * l + 2]);
    FfnArgs f = ffn_args(L, nullptr, Nd);
    f.drop_inner = spec(l, kFfnInner);
    f.drop_out = spec(l, kFfnOut);
    ffn_sublayer_forward(ctx, f, t.dec[l].ffn, t.dec_x[3 * l + 2], t.dec_x[3 * l + 3]);
  }
  rms_norm_forward(t.dec_out, t.dec_rstd, t.dec_x.back(), w.dec_final_ln, Nd, C, c.layer_norm_epsilon);
  dropout_forward(t.dec_out, t.dec_out, (long)Nd * C, spec(0, kFinal));
  if (c.scales_decoder_output()) {
    // Hugging Face rescales the decoder output by d_model^-0.5 before lm_head (tied, transformers 4).
    const float s = static_cast<float>(std::pow(static_cast<double>(C), -0.5));
    for (size_t i = 0; i < (size_t)Nd * C; ++i) t.dec_out[i] *= s;
  }
  lin_.forward(t.logits, t.dec_out, w.lm_head, Nd, C, c.vocab_size);
}

// Entered with t.dx = d loss / d (the last decoder layer's output), (Nd, C).
void TrainModel::decoder_backward() {
  const auto& c = config();
  const auto& w = params_.w();
  auto& dw = grads_.w();
  auto& t = acts_;
  const Batch& b = *batch_;
  const int C = c.d_model, H = c.num_heads, Nd = b.B * b.Td, Ne = b.B * b.Te;
  auto spec = [&](int layer, int kind) { return DropoutSpec{drop_.rate, site_key(kDecoder, layer, kind)}; };
  std::memset(t.denc_out, 0, sizeof(float) * (size_t)Ne * C);
  std::memset(t.dec_dbias, 0, sizeof(float) * (size_t)H * b.Td * b.Td);
  SublayerCtx ctx{c, lin_, acts_};
  for (int l = c.num_decoder_layers - 1; l >= 0; --l) {
    const auto& L = w.dec[l];
    auto& D = dw.dec[l];
    FfnArgs f = ffn_args(L, &D, Nd);
    f.drop_inner = spec(l, kFfnInner);
    f.drop_out = spec(l, kFfnOut);
    ffn_sublayer_backward(ctx, f, t.dec[l].ffn, t.dec_x[3 * l + 2], t.dx);
    AttnArgs x = cross_args(L, &D, b, t.enc_out, t.denc_out);
    x.drop_probs = spec(l, kCrossProbs);
    x.drop_out = spec(l, kCrossOut);
    attn_sublayer_backward(ctx, x, t.dec[l].cross, t.dec_x[3 * l + 1], t.dx);
    AttnArgs s = self_args(L, &D, b, t.dec_bias, t.dec_dbias);
    s.drop_probs = spec(l, kSelfProbs);
    s.drop_out = spec(l, kSelfOut);
    attn_sublayer_backward(ctx, s, t.dec[l].self, t.dec_x[3 * l], t.dx);
  }
  dropout_backward(t.dx, t.dx, (long)Nd * C, spec(0, kEmbed));
  embedding_backward(dw.shared, t.dx, b.dec_ids.data(), Nd, C);
  position_bias_backward(dw.dec_rel_bias, t.dec_dbias, H, b.Td, b.Td, 0, false, c.relative_attention_num_buckets,
                         c.relative_attention_max_distance);
}

}  // namespace byt5

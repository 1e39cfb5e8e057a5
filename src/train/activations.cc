#include "train/activations.h"

#include <algorithm>

#include "core/error.h"

namespace byt5 {

size_t TrainActivations::carve(const T5Config& c, float* base) {
  size_t off = 0;
  auto take = [&](size_t n) {
    float* p = base ? base + off : nullptr;
    off += (n + 15) / 16 * 16;
    return p;
  };
  const size_t B = max.B, Te = max.Te, Td = max.Td, C = c.d_model, I = c.inner_dim(), F = c.d_ff, H = c.num_heads;
  const size_t Ne = B * Te, Nd = B * Td, N = std::max(Ne, Nd);
  auto attn = [&](size_t Nq, size_t Nk, size_t Tq, size_t Tk) {
    AttnSaved a;
    a.rstd = take(Nq);
    a.q = take(Nq * I);
    a.k = take(Nk * I);
    a.v = take(Nk * I);
    a.probs = take(B * H * Tq * Tk);
    a.att = take(Nq * I);
    return a;
  };
  auto ffn = [&](size_t n) {
    FfnSaved f;
    f.rstd = take(n);
    f.a = take(n * F);
    f.b = c.is_gated ? take(n * F) : nullptr;
    return f;
  };
  enc_x.clear();
  enc.clear();
  dec_x.clear();
  dec.clear();
  for (int i = 0; i < 2 * c.num_layers + 1; ++i) enc_x.push_back(take(Ne * C));
  for (int l = 0; l < c.num_layers; ++l) enc.push_back({attn(Ne, Ne, Te, Te), ffn(Ne)});
  enc_rstd = take(Ne);
  enc_out = take(Ne * C);
  for (int i = 0; i < 3 * c.num_decoder_layers + 1; ++i) dec_x.push_back(take(Nd * C));
  for (int l = 0; l < c.num_decoder_layers; ++l) dec.push_back({attn(Nd, Nd, Td, Td), attn(Nd, Ne, Td, Te), ffn(Nd)});
  dec_rstd = take(Nd);
  dec_out = take(Nd * C);
  logits = take(Nd * c.vocab_size);
  enc_bias = take(H * Te * Te);
  dec_bias = take(H * Td * Td);
  h = take(N * C);
  y = take(N * C);
  dx = take(N * C);
  dh = take(N * C);
  dtmp = take(N * C);
  datt = take(N * I);
  dq = take(N * I);
  dk = take(N * I);
  dv = take(N * I);
  dscores = take(B * H * std::max({Te * Te, Td * Td, Td * Te}));
  g = take(N * F);
  da = take(N * F);
  db = take(N * F);
  denc_out = take(Ne * C);
  enc_dbias = take(H * Te * Te);
  dec_dbias = take(H * Td * Td);
  return off;
}

size_t TrainActivations::bytes_for(const T5Config& cfg, BatchShape max_shape) {
  TrainActivations probe(cfg, BatchShape{});
  probe.max = max_shape;
  return probe.carve(cfg, nullptr) * sizeof(float);
}

TrainActivations::TrainActivations(const T5Config& cfg, BatchShape max_shape) : max(max_shape) {
  if (max.B < 0 || max.Te < 0 || max.Td < 0) throw Error("internal: negative activation shape");
  const size_t n = carve(cfg, nullptr);
  if (n == 0) return;
  try {
    buf_.resize(n);
  } catch (const std::bad_alloc&) {
    throw Error("cannot allocate " + std::to_string(n * sizeof(float) >> 20) +
                " MiB of training activations for micro-batch " + std::to_string(max.B) + " x (" +
                std::to_string(max.Te) + " source, " + std::to_string(max.Td) +
                " target tokens): lower --batch-size (and raise --grad-accum to keep the effective batch)");
  }
  carve(cfg, buf_.data());
}

}  // namespace byt5

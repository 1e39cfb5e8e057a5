#include "train/train_sublayers.h"

#include "ops/ffn_act.h"
#include "ops/rms_norm.h"
#include "ops/attention.h"
#include "train/train_ffn_act.h"

namespace byt5 {
namespace {

void add_into(float* dst, const float* src, long n) {
#pragma omp parallel for simd if (n >= 65536)
  for (long i = 0; i < n; ++i) dst[i] += src[i];
}

// x_out = x + dropout(y)
void residual_add(float* x_out, const float* x, float* y, long n, const DropoutSpec& d) {
  dropout_forward(y, y, n, d);
#pragma omp parallel for simd if (n >= 65536)
  for (long i = 0; i < n; ++i) x_out[i] = x[i] + y[i];
}

// bf16 runs evaluate gelu_new's tanh in float (a few ulps); fp32 runs keep it exact.
bool fast_tanh(const SublayerCtx& ctx) { return ctx.lin.precision() == Precision::BF16; }

// h = RMSNorm(x) with the saved rstd (recomputed for backward; same arithmetic as the forward).
void renorm(float* h, const float* x, const float* w, const float* rstd, int N, int C) {
#pragma omp parallel for if ((long)N * C >= 65536)
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) h[(size_t)n * C + c] = w[c] * (x[(size_t)n * C + c] * rstd[n]);
}

AttentionShape shape_of(const T5Config& c, const AttnArgs& a) {
  const int I = c.inner_dim();
  return AttentionShape{a.B, a.Tq, a.Tk, c.num_heads, c.d_kv, (long)a.Tq * I, (long)a.Tk * I, a.causal, 0};
}

}  // namespace

void attn_sublayer_forward(SublayerCtx& ctx, const AttnArgs& a, AttnSaved& s, const float* x, float* x_out) {
  const auto& c = ctx.cfg;
  auto& t = ctx.acts;
  const int C = c.d_model, I = c.inner_dim(), Nq = a.B * a.Tq, Nk = a.B * a.Tk;
  rms_norm_forward(t.h, s.rstd, x, a.ln, Nq, C, c.layer_norm_epsilon);
  ctx.lin.forward(s.q, t.h, a.w->q, Nq, C, I);
  const float* src = a.kv_src ? a.kv_src : t.h;
  ctx.lin.forward(s.k, src, a.w->k, Nk, C, I);
  ctx.lin.forward(s.v, src, a.w->v, Nk, C, I);
  attention_forward(s.att, s.probs, s.q, s.k, s.v, a.bias, a.key_mask, shape_of(c, a), a.drop_probs);
  ctx.lin.forward(t.y, s.att, a.w->o, Nq, I, C);
  residual_add(x_out, x, t.y, (long)Nq * C, a.drop_out);
}

void attn_sublayer_backward(SublayerCtx& ctx, const AttnArgs& a, const AttnSaved& s, const float* x, float* dx) {
  const auto& c = ctx.cfg;
  auto& t = ctx.acts;
  const int C = c.d_model, I = c.inner_dim(), Nq = a.B * a.Tq, Nk = a.B * a.Tk;
  dropout_backward(t.y, dx, (long)Nq * C, a.drop_out);                          // dy (Nq, C)
  ctx.lin.backward(t.datt, a.dw->o, t.y, s.att, a.w->o, Nq, I, C);              // datt (Nq, I)
  attention_backward(t.dq, t.dk, t.dv, a.dbias, t.datt, s.probs, s.q, s.k, s.v, shape_of(c, a), a.drop_probs,
                     t.dscores);
  renorm(t.h, x, a.ln, s.rstd, Nq, C);                                          // h (Nq, C)
  ctx.lin.backward(t.dh, a.dw->q, t.dq, t.h, a.w->q, Nq, C, I);                 // dh (Nq, C)
  if (a.kv_src) {
    ctx.lin.backward(a.dkv_src, a.dw->k, t.dk, a.kv_src, a.w->k, Nk, C, I, /*accumulate_dx=*/true);
    ctx.lin.backward(a.dkv_src, a.dw->v, t.dv, a.kv_src, a.w->v, Nk, C, I, /*accumulate_dx=*/true);
  } else {
    ctx.lin.backward(t.dh, a.dw->k, t.dk, t.h, a.w->k, Nq, C, I, /*accumulate_dx=*/true);
    ctx.lin.backward(t.dh, a.dw->v, t.dv, t.h, a.w->v, Nq, C, I, /*accumulate_dx=*/true);
  }
  rms_norm_backward(t.dtmp, a.dln, t.dh, x, a.ln, s.rstd, Nq, C);
  add_into(dx, t.dtmp, (long)Nq * C);
}

void ffn_sublayer_forward(SublayerCtx& ctx, const FfnArgs& a, FfnSaved& s, const float* x, float* x_out) {
  const auto& c = ctx.cfg;
  auto& t = ctx.acts;
  const int C = c.d_model, F = c.d_ff, N = a.N;
  rms_norm_forward(t.h, s.rstd, x, a.ln, N, C, c.layer_norm_epsilon);
  ctx.lin.forward(s.a, t.h, a.w->wi0, N, C, F);
  if (s.b) ctx.lin.forward(s.b, t.h, a.w->wi1, N, C, F);
  ffn_act_recompute(t.g, nullptr, s.a, s.b, (long)N * F, c.act, a.drop_inner, fast_tanh(ctx));
  ctx.lin.forward(t.y, t.g, a.w->wo, N, F, C);
  residual_add(x_out, x, t.y, (long)N * C, a.drop_out);
}

void ffn_sublayer_backward(SublayerCtx& ctx, const FfnArgs& a, const FfnSaved& s, const float* x, float* dx) {
  const auto& c = ctx.cfg;
  auto& t = ctx.acts;
  const int C = c.d_model, F = c.d_ff, N = a.N;
  // Recompute wo's input g = dropout(act(a) * b), stashing gelu's tanh in da.
  ffn_act_recompute(t.g, t.da, s.a, s.b, (long)N * F, c.act, a.drop_inner, fast_tanh(ctx));
  dropout_backward(t.y, dx, (long)N * C, a.drop_out);                 // dy (N, C)
  ctx.lin.backward(t.db, a.dw->wo, t.y, t.g, a.w->wo, N, F, C);       // dg (N, F) in db
  dropout_backward(t.db, t.db, (long)N * F, a.drop_inner);
  // da = dg * act'(a) * b, db = dg * act(a) (db overwrites dg element by element, after reading it).
  ffn_act_backward_stashed(t.da, s.b ? t.db : nullptr, t.db, s.a, s.b, t.da, (long)N * F, c.act);
  renorm(t.h, x, a.ln, s.rstd, N, C);
  ctx.lin.backward(t.dh, a.dw->wi0, t.da, t.h, a.w->wi0, N, C, F);    // dh (N, C)
  if (s.b) ctx.lin.backward(t.dh, a.dw->wi1, t.db, t.h, a.w->wi1, N, C, F, /*accumulate_dx=*/true);
  rms_norm_backward(t.dtmp, a.dln, t.dh, x, a.ln, s.rstd, N, C);
  add_into(dx, t.dtmp, (long)N * C);
}

}  // namespace byt5

// attention_backward (ops/attention) against finite differences: bidirectional with a padding
// mask and position bias, causal self-attention, and a KV-cache-like stride.
#include "attention_inputs.h"
#include "grad_check.h"
#include "ops/attention.h"

namespace byt5 {
namespace {

void check(const AttentionShape& s, bool with_bias, bool with_mask) {
  const int HD = s.H * s.D;
  const size_t nq = (size_t)s.B * s.q_bstride, nk = (size_t)s.B * s.kv_bstride;
  test::AttentionInputs in(s, with_mask);
  auto &q = in.q, &k = in.k, &v = in.v, &bias = in.bias, &mask = in.mask;
  auto r = test::random_vec(nq, 5);
  std::vector<float> out(nq), probs((size_t)s.B * s.H * s.Tq * s.Tk);
  auto loss = [&] {
    attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), with_bias ? bias.data() : nullptr,
                      with_mask ? mask.data() : nullptr, s);
    double sum = 0;
    for (int b = 0; b < s.B; ++b)
      for (int i = 0; i < s.Tq * HD; ++i) sum += (double)out[b * s.q_bstride + i] * r[b * s.q_bstride + i];
    return sum;
  };
  loss();
  std::vector<float> dout(nq, 0.0f);
  for (int b = 0; b < s.B; ++b)
    for (int i = 0; i < s.Tq * HD; ++i) dout[b * s.q_bstride + i] = r[b * s.q_bstride + i];
  std::vector<float> dq(nq), dk(nk), dv(nk), dbias(bias.size(), 0.0f);
  attention_backward(dq.data(), dk.data(), dv.data(), with_bias ? dbias.data() : nullptr, dout.data(), probs.data(),
                     q.data(), k.data(), v.data(), s);
  test::expect_grad("dq", q, dq, loss, 1e-3f);
  test::expect_grad("dk", k, dk, loss, 1e-3f);
  test::expect_grad("dv", v, dv, loss, 1e-3f);
  if (with_bias) test::expect_grad("dbias", bias, dbias, loss, 1e-3f);
}

TEST(AttentionGrad, BidirectionalWithMaskAndBias) {
  check(AttentionShape{2, 5, 6, 3, 4, 5 * 12, 6 * 12, false, 0}, true, true);
}

TEST(AttentionGrad, CausalSelfAttention) { check(AttentionShape{2, 5, 5, 2, 3, 5 * 6, 5 * 6, true, 0}, true, false); }

TEST(AttentionGrad, CausalWithOffsetAndLongerCache) {
  // One query at position 3 over a cache of 7 slots of which 4 are visible.
  check(AttentionShape{2, 1, 4, 2, 3, 6, 7 * 6, true, 3}, true, false);
}

}  // namespace
}  // namespace byt5

// Attention with dropout on the probabilities (training) against finite differences, dropout
// active (a fixed key makes it a deterministic function); with rate 0 it must equal attention
// without a dropout spec, value and gradient, bit for bit.
#include "grad_check.h"
#include "ops/attention.h"

namespace byt5 {
namespace {

void check(const AttentionShape& s, float rate, bool masked) {
  const size_t nq = (size_t)s.B * s.q_bstride, nk = (size_t)s.B * s.kv_bstride;
  auto q = test::random_vec(nq, 1), k = test::random_vec(nk, 2), v = test::random_vec(nk, 3);
  auto bias = test::random_vec((size_t)s.H * s.Tq * s.Tk, 4), r = test::random_vec(nq, 5);
  std::vector<float> mask((size_t)s.B * s.Tk, 1.0f);
  if (masked) mask[s.Tk - 1] = mask[s.Tk - 2] = 0.0f;
  const DropoutSpec drop{rate, 42};
  const size_t np = (size_t)s.B * s.H * s.Tq * s.Tk;
  std::vector<float> out(nq), probs(np);
  auto loss = [&] {
    attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), bias.data(), mask.data(), s, drop);
    return test::weighted_sum(out.data(), r);
  };
  loss();
  std::vector<float> dq(nq), dk(nk), dv(nk), ds(np), dbias(bias.size(), 0.0f);
  attention_backward(dq.data(), dk.data(), dv.data(), dbias.data(), r.data(), probs.data(), q.data(), k.data(),
                     v.data(), s, drop, ds.data());
  test::expect_grad("dq", q, dq, loss, 1e-3f);
  test::expect_grad("dk", k, dk, loss, 1e-3f);
  test::expect_grad("dv", v, dv, loss, 1e-3f);
  test::expect_grad("dbias", bias, dbias, loss, 1e-3f);
  if (rate > 0) return;
  loss();  // the differences left the outputs of a perturbed input behind
  // Rate 0 is no dropout; the inference call (no probs kept, no scratch given) computes the same.
  std::vector<float> out2(nq), probs2(np), dq2(nq), dk2(nk), dv2(nk), dbias2(bias.size(), 0.0f);
  std::vector<float> out3(nq);
  attention_forward(out3.data(), nullptr, q.data(), k.data(), v.data(), bias.data(), mask.data(), s);
  attention_forward(out2.data(), probs2.data(), q.data(), k.data(), v.data(), bias.data(), mask.data(), s);
  attention_backward(dq2.data(), dk2.data(), dv2.data(), dbias2.data(), r.data(), probs2.data(), q.data(), k.data(),
                     v.data(), s);
  EXPECT_EQ(out, out2);
  EXPECT_EQ(out, out3);
  EXPECT_EQ(probs, probs2);
  EXPECT_EQ(dq, dq2);
  EXPECT_EQ(dk, dk2);
  EXPECT_EQ(dv, dv2);
  EXPECT_EQ(dbias, dbias2);
}

TEST(AttentionDropout, Gradients) { check(AttentionShape{2, 5, 6, 3, 4, 5 * 12, 6 * 12, false, 0}, 0.3f, true); }
TEST(AttentionDropout, CausalGradients) { check(AttentionShape{2, 6, 6, 2, 3, 6 * 6, 6 * 6, true, 0}, 0.25f, false); }
TEST(AttentionDropout, RateZeroIsNoDropout) { check(AttentionShape{3, 4, 7, 2, 5, 4 * 10, 7 * 10, false, 0}, 0.0f, true); }

}  // namespace
}  // namespace byt5

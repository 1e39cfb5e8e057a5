// The trainer's attention (dropout on the probabilities) against finite differences with dropout
// active (a fixed key makes it a deterministic function), and against ops/attention without it.
#include "../ops/grad_check.h"
#include "train/train_attention.h"

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
    attention_train_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), bias.data(), mask.data(), s, drop);
    return test::weighted_sum(out.data(), r);
  };
  loss();
  std::vector<float> dq(nq), dk(nk), dv(nk), ds(np), dbias(bias.size(), 0.0f);
  attention_train_backward(dq.data(), dk.data(), dv.data(), ds.data(), dbias.data(), r.data(), probs.data(), q.data(),
                           k.data(), v.data(), s, drop);
  test::expect_grad("dq", q, dq, loss, 1e-3f);
  test::expect_grad("dk", k, dk, loss, 1e-3f);
  test::expect_grad("dv", v, dv, loss, 1e-3f);
  test::expect_grad("dbias", bias, dbias, loss, 1e-3f);
  if (rate > 0) return;
  loss();  // the differences left the outputs of a perturbed input behind
  // Without dropout it is ops/attention, value and gradient.
  std::vector<float> out2(nq), probs2(np), dq2(nq), dk2(nk), dv2(nk), dbias2(bias.size(), 0.0f);
  attention_forward(out2.data(), probs2.data(), q.data(), k.data(), v.data(), bias.data(), mask.data(), s);
  attention_backward(dq2.data(), dk2.data(), dv2.data(), dbias2.data(), r.data(), probs2.data(), q.data(), k.data(),
                     v.data(), s);
  // The same sums in the same order; only the compiler's FMA contraction may differ.
  for (size_t i = 0; i < nq; ++i) EXPECT_NEAR(out[i], out2[i], 1e-6f);
  for (size_t i = 0; i < np; ++i) EXPECT_NEAR(probs[i], probs2[i], 1e-6f);
  for (size_t i = 0; i < nq; ++i) EXPECT_NEAR(dq[i], dq2[i], 1e-5f);
  for (size_t i = 0; i < nk; ++i) {
    EXPECT_NEAR(dk[i], dk2[i], 1e-5f);
    EXPECT_NEAR(dv[i], dv2[i], 1e-5f);
  }
  for (size_t i = 0; i < bias.size(); ++i) EXPECT_NEAR(dbias[i], dbias2[i], 1e-5f);
}

TEST(TrainAttention, GradientsWithDropout) { check(AttentionShape{2, 5, 6, 3, 4, 5 * 12, 6 * 12, false, 0}, 0.3f, true); }
TEST(TrainAttention, CausalGradientsWithDropout) { check(AttentionShape{2, 6, 6, 2, 3, 6 * 6, 6 * 6, true, 0}, 0.25f, false); }
TEST(TrainAttention, EqualsOpsAttentionWithoutDropout) { check(AttentionShape{3, 4, 7, 2, 5, 4 * 10, 7 * 10, false, 0}, 0.0f, true); }

}  // namespace
}  // namespace byt5

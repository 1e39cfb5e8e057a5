// The fused training activation computes what ops/ffn_act computes, value and gradient (the same
// expressions; only the compiler's FMA contraction may make the last bit differ).
#include "../ops/grad_check.h"
#include "ops/ffn_act.h"
#include "train/train_ffn_act.h"

namespace byt5 {
namespace {

void expect_close(const std::vector<float>& a, const std::vector<float>& b, const char* what, float tol = 1e-6f) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], tol * (1.0f + std::fabs(b[i]))) << what << " " << i;
}

TEST(TrainFfnAct, EqualsOpsFfnAct) {
  const long n = 3000;  // below the ops' parallel threshold: threads only add noise here
  // The float tanh of bf16 runs (fast) is a few ulps off the exact one: a looser bound.
  for (bool fast : {false, true})
    for (Activation act : {Activation::Relu, Activation::Gelu, Activation::GeluNew, Activation::Silu})
      for (bool gated : {true, false}) {
        const float tol = fast && act == Activation::GeluNew ? 1e-5f : 1e-6f;
        auto a = test::random_vec(n, 1, 3.0f), b = test::random_vec(n, 2), dg = test::random_vec(n, 3);
        const float* bp = gated ? b.data() : nullptr;
        std::vector<float> g1(n), g2(n), stash(n), da1(n), db1(n), da2(n), db2(n);
        ffn_act_forward(g1.data(), a.data(), bp, n, act);
        ffn_act_recompute(g2.data(), stash.data(), a.data(), bp, n, act, DropoutSpec{}, fast);
        expect_close(g2, g1, "g", tol);
        ffn_act_backward(da1.data(), gated ? db1.data() : nullptr, dg.data(), a.data(), bp, n, act);
        // In place, as the trainer calls it: da over the stash, db over dg.
        std::vector<float> dg2 = dg;
        ffn_act_backward_stashed(stash.data(), gated ? dg2.data() : nullptr, dg2.data(), a.data(), bp, stash.data(), n,
                                 act);
        if (act == Activation::GeluNew) {
          expect_close(stash, da1, "da", tol);
        } else {
          ffn_act_backward(da2.data(), gated ? db2.data() : nullptr, dg.data(), a.data(), bp, n, act);
          expect_close(da2, da1, "da");
          continue;
        }
        if (gated) {
          expect_close(dg2, db1, "db", tol);
        }
      }
}

TEST(TrainFfnAct, RecomputeAppliesTheDropoutMask) {
  const long n = 1000;
  auto a = test::random_vec(n, 4), b = test::random_vec(n, 5);
  std::vector<float> g(n), stash(n), ref(n);
  const DropoutSpec d{0.5f, 77};
  ffn_act_recompute(g.data(), stash.data(), a.data(), b.data(), n, Activation::GeluNew, d, /*fast_tanh=*/false);
  ffn_act_forward(ref.data(), a.data(), b.data(), n, Activation::GeluNew);
  dropout_forward(ref.data(), ref.data(), n, d);
  expect_close(g, ref, "g");
}

}  // namespace
}  // namespace byt5

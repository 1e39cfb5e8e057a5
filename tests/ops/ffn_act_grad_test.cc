// ffn_act_backward against finite differences for every activation, gated and not.
#include "grad_check.h"
#include "ops/ffn_act.h"

namespace byt5 {
namespace {

TEST(FfnActGrad, MatchesFiniteDifferences) {
  const long n = 64;
  for (Activation act : {Activation::Relu, Activation::Gelu, Activation::GeluNew, Activation::Silu})
    for (bool gated : {true, false}) {
      SCOPED_TRACE(static_cast<int>(act) * 2 + gated);
      auto a = test::random_vec(n, 1, 2.0f), b = test::random_vec(n, 2), r = test::random_vec(n, 3);
      for (auto& x : a)
        if (std::fabs(x) < 0.05f) x += 0.1f;  // keep ReLU's kink out of the differences
      std::vector<float> h(n), da(n), db(n);
      auto loss = [&] {
        ffn_act_forward(h.data(), a.data(), gated ? b.data() : nullptr, n, act);
        return test::weighted_sum(h.data(), r);
      };
      ffn_act_backward(da.data(), gated ? db.data() : nullptr, r.data(), a.data(), gated ? b.data() : nullptr, n, act);
      test::expect_grad("da", a, da, loss, 1e-3f);
      if (gated) test::expect_grad("db", b, db, loss, 1e-3f);
    }
}

}  // namespace
}  // namespace byt5

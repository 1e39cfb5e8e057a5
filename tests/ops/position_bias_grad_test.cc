// position_bias_backward against finite differences (the op is linear in the table).
#include "grad_check.h"
#include "ops/position_bias.h"

namespace byt5 {
namespace {

TEST(PositionBiasGrad, MatchesFiniteDifferences) {
  for (bool bidirectional : {true, false}) {
    const int H = 3, Tq = 9, Tk = 11, NB = 8, MD = 20;
    auto table = test::random_vec(NB * H, 1), r = test::random_vec(H * Tq * Tk, 2);
    std::vector<float> bias(H * Tq * Tk), dtable(NB * H, 0.0f);
    auto loss = [&] {
      position_bias_forward(bias.data(), table.data(), H, Tq, Tk, 2, bidirectional, NB, MD);
      return test::weighted_sum(bias.data(), r);
    };
    position_bias_backward(dtable.data(), r.data(), H, Tq, Tk, 2, bidirectional, NB, MD);
    test::expect_grad(bidirectional ? "bidirectional" : "causal", table, dtable, loss);
  }
}

}  // namespace
}  // namespace byt5

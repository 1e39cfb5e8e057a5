// cross_entropy_backward against finite differences, with ignored (-100) rows and a scale.
#include "grad_check.h"
#include "ops/cross_entropy.h"

namespace byt5 {
namespace {

TEST(CrossEntropyGrad, MatchesFiniteDifferences) {
  const int N = 5, V = 11;
  auto logits = test::random_vec(N * V, 1, 3.0f);
  std::vector<int> labels = {3, -100, 0, 10, 7};
  const float scale = 0.25f;
  std::vector<float> dlogits(N * V, 9.0f);
  auto loss = [&] { return scale * cross_entropy_forward(nullptr, logits.data(), labels.data(), N, V); };
  cross_entropy_backward(dlogits.data(), logits.data(), labels.data(), N, V, scale);
  test::expect_grad("dlogits", logits, dlogits, loss, 1e-3f);
  for (int v = 0; v < V; ++v) EXPECT_EQ(dlogits[1 * V + v], 0.0f);
}

TEST(CrossEntropyGrad, InPlaceEqualsOutOfPlace) {
  const int N = 3, V = 7;
  auto logits = test::random_vec(N * V, 2);
  std::vector<int> labels = {1, 6, -100};
  std::vector<float> out(N * V), inplace = logits;
  cross_entropy_backward(out.data(), logits.data(), labels.data(), N, V, 0.5f);
  cross_entropy_backward(inplace.data(), inplace.data(), labels.data(), N, V, 0.5f);
  EXPECT_EQ(out, inplace);
}

}  // namespace
}  // namespace byt5

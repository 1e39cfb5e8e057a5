// embedding_backward against finite differences, with repeated ids.
#include "grad_check.h"
#include "ops/embedding.h"

namespace byt5 {
namespace {

TEST(EmbeddingGrad, MatchesFiniteDifferences) {
  const int V = 6, C = 4, N = 5;
  std::vector<int> ids = {2, 0, 2, 5, 2};
  auto table = test::random_vec(V * C, 1), r = test::random_vec(N * C, 2);
  std::vector<float> out(N * C), dtable(V * C, 0.0f);
  auto loss = [&] {
    embedding_forward(out.data(), ids.data(), table.data(), N, C, V);
    return test::weighted_sum(out.data(), r);
  };
  embedding_backward(dtable.data(), r.data(), ids.data(), N, C);
  test::expect_grad("dtable", table, dtable, loss);
  for (int c = 0; c < C; ++c) EXPECT_EQ(dtable[1 * C + c], 0.0f);
}

}  // namespace
}  // namespace byt5

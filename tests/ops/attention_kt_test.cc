// attention_forward_kt (keys given transposed, as the decoder cache keeps them) against
// attention_forward on the same keys: bit for bit, with padding masks, position bias, causal
// offsets and a transposed store wider than the keys in use (a cache being filled).
#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "attention_inputs.h"
#include "ops/attention.h"

namespace byt5 {
namespace {

void check(const AttentionShape& s, int ld, bool with_bias, bool with_mask) {
  const int HD = s.H * s.D;
  const size_t nq = (size_t)s.B * s.q_bstride;
  const test::AttentionInputs in(s, with_mask);
  const auto &q = in.q, &k = in.k, &v = in.v, &bias = in.bias, &mask = in.mask;
  // kt (B, H, D, ld); the slots past Tk hold garbage that must not be read.
  std::vector<float> kt((size_t)s.B * HD * ld, NAN);
  for (int b = 0; b < s.B; ++b)
    for (int j = 0; j < s.Tk; ++j)
      for (int h = 0; h < s.H; ++h)
        for (int d = 0; d < s.D; ++d)
          kt[(((size_t)b * s.H + h) * s.D + d) * ld + j] = k[b * s.kv_bstride + (size_t)j * HD + h * s.D + d];
  std::vector<float> want(nq, 0.0f), got(nq, 0.0f);
  const float* bp = with_bias ? bias.data() : nullptr;
  const float* mp = with_mask ? mask.data() : nullptr;
  attention_forward(want.data(), nullptr, q.data(), k.data(), v.data(), bp, mp, s);
  attention_forward_kt(got.data(), q.data(), kt.data(), ld, v.data(), bp, mp, s);
  for (int b = 0; b < s.B; ++b)
    for (int i = 0; i < s.Tq * HD; ++i) {
      const size_t at = b * s.q_bstride + i;
      ASSERT_TRUE(std::isfinite(got[at])) << at;
      ASSERT_EQ(got[at], want[at]) << "b " << b << " element " << i;
    }
}

TEST(AttentionKt, CrossAttentionWithPaddingMatchesBitForBit) {
  check(AttentionShape{3, 1, 9, 2, 8, 16, 9 * 16, false, 0}, 9, false, true);
}

TEST(AttentionKt, CausalCacheWithOffsetMatchesBitForBit) {
  // Two new queries at positions 5 and 6 over a cache of 12 slots, 7 of them filled.
  check(AttentionShape{2, 2, 7, 3, 5, 2 * 15, 12 * 15, true, 5}, 12, true, false);
}

TEST(AttentionKt, ManyHeadsParallelPathMatchesBitForBit) {
  // Enough work to take the OpenMP path (B*H*Tq*Tk*D >= 2^18).
  check(AttentionShape{16, 1, 51, 6, 64, 384, 51 * 384, false, 0}, 60, false, true);
}

TEST(AttentionKt, StoreKeysTransposedAppendsInTheCacheLayout) {
  // Keys for positions 0..2 then 3..4 of a 7-slot store, as a decoder cache appends them: each
  // element lands at ((b * H + h) * D + d) * ld + position; the unused slots stay untouched.
  const int B = 2, H = 3, D = 2, ld = 7, HD = H * D;
  auto key = [](int b, int j, int h, int d) { return float(1000 * b + 100 * j + 10 * h + d); };
  std::vector<float> kt((size_t)B * HD * ld, NAN);
  for (const auto& [pos0, T] : {std::pair{0, 3}, std::pair{3, 2}}) {
    std::vector<float> k((size_t)B * T * HD);
    for (int b = 0; b < B; ++b)
      for (int i = 0; i < T; ++i)
        for (int h = 0; h < H; ++h)
          for (int d = 0; d < D; ++d) k[((size_t)b * T + i) * HD + h * D + d] = key(b, pos0 + i, h, d);
    store_keys_transposed(kt.data(), ld, pos0, k.data(), B, T, H, D);
  }
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h)
      for (int d = 0; d < D; ++d)
        for (int j = 0; j < ld; ++j) {
          const float got = kt[(((size_t)b * H + h) * D + d) * ld + j];
          if (j < 5)
            EXPECT_EQ(got, key(b, j, h, d)) << b << " " << h << " " << d << " " << j;
          else
            EXPECT_TRUE(std::isnan(got)) << "slot " << j << " was written";
        }
}

TEST(AttentionKt, OneKeyGivesItsValue) {
  // Hand-checked: with a single visible key the output is that key's value, whatever q is.
  const AttentionShape s{1, 1, 1, 1, 2, 2, 2, false, 0};
  const float q[2] = {3.0f, -1.0f}, kt[2] = {0.5f, 2.0f}, v[2] = {7.0f, -4.0f};
  float out[2] = {0, 0};
  attention_forward_kt(out, q, kt, 1, v, nullptr, nullptr, s);
  EXPECT_EQ(out[0], 7.0f);
  EXPECT_EQ(out[1], -4.0f);
}

}  // namespace
}  // namespace byt5

#include "decode/greedy.h"

#include <algorithm>

#include "backends/cpu/small_m_gemm.h"
#include "core/error.h"

namespace byt5 {

int pad_batch(const std::vector<std::vector<int>>& seqs, int pad_id, std::vector<int>& ids, std::vector<float>& mask) {
  size_t T = 0;
  for (const auto& s : seqs) T = std::max(T, s.size());
  ids.assign(seqs.size() * T, pad_id);
  mask.assign(seqs.size() * T, 0.0f);
  for (size_t b = 0; b < seqs.size(); ++b)
    for (size_t t = 0; t < seqs[b].size(); ++t) {
      ids[b * T + t] = seqs[b][t];
      mask[b * T + t] = 1.0f;
    }
  return static_cast<int>(T);
}

std::vector<std::vector<int>> greedy_decode(T5Model& model, const std::vector<std::vector<int>>& inputs,
                                            int max_new_tokens, const std::vector<int>* row_limits,
                                            const std::vector<TokenConstraint*>* constraints) {
  const auto& c = model.config();
  const int B = static_cast<int>(inputs.size());
  std::vector<std::vector<int>> out(B);
  if (B == 0 || max_new_tokens <= 0) return out;
  for (const auto& in : inputs)
    if (in.empty()) throw Error("greedy_decode: an input has no tokens (encode() always appends EOS)");
  std::vector<int> ids;
  std::vector<float> mask;
  const int Te = pad_batch(inputs, c.pad_token_id, ids, mask);
  AlignedBuffer<float> enc((size_t)B * Te * c.d_model);
  model.encode(enc.data(), ids.data(), mask.data(), B, Te);
  DecoderCache cache = model.start_decoding(enc.data(), mask.data(), B, Te, max_new_tokens);
  std::vector<int> cur(B, c.decoder_start_token_id);
  std::vector<char> done(B, 0);
  std::vector<int> limit(B, max_new_tokens);
  if (row_limits) {
    if (row_limits->size() != inputs.size()) throw Error("greedy_decode: one row limit per input expected");
    for (int b = 0; b < B; ++b) limit[b] = std::min(max_new_tokens, (*row_limits)[b]);
  }
  if (constraints && constraints->size() != inputs.size())
    throw Error("greedy_decode: one constraint slot per input expected");
  AlignedBuffer<float> logits((size_t)B * c.vocab_size);
  int remaining = B;
  for (int b = 0; b < B; ++b)
    if (limit[b] <= 0) done[b] = 1, --remaining;
  for (int step = 0; step < max_new_tokens && remaining > 0; ++step) {
    model.decode_step(cache, cur.data(), logits.data());
    for (int b = 0; b < B; ++b) {
      if (done[b]) {
        cur[b] = c.pad_token_id;  // finished rows are fed padding, as Hugging Face does
        continue;
      }
      TokenConstraint* rule = constraints ? (*constraints)[b] : nullptr;
      const int best = pick_token(logits.data() + (size_t)b * c.vocab_size, c.vocab_size, rule);
      if (rule) rule->advance(best);
      out[b].push_back(best);
      cur[b] = best;
      if (best == c.eos_token_id || static_cast<int>(out[b].size()) >= limit[b]) {
        done[b] = 1;
        --remaining;
      }
    }
  }
  return out;
}

std::vector<int> greedy_decode_drafted(T5Model& model, const std::vector<int>& input, int max_new_tokens,
                                       const Drafter& drafter, int max_draft, TokenConstraint* constraint) {
  const auto& c = model.config();
  std::vector<int> out;
  if (max_new_tokens <= 0) return out;
  if (input.empty()) throw Error("greedy_decode: an input has no tokens (encode() always appends EOS)");
  // At most kSmallM rows per pass, as drafting was tuned (every pass is exact whatever its size).
  max_draft = std::clamp(max_draft, 0, kSmallM - 1);
  const int Te = static_cast<int>(input.size()), V = c.vocab_size;
  AlignedBuffer<float> enc((size_t)Te * c.d_model), logits((size_t)(max_draft + 1) * V);
  model.encode(enc.data(), input.data(), nullptr, 1, Te);
  DecoderCache cache = model.start_decoding(enc.data(), nullptr, 1, Te, max_new_tokens);
  std::vector<int> feed;
  int cur = c.decoder_start_token_id;
  while (static_cast<int>(out.size()) < max_new_tokens) {
    const int room = max_new_tokens - static_cast<int>(out.size()) - 1;
    std::vector<int> draft = drafter ? drafter(out, std::min(max_draft, room)) : std::vector<int>{};
    if (static_cast<int>(draft.size()) > std::min(max_draft, room)) draft.resize(std::min(max_draft, room));
    feed.assign(1, cur);
    feed.insert(feed.end(), draft.begin(), draft.end());
    const int t0 = cache.len;
    model.decode_tokens(cache, feed.data(), static_cast<int>(feed.size()), logits.data());
    size_t used = 0;
    bool eos = false;
    for (size_t i = 0; i < feed.size(); ++i) {
      const int g = pick_token(logits.data() + i * V, V, constraint);
      if (constraint) constraint->advance(g);
      out.push_back(g);
      used = i + 1;
      cur = g;
      if (g == c.eos_token_id) { eos = true; break; }
      if (i >= draft.size() || g != draft[i]) break;
    }
    cache.len = t0 + static_cast<int>(used);  // positions fed after the first disagreement are discarded
    if (eos) break;
  }
  return out;
}

Drafter copy_drafter(const std::vector<int>& source, int eos_id) {
  return [source, eos_id](const std::vector<int>& gen, int max) {
    std::vector<int> draft;
    if (gen.empty() || max <= 0) return draft;
    const int S = static_cast<int>(source.size()), G = static_cast<int>(gen.size());
    for (int L = std::min(8, G); L >= 1 && draft.empty(); --L) {
      // Rightmost occurrence of the last L generated tokens in the source; EOS is never drafted.
      for (int p = S - L; p >= 0; --p) {
        if (!std::equal(gen.end() - L, gen.end(), source.begin() + p)) continue;
        for (int q = p + L; q < S && (int)draft.size() < max && source[q] != eos_id; ++q)
          draft.push_back(source[q]);
        if (!draft.empty()) break;
      }
    }
    return draft;
  };
}

}  // namespace byt5

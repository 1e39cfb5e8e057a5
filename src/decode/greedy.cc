#include "decode/greedy.h"

#include <algorithm>

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
                                            int max_new_tokens) {
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
  AlignedBuffer<float> logits((size_t)B * c.vocab_size);
  int remaining = B;
  for (int step = 0; step < max_new_tokens && remaining > 0; ++step) {
    model.decode_step(cache, cur.data(), logits.data());
    for (int b = 0; b < B; ++b) {
      if (done[b]) {
        cur[b] = c.pad_token_id;  // finished rows are fed padding, as Hugging Face does
        continue;
      }
      const float* row = logits.data() + (size_t)b * c.vocab_size;
      int best = static_cast<int>(std::max_element(row, row + c.vocab_size) - row);
      out[b].push_back(best);
      cur[b] = best;
      if (best == c.eos_token_id) {
        done[b] = 1;
        --remaining;
      }
    }
  }
  return out;
}

}  // namespace byt5

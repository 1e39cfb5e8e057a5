#include "decode/beam.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include "core/error.h"
#include "ops/cross_entropy.h"

namespace byt5 {
namespace {

struct Beam {
  std::vector<int> ids;
  float logprob = 0;
  std::unique_ptr<TokenConstraint> rule;
};

struct Candidate {
  float logprob;
  int beam, token;
};

// The finished hypotheses: the num_beams best by length-normalised score (HF's BeamHypotheses).
class Finished {
 public:
  Finished(size_t capacity, float length_penalty) : capacity_(capacity), lp_(length_penalty) {}

  // `length` counts the start token and the generated tokens, not a final EOS.
  void add(std::vector<int> ids, float logprob, size_t length) {
    const float score = logprob / std::pow(static_cast<float>(length), lp_);
    if (hyps_.size() >= capacity_ && score <= worst()) return;
    hyps_.push_back({std::move(ids), score, logprob});
    if (hyps_.size() > capacity_)
      hyps_.erase(std::min_element(hyps_.begin(), hyps_.end(), [](auto& a, auto& b) { return a.score < b.score; }));
  }
  // Whether no running beam can still enter: full, and the best running sum scored at the
  // current length is no better than the worst kept (HF's is_done with early_stopping off).
  bool closed(float best_running_logprob, size_t cur_len) const {
    return hyps_.size() >= capacity_ &&
           worst() >= best_running_logprob / std::pow(static_cast<float>(cur_len), lp_);
  }
  bool empty() const { return hyps_.empty(); }
  BeamResult best() const {
    const BeamResult* b = nullptr;
    for (const auto& h : hyps_)
      if (!b || h.score >= b->score) b = &h;  // ties go to the later hypothesis, as HF's sort does
    return *b;
  }

 private:
  float worst() const {
    float w = std::numeric_limits<float>::infinity();
    for (const auto& h : hyps_) w = std::min(w, h.score);
    return w;
  }
  size_t capacity_;
  float lp_;
  std::vector<BeamResult> hyps_;
};

void log_softmax(const float* x, int V, float* out) {
  const float lse = row_logsumexp(x, V);
  for (int t = 0; t < V; ++t) out[t] = x[t] - lse;
}

class ModelStepper final : public BeamStepper {
 public:
  ModelStepper(T5Model& model, DecoderCache cache) : model_(model), cache_(std::move(cache)) {}
  int vocab_size() const override { return model_.config().vocab_size; }
  void step(const std::vector<int>& parents, const std::vector<int>& tokens, float* logits) override {
    reorder_cache_rows(cache_, parents);
    model_.decode_step(cache_, tokens.data(), logits);
  }

 private:
  T5Model& model_;
  DecoderCache cache_;
};

}  // namespace

BeamResult beam_search(BeamStepper& stepper, int num_beams, int max_new_tokens, int start_id, int eos_id,
                       const TokenConstraint* constraint, float length_penalty) {
  if (num_beams < 1) throw Error("beam search needs at least one beam (got " + std::to_string(num_beams) + ")");
  if (max_new_tokens <= 0) return {};
  const size_t K = static_cast<size_t>(num_beams);
  const int V = stepper.vocab_size();
  std::vector<Beam> beams(1);
  if (constraint) beams[0].rule = constraint->clone();
  std::vector<int> parents(K, 0), tokens(K, start_id);
  std::vector<float> logits(K * V), logp(V);
  std::vector<int> order(V);
  std::vector<Candidate> cands;
  Finished finished(K, length_penalty);
  bool closed = false;
  for (int step = 0; step < max_new_tokens && !closed; ++step) {
    stepper.step(parents, tokens, logits.data());
    // Each live beam's 2K best continuations (no beam can place more in the overall 2K best); a
    // rule's refused tokens are passed over (unless it refuses everything: then, as in greedy
    // decoding, the rule switches off).
    cands.clear();
    for (size_t b = 0; b < beams.size(); ++b) {
      log_softmax(logits.data() + b * V, V, logp.data());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return logp[x] > logp[y]; });
      const TokenConstraint* rule = beams[b].rule.get();
      const size_t first = cands.size();
      for (int i = 0; i < V && cands.size() - first < 2 * K; ++i)
        if (!rule || rule->allows(order[i]))
          cands.push_back({beams[b].logprob + logp[order[i]], static_cast<int>(b), order[i]});
      for (int i = 0; cands.size() == first && i < V && i < static_cast<int>(2 * K); ++i)
        cands.push_back({beams[b].logprob + logp[order[i]], static_cast<int>(b), order[i]});
    }
    // The 2K best (ties: lower beam, then lower token, like a top-k over the flattened scores).
    const size_t top = std::min(cands.size(), 2 * K);
    std::partial_sort(cands.begin(), cands.begin() + top, cands.end(), [](const Candidate& a, const Candidate& b) {
      if (a.logprob != b.logprob) return a.logprob > b.logprob;
      return a.beam != b.beam ? a.beam < b.beam : a.token < b.token;
    });
    std::vector<Beam> next;
    for (size_t rank = 0; rank < top && next.size() < K; ++rank) {
      const Candidate& c = cands[rank];
      const Beam& from = beams[c.beam];
      if (c.token == eos_id) {
        // An EOS outside the top K would end a beam that is not among the best: HF skips it.
        if (rank >= K) continue;
        std::vector<int> ids = from.ids;
        ids.push_back(eos_id);
        finished.add(std::move(ids), c.logprob, from.ids.size() + 1);
        continue;
      }
      Beam nb;
      nb.ids = from.ids;
      nb.ids.push_back(c.token);
      nb.logprob = c.logprob;
      if (from.rule) {
        nb.rule = from.rule->clone();
        nb.rule->advance(c.token);
      }
      parents[next.size()] = c.beam;
      tokens[next.size()] = c.token;
      next.push_back(std::move(nb));
    }
    closed = next.empty() || (top > 0 && finished.closed(cands[0].logprob, static_cast<size_t>(step) + 1));
    // Rows beyond the live beams (fewer continuations than beams) repeat the first one; unused.
    for (size_t r = next.size(); r < K; ++r) parents[r] = parents[0], tokens[r] = tokens[0];
    beams = std::move(next);
  }
  // At the length limit the running beams compete too, without an EOS.
  if (!closed)
    for (auto& b : beams) finished.add(b.ids, b.logprob, b.ids.size() + 1);
  return finished.empty() ? BeamResult{} : finished.best();
}

BeamResult beam_decode(T5Model& model, const std::vector<int>& input, int num_beams, int max_new_tokens,
                       const TokenConstraint* constraint, float length_penalty) {
  const auto& c = model.config();
  if (input.empty()) throw Error("beam_decode: the input has no tokens (encode() always appends EOS)");
  if (num_beams < 1) throw Error("beam search needs at least one beam (got " + std::to_string(num_beams) + ")");
  if (max_new_tokens <= 0) return {};
  const int Te = static_cast<int>(input.size()), C = c.d_model;
  AlignedBuffer<float> enc((size_t)Te * C), rows((size_t)num_beams * Te * C);
  model.encode(enc.data(), input.data(), nullptr, 1, Te);
  for (int k = 0; k < num_beams; ++k) std::copy(enc.data(), enc.data() + (size_t)Te * C, rows.data() + (size_t)k * Te * C);
  ModelStepper stepper(model, model.start_decoding(rows.data(), nullptr, num_beams, Te, max_new_tokens));
  return beam_search(stepper, num_beams, max_new_tokens, c.decoder_start_token_id, c.eos_token_id, constraint,
                     length_penalty);
}

}  // namespace byt5

#include "train/train_data.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "core/error.h"
#include "train/rng.h"

namespace byt5 {

TrainSet tokenize_rows(const std::vector<data::Example>& examples, const Tokenizer& tok) {
  TrainSet set;
  set.rows.reserve(examples.size());
  for (const auto& e : examples) {
    TrainRow r{tok.encode(e.utterance), tok.encode(e.parse), e.parse};
    set.max_source = std::max(set.max_source, static_cast<int>(r.source.size()));
    set.max_target = std::max(set.max_target, static_cast<int>(r.target.size()));
    set.rows.push_back(std::move(r));
  }
  return set;
}

std::vector<data::Example> keep_spread(std::vector<data::Example> rows, size_t n) {
  const size_t size = rows.size();
  if (n >= size) return rows;
  std::vector<data::Example> kept;
  kept.reserve(n);
  for (size_t i = 0; i < n; ++i) kept.push_back(std::move(rows[i * size / n]));
  return kept;
}

std::vector<std::string> collect_label_tokens(const std::vector<data::Example>& examples) {
  std::set<std::string> labels;
  for (const auto& e : examples) {
    const std::string& s = e.parse;
    for (size_t i = s.find('['); i != std::string::npos; i = s.find('[', i + 1)) {
      if (s.compare(i + 1, 3, "IN:") != 0 && s.compare(i + 1, 3, "SL:") != 0) continue;
      size_t end = i + 4;
      while (end < s.size() && s[end] != ' ' && s[end] != '\t' && s[end] != '[' && s[end] != ']') ++end;
      if (end > i + 4) labels.insert(s.substr(i, end - i));
    }
  }
  return {labels.begin(), labels.end()};
}

MicroBatchOrder::MicroBatchOrder(const TrainSet& set, int batch_size, bool shuffle, uint64_t seed)
    : set_(set), batch_size_(batch_size), shuffle_(shuffle), seed_(seed) {
  if (set.rows.empty()) throw Error("the training data has no rows");
  if (batch_size <= 0) throw Error("--batch-size must be positive");
  const int64_t n = static_cast<int64_t>(set.rows.size());
  per_epoch_ = (n + batch_size - 1) / batch_size;
}

// Shuffle the rows, cut them into windows of 64 micro-batches, sort each window by target length
// (then source length; longest first; the decoder does most of the work) and cut it into
// micro-batches, then shuffle the micro-batches: similar lengths share a micro-batch while the
// visiting order stays random.
void MicroBatchOrder::build_epoch(int64_t e) {
  const int n = static_cast<int>(set_.rows.size());
  Rng rng(derive_key(seed_, static_cast<uint64_t>(e)));
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(static_cast<uint64_t>(i) + 1)]);
  const int window = batch_size_ * 64;
  order_.clear();
  for (int w = 0; w < n; w += window) {
    auto first = perm.begin() + w, last = perm.begin() + std::min(n, w + window);
    std::stable_sort(first, last, [&](int a, int b) {
      const auto& ra = set_.rows[a];
      const auto& rb = set_.rows[b];
      if (ra.target.size() != rb.target.size()) return ra.target.size() > rb.target.size();
      return ra.source.size() > rb.source.size();
    });
    for (auto it = first; it < last; it += std::min<std::ptrdiff_t>(batch_size_, last - it))
      order_.emplace_back(it, std::min(last, it + batch_size_));
  }
  for (size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[rng.below(i + 1)]);
  epoch_ = e;
}

std::vector<int> MicroBatchOrder::rows(int64_t m) {
  const int64_t n = static_cast<int64_t>(set_.rows.size());
  if (!shuffle_) {
    std::vector<int> out(batch_size_);
    for (int j = 0; j < batch_size_; ++j) out[j] = static_cast<int>((m * batch_size_ + j) % n);
    return out;
  }
  const int64_t e = m / per_epoch_;
  if (e != epoch_) build_epoch(e);
  return order_[static_cast<size_t>(m % per_epoch_)];
}

}  // namespace byt5

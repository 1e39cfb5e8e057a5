// Training data: TOPv2 rows tokenized once, the intent/slot label tokens they use, and the order
// in which micro-batches visit them (file order with --no-shuffle; otherwise a per-epoch
// permutation from the seed with length bucketing, so that padding stays small).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/topv2.h"
#include "io/tokenizer.h"

namespace byt5 {

struct TrainRow {
  std::vector<int> source;  // utterance ids + EOS
  std::vector<int> target;  // parse ids + EOS
  std::string gold;         // the parse as written in the file
};

struct TrainSet {
  std::vector<TrainRow> rows;
  int max_source = 0, max_target = 0;  // in tokens, EOS included
};

TrainSet tokenize_rows(const std::vector<data::Example>& examples, const Tokenizer& tok);

// Keeps n rows spread evenly over `rows` (row floor(i * size / n) for i < n, in order), so that a
// limited eval covers every domain of a file sorted by domain; n >= size keeps everything. Done
// before tokenizing, so that only the kept rows are encoded and size the eval buffers.
std::vector<data::Example> keep_spread(std::vector<data::Example> rows, size_t n);

// Every "[IN:NAME" / "[SL:NAME" opening bracket text in the parses, sorted and unique.
std::vector<std::string> collect_label_tokens(const std::vector<data::Example>& examples);

// Which rows micro-batch m (0-based over the whole run) holds.
class MicroBatchOrder {
 public:
  MicroBatchOrder(const TrainSet& set, int batch_size, bool shuffle, uint64_t seed);
  // --no-shuffle: rows (m * batch_size + j) mod num_rows, j < batch_size (as the reference
  // trajectories). Shuffled: epoch e = m / per_epoch() visits every row once, in micro-batches of
  // similar length (the last one of an epoch may be smaller).
  std::vector<int> rows(int64_t m);
  int64_t per_epoch() const { return per_epoch_; }

 private:
  void build_epoch(int64_t e);

  const TrainSet& set_;
  int batch_size_;
  bool shuffle_;
  uint64_t seed_;
  int64_t per_epoch_ = 0;
  int64_t epoch_ = -1;                      // epoch cached in order_
  std::vector<std::vector<int>> order_;     // micro-batches of the cached epoch
};

}  // namespace byt5

// Scores for predicted TOP parses against gold ones, per row and summed per domain. Every metric
// is defined, with its source, in docs/METRICS.md; in short:
//   exact_match            prediction == gold, byte for byte (the model card's metric)
//   exact_match_ws         equal after collapsing whitespace runs and trimming
//   tree_validity          prediction parses as a valid TOP tree
//   top_intent_accuracy    valid, and the root intent's label equals gold's
//   bracket_precision/recall/f1  labeled brackets (label, token span), TOP's evaluate.py,
//                          micro-averaged; an invalid prediction contributes no brackets
//   frame_accuracy         pytext's frame equality (label, span, set of children)
//   exact_match_canonical  TOPv2 paper's canonical form equal (lowercase, leaf-slot tokens only,
//                          siblings sorted)
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "top/tree.h"

namespace byt5::top {

struct RowScore {
  bool exact_match = false;
  bool exact_match_ws = false;
  bool valid = false;
  bool top_intent = false;
  bool frame = false;
  bool exact_match_canonical = false;
  size_t brackets_matched = 0;
  size_t brackets_predicted = 0;
  size_t brackets_gold = 0;
};

// `gold_tree` is parse_tree(gold); the caller checks gold is valid (data errors name file:line).
RowScore score_row(const Node& gold_tree, std::string_view gold, std::string_view prediction);

// Whitespace runs to one space, ends trimmed.
std::string collapse_whitespace(std::string_view s);

struct MetricTotals {
  size_t rows = 0;
  size_t exact_match = 0;
  size_t exact_match_ws = 0;
  size_t valid = 0;
  size_t top_intent = 0;
  size_t frame = 0;
  size_t exact_match_canonical = 0;
  size_t brackets_matched = 0;
  size_t brackets_predicted = 0;
  size_t brackets_gold = 0;

  void add(const RowScore& r);
  void add(const MetricTotals& t);

  // Fractions in [0, 1]; 0 when there is nothing to divide by.
  double rate(size_t count) const;
  double bracket_precision() const;
  double bracket_recall() const;
  double bracket_f1() const;

  // {"rows", "exact_match", ..., "bracket_f1", ..., "counts": {...}}
  nlohmann::json to_json() const;
};

class Scoreboard {
 public:
  void add(const std::string& domain, const RowScore& r);
  const MetricTotals& overall() const { return overall_; }
  const std::map<std::string, MetricTotals>& domains() const { return domains_; }
  // {"overall": {...}, "domains": {NAME: {...}}}
  nlohmann::json to_json() const;

 private:
  MetricTotals overall_;
  std::map<std::string, MetricTotals> domains_;  // alphabetical, as the table prints them
};

}  // namespace byt5::top

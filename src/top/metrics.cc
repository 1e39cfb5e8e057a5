#include "top/metrics.h"

#include "top/brackets.h"
#include "top/canonical.h"
#include "top/frame.h"

namespace byt5::top {

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (is_space(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

RowScore score_row(const Node& gold_tree, std::string_view gold, std::string_view prediction) {
  RowScore r;
  r.exact_match = prediction == gold;
  r.exact_match_ws = collapse_whitespace(prediction) == collapse_whitespace(gold);
  std::vector<Bracket> gold_brackets = labeled_brackets(gold_tree);
  r.brackets_gold = gold_brackets.size();
  ParseResult pred = parse_tree(prediction);
  if (!pred.ok()) return r;
  const Node& p = *pred.root;
  r.valid = true;
  r.top_intent = p.label == gold_tree.label;
  std::vector<Bracket> pred_brackets = labeled_brackets(p);
  r.brackets_predicted = pred_brackets.size();
  r.brackets_matched = matching_brackets(pred_brackets, gold_brackets);
  r.frame = frame_key(p) == frame_key(gold_tree);
  r.exact_match_canonical = topv2_canonical(p) == topv2_canonical(gold_tree);
  return r;
}

void MetricTotals::add(const RowScore& r) {
  ++rows;
  exact_match += r.exact_match;
  exact_match_ws += r.exact_match_ws;
  valid += r.valid;
  top_intent += r.top_intent;
  frame += r.frame;
  exact_match_canonical += r.exact_match_canonical;
  brackets_matched += r.brackets_matched;
  brackets_predicted += r.brackets_predicted;
  brackets_gold += r.brackets_gold;
}

void MetricTotals::add(const MetricTotals& t) {
  rows += t.rows;
  exact_match += t.exact_match;
  exact_match_ws += t.exact_match_ws;
  valid += t.valid;
  top_intent += t.top_intent;
  frame += t.frame;
  exact_match_canonical += t.exact_match_canonical;
  brackets_matched += t.brackets_matched;
  brackets_predicted += t.brackets_predicted;
  brackets_gold += t.brackets_gold;
}

double MetricTotals::rate(size_t count) const {
  return rows ? static_cast<double>(count) / static_cast<double>(rows) : 0.0;
}

double MetricTotals::bracket_precision() const {
  return brackets_predicted
             ? static_cast<double>(brackets_matched) / static_cast<double>(brackets_predicted)
             : 0.0;
}

double MetricTotals::bracket_recall() const {
  return brackets_gold ? static_cast<double>(brackets_matched) / static_cast<double>(brackets_gold)
                       : 0.0;
}

double MetricTotals::bracket_f1() const {
  double p = bracket_precision(), r = bracket_recall();
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

nlohmann::json MetricTotals::to_json() const {
  nlohmann::json j;
  j["rows"] = rows;
  j["exact_match"] = rate(exact_match);
  j["exact_match_ws"] = rate(exact_match_ws);
  j["tree_validity"] = rate(valid);
  j["top_intent_accuracy"] = rate(top_intent);
  j["bracket_precision"] = bracket_precision();
  j["bracket_recall"] = bracket_recall();
  j["bracket_f1"] = bracket_f1();
  j["frame_accuracy"] = rate(frame);
  j["exact_match_canonical"] = rate(exact_match_canonical);
  j["counts"] = {{"exact_match", exact_match},
                 {"exact_match_ws", exact_match_ws},
                 {"valid", valid},
                 {"top_intent", top_intent},
                 {"frame", frame},
                 {"exact_match_canonical", exact_match_canonical},
                 {"brackets_matched", brackets_matched},
                 {"brackets_predicted", brackets_predicted},
                 {"brackets_gold", brackets_gold}};
  return j;
}

void Scoreboard::add(const std::string& domain, const RowScore& r) {
  overall_.add(r);
  domains_[domain].add(r);
}

nlohmann::json Scoreboard::to_json() const {
  nlohmann::json j;
  j["overall"] = overall_.to_json();
  j["domains"] = nlohmann::json::object();
  for (const auto& [name, t] : domains_) j["domains"][name] = t.to_json();
  return j;
}

}  // namespace byt5::top

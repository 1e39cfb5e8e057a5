// The label inventory: which intents and slots the training data uses, overall and per domain.
// It is derived from training data, saved next to a model as labels.json, and read back for
// constrained decoding (only emit labels the model was trained on).
//
// labels.json:
//   {"format": "byt5-top-labels", "version": 1,
//    "intents": ["IN:CREATE_ALARM", ...], "slots": ["SL:DATE_TIME", ...],
//    "domains": {"alarm": {"intents": [...], "slots": [...]}, ...},
//    "roots": ["IN:CREATE_ALARM", ...], "children": {"IN:CREATE_ALARM": ["SL:DATE_TIME", ...], ...},
//    "max_depth": 8, "max_empty_nodes": 1}
// "roots", "children" and the two limits (optional; older files lack them) are the grammar of
// the data: which intents head a parse, which labels appear directly under each label, the
// deepest nesting, and the most nodes without words or children ("[SL:X ]") in one parse.
// Labels keep their "IN:"/"SL:" prefix (the text a decoder emits after '['); lists are sorted.
#pragma once
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/topv2.h"
#include "top/tree.h"

namespace byt5::top {

class LabelInventory {
 public:
  struct Labels {
    std::set<std::string> intents;
    std::set<std::string> slots;
  };

  // Adds every intent and slot of `tree` under `domain`.
  void add(const std::string& domain, const Node& tree);

  // From training rows; an invalid gold parse is an error naming its file:line.
  static LabelInventory from_examples(const std::vector<data::Example>& rows);

  const Labels& all() const { return all_; }
  const std::map<std::string, Labels>& domains() const { return domains_; }
  bool contains(std::string_view label) const;  // "IN:X" or "SL:Y"

  // The grammar; has_grammar() is false for a file without it (then roots/children are empty).
  bool has_grammar() const { return has_grammar_; }
  const std::set<std::string>& roots() const { return roots_; }
  const std::map<std::string, std::set<std::string>>& children() const { return children_; }
  int max_depth() const { return max_depth_; }
  int max_empty_nodes() const { return max_empty_; }

  nlohmann::json to_json() const;
  // Throws byt5::Error naming `source` when the JSON is not a label inventory.
  static LabelInventory from_json(const nlohmann::json& j, const std::string& source = "labels.json");
  void save(const std::filesystem::path& file) const;
  static LabelInventory load(const std::filesystem::path& file);

 private:
  Labels all_;
  std::map<std::string, Labels> domains_;
  bool has_grammar_ = false;
  std::set<std::string> roots_;
  std::map<std::string, std::set<std::string>> children_;
  int max_depth_ = 0, max_empty_ = 0;
};

}  // namespace byt5::top

#include "top/labels.h"

#include <algorithm>
#include <fstream>

#include "core/error.h"

namespace byt5::top {
namespace {

constexpr const char* kFormat = "byt5-top-labels";

struct Shape {
  int depth = 0, empty = 0;
};

// Adds n's labels and label pairs; returns its depth and number of empty nodes.
Shape collect(const Node& n, LabelInventory::Labels& a, LabelInventory::Labels& b,
              std::map<std::string, std::set<std::string>>& children) {
  Shape s;
  if (n.is_token()) return s;
  (n.is_intent() ? a.intents : a.slots).insert(n.label);
  (n.is_intent() ? b.intents : b.slots).insert(n.label);
  for (const Node& c : n.children) {
    if (c.is_token()) continue;
    children[n.label].insert(c.label);
    const Shape k = collect(c, a, b, children);
    s.depth = std::max(s.depth, k.depth);
    s.empty += k.empty;
  }
  s.depth += 1;
  if (n.children.empty()) s.empty += 1;
  return s;
}

int read_limit(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw Error(where + ": the grammar lacks \"" + key + "\"");
  if (!j[key].is_number_integer() || j[key].get<int64_t>() < 0 || j[key].get<int64_t>() > 1000000)
    throw Error(where + ": \"" + key + "\" must be a non-negative integer");
  return j[key].get<int>();
}

// Reads {"LABEL": ["LABEL", ...], ...}: every label valid.
std::map<std::string, std::set<std::string>> read_children(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": \"children\" must be an object of label lists");
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [parent, list] : j.items()) {
    if (!is_valid_label(parent)) throw Error(where + ": \"children\" has the key '" + parent + "', not a label");
    if (!list.is_array()) throw Error(where + ": \"children\" of " + parent + " must be a list");
    for (const nlohmann::json& v : list) {
      if (!v.is_string() || !is_valid_label(v.get<std::string>()))
        throw Error(where + ": \"children\" of " + parent + " holds something that is not a label");
      out[parent].insert(v.get<std::string>());
    }
  }
  return out;
}

nlohmann::json to_json(const LabelInventory::Labels& l) {
  return {{"intents", l.intents}, {"slots", l.slots}};
}

// Reads a list of labels that must all start with `prefix` and be valid TOP labels.
std::set<std::string> read_list(const nlohmann::json& j, const char* key, std::string_view prefix,
                                const std::string& where) {
  if (!j.contains(key) || !j[key].is_array())
    throw Error(where + ": missing the list \"" + key + "\"");
  std::set<std::string> out;
  for (const nlohmann::json& v : j[key]) {
    if (!v.is_string()) throw Error(where + ": \"" + key + "\" holds a non-string");
    std::string s = v.get<std::string>();
    if (!s.starts_with(prefix) || !is_valid_label(s)) throw Error(where + ": \"" + key + "\" holds '" + s + "', not a " + std::string(prefix) + "LABEL");
    out.insert(std::move(s));
  }
  return out;
}

LabelInventory::Labels read_labels(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected an object with \"intents\" and \"slots\"");
  return {read_list(j, "intents", "IN:", where), read_list(j, "slots", "SL:", where)};
}

}  // namespace

void LabelInventory::add(const std::string& domain, const Node& tree) {
  has_grammar_ = true;
  if (!tree.is_token()) roots_.insert(tree.label);
  const Shape shape = collect(tree, all_, domains_[domain], children_);
  max_depth_ = std::max(max_depth_, shape.depth);
  max_empty_ = std::max(max_empty_, shape.empty);
}

LabelInventory LabelInventory::from_examples(const std::vector<data::Example>& rows) {
  LabelInventory inv;
  for (const data::Example& e : rows) {
    ParseResult r = parse_tree(e.parse);
    if (!r.ok()) throw Error(e.where() + ": invalid gold parse: " + r.error.message());
    inv.add(e.domain, *r.root);
  }
  return inv;
}

bool LabelInventory::contains(std::string_view label) const {
  std::string l(label);
  return all_.intents.count(l) || all_.slots.count(l);
}

nlohmann::json LabelInventory::to_json() const {
  nlohmann::json j = top::to_json(all_);
  j["format"] = kFormat;
  j["version"] = 1;
  j["domains"] = nlohmann::json::object();
  for (const auto& [name, l] : domains_) j["domains"][name] = top::to_json(l);
  if (has_grammar_) {
    j["roots"] = roots_;
    j["children"] = nlohmann::json::object();
    for (const auto& [parent, kids] : children_) j["children"][parent] = kids;
    j["max_depth"] = max_depth_;
    j["max_empty_nodes"] = max_empty_;
  }
  return j;
}

LabelInventory LabelInventory::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object() || j.value("format", "") != kFormat)
    throw Error(source + ": not a label inventory (expected \"format\": \"" + kFormat + "\")");
  if (j.value("version", 0) != 1)
    throw Error(source + ": unsupported label inventory version (this build reads version 1)");
  LabelInventory inv;
  inv.all_ = read_labels(j, source);
  if (j.contains("domains")) {
    if (!j["domains"].is_object()) throw Error(source + ": \"domains\" must be an object");
    for (const auto& [name, l] : j["domains"].items())
      inv.domains_[name] = read_labels(l, source + ": domain '" + name + "'");
  }
  if (j.contains("roots") || j.contains("children")) {
    if (!j.contains("roots") || !j.contains("children"))
      throw Error(source + ": \"roots\" and \"children\" come together");
    inv.has_grammar_ = true;
    inv.roots_ = read_list(j, "roots", "IN:", source);
    inv.children_ = read_children(j["children"], source);
    inv.max_depth_ = read_limit(j, "max_depth", source);
    inv.max_empty_ = read_limit(j, "max_empty_nodes", source);
  }
  return inv;
}

void LabelInventory::save(const std::filesystem::path& file) const {
  std::ofstream out(file, std::ios::binary);
  if (!out) throw Error(file.string() + ": cannot open for writing");
  out << to_json().dump(2) << "\n";
  if (!out) throw Error(file.string() + ": write failed");
}

LabelInventory LabelInventory::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open for reading");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw Error(file.string() + ": not valid JSON");
  return from_json(j, file.string());
}

}  // namespace byt5::top

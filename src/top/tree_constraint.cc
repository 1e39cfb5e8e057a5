#include "top/tree_constraint.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "io/tokenizer.h"
#include "top/tree.h"

namespace byt5::top {
namespace {

bool is_ascii_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Whether TOPv2's tokenization may split a request word between bytes a and b: "7am" -> "7 am",
// "mom's" -> "mom 's", "p.m." -> "p.m ."; never inside a run of letters, of digits, a letter
// followed by a digit, or a UTF-8 character (one exception in 141,757 train and eval parses:
// "would n’t").
bool may_split(unsigned char a, unsigned char b) {
  if (b >= 0x80 && b <= 0xBF) return false;
  if (is_ascii_letter(a)) return !is_ascii_letter(b) && !is_ascii_digit(b);
  return !(is_ascii_digit(a) && is_ascii_digit(b));
}

// What each token id means to the automaton, computed once per model.
struct TreeVocab {
  enum class Kind : uint8_t { Never, Eos, Byte, Intent, Slot };
  struct Token {
    Kind kind = Kind::Never;
    unsigned char byte = 0;
    std::string label;  // intents and slots: "IN:X"
  };
  std::vector<Token> tokens;      // by id
  std::set<std::string> labels;   // allowed labels ("IN:X", "SL:Y"); empty: any well-formed label
  // The inventory's grammar, when it has one: the labels that may head a parse, and those that
  // may appear directly under each label.
  bool grammar = false;
  std::set<std::string> roots;
  std::map<std::string, std::set<std::string>> children;
  size_t max_depth = 0;  // with the grammar: deepest nesting; most empty nodes in one parse
  int max_empty = 0;

  static bool has_prefix(const std::set<std::string>& set, const std::string& p) {
    auto it = set.lower_bound(p);
    return it != set.end() && it->starts_with(p);
  }
  // The labels the grammar allows under `parent` ("" for the root).
  const std::set<std::string>& allowed_under(const std::string& parent) const {
    static const std::set<std::string> kNone;
    if (parent.empty()) return roots;
    auto it = children.find(parent);
    return it == children.end() ? kNone : it->second;
  }

  bool label_ok(const std::string& l) const { return labels.empty() ? is_valid_label(l) : labels.count(l) != 0; }
  // Whether `p` (typed after '[') can still grow into an allowed label.
  bool label_prefix_ok(const std::string& p) const {
    if (!labels.empty()) return has_prefix(labels, p);
    if (p.size() <= 3) return std::string_view("IN:").starts_with(p) || std::string_view("SL:").starts_with(p);
    return is_valid_label(p);
  }
};

class TreeConstraint final : public TokenConstraint {
 public:
  TreeConstraint(std::shared_ptr<const TreeVocab> v, std::string words, std::vector<bool> spaced)
      : v_(std::move(v)), words_(std::move(words)), spaced_(std::move(spaced)) {}

  bool allows(int token) const override {
    if (mode_ == Mode::Off) return true;
    if (token < 0 || token >= static_cast<int>(v_->tokens.size())) return false;
    const TreeVocab::Token& t = v_->tokens[token];
    switch (t.kind) {
      case TreeVocab::Kind::Never: return false;
      case TreeVocab::Kind::Eos: return mode_ == Mode::Done && next_ == words_.size();
      case TreeVocab::Kind::Byte: return allows_byte(t.byte);
      case TreeVocab::Kind::Intent:
      case TreeVocab::Kind::Slot:
        return (mode_ == Mode::Start || mode_ == Mode::Tree) && deeper_ok() && breaks_ok() && fits(t.label);
    }
    return false;
  }

  void advance(int token) override {
    if (!allows(token)) mode_ = Mode::Off;
    if (mode_ == Mode::Off) return;
    const TreeVocab::Token& t = v_->tokens[token];
    if (t.kind == TreeVocab::Kind::Byte) return advance_byte(t.byte);
    if (t.kind == TreeVocab::Kind::Intent || t.kind == TreeVocab::Kind::Slot) open(t.label);
  }

  std::unique_ptr<TokenConstraint> clone() const override { return std::make_unique<TreeConstraint>(*this); }

 private:
  enum class Mode : uint8_t { Start, Tree, Label, Done, Off };
  // What the last byte was, inside the tree: a separator (a space, or the end of a label), part of
  // a word, or a closing bracket.
  enum class Last : uint8_t { Boundary, Word, Close };

  const std::string& parent() const {
    static const std::string kRoot;
    return open_.empty() ? kRoot : open_.back();
  }
  // Whether a label starting with `p` can head a node under the open ones: the root is an intent,
  // kinds alternate, and the grammar (if any) has seen it there.
  bool may_start(const std::string& p) const {
    if (p.empty()) return true;
    const bool intent = p[0] == 'I';
    if (open_.empty() ? !intent : intent == (open_.back()[0] == 'I')) return false;
    return !v_->grammar || TreeVocab::has_prefix(v_->allowed_under(parent()), p);
  }
  // A separator may follow: not in the middle of a request word where TOPv2 never splits one.
  bool breaks_ok() const {
    if (last_ != Last::Word || next_ >= words_.size() || spaced_[next_]) return true;
    return may_split(static_cast<unsigned char>(words_[next_ - 1]), static_cast<unsigned char>(words_[next_]));
  }
  // Another node may open inside the open ones: within the depth limit, and with something left
  // to fill it (a word to copy, or an empty node still allowed), so decoding never walks into a
  // node it cannot close.
  bool deeper_ok() const {
    if (!v_->grammar) return true;
    return open_.size() < v_->max_depth && (next_ < words_.size() || empty_ < v_->max_empty);
  }
  bool fits(const std::string& label) const {
    return may_start(label) && (!v_->grammar || v_->allowed_under(parent()).count(label) != 0);
  }

  bool allows_byte(unsigned char c) const {
    switch (mode_) {
      case Mode::Start: return c == '[' && deeper_ok();
      case Mode::Label:
        if (c == ' ') return label_.size() > 3 && v_->label_ok(label_) && fits(label_);
        if (is_space(c)) return false;
        return v_->label_prefix_ok(label_ + static_cast<char>(c)) && may_start(label_ + static_cast<char>(c));
      case Mode::Tree:
        if (c == ' ') return last_ != Last::Boundary && breaks_ok();
        if (c == '[') return last_ == Last::Boundary && deeper_ok() && (!v_->grammar || !v_->allowed_under(parent()).empty());
        if (c == ']')
          return last_ == Last::Boundary && (open_.size() > 1 || next_ == words_.size()) &&
                 (!fresh_ || !v_->grammar || empty_ < v_->max_empty);
        return last_ != Last::Close && next_ < words_.size() && static_cast<unsigned char>(words_[next_]) == c;
      default: return false;
    }
  }

  void advance_byte(unsigned char c) {
    if (mode_ == Mode::Start) {
      mode_ = Mode::Label;
    } else if (mode_ == Mode::Label) {
      if (c == ' ') {
        open(label_);
        label_.clear();
      } else {
        label_.push_back(static_cast<char>(c));
      }
    } else if (c == ' ') {
      last_ = Last::Boundary;
    } else if (c == '[') {
      mode_ = Mode::Label;
    } else if (c == ']') {
      open_.pop_back();
      if (fresh_) ++empty_;
      fresh_ = false;  // the parent now holds this node
      last_ = Last::Close;
      if (open_.empty()) mode_ = Mode::Done;
    } else {
      ++next_;
      fresh_ = false;
      last_ = Last::Word;
    }
  }

  void open(const std::string& label) {
    open_.push_back(label);
    fresh_ = true;
    mode_ = Mode::Tree;
    last_ = Last::Boundary;
  }

  std::shared_ptr<const TreeVocab> v_;
  std::string words_;  // the request without whitespace: what the tree's words must spell
  std::vector<bool> spaced_;  // spaced_[i]: the request has whitespace before words_[i]
  size_t next_ = 0;    // bytes of words_ copied so far
  std::vector<std::string> open_;  // labels of the open nodes, root first
  Mode mode_ = Mode::Start;
  Last last_ = Last::Boundary;
  std::string label_;  // a label being typed byte by byte, after its '['
  bool fresh_ = false;  // the innermost open node holds nothing yet
  int empty_ = 0;       // nodes closed empty so far
};

}  // namespace

ConstraintFactory tree_constraint(const Tokenizer& tokenizer, int vocab_size, const std::optional<LabelInventory>& labels) {
  auto v = std::make_shared<TreeVocab>();
  if (labels) {
    v->labels.insert(labels->all().intents.begin(), labels->all().intents.end());
    v->labels.insert(labels->all().slots.begin(), labels->all().slots.end());
    v->grammar = labels->has_grammar();
    v->roots = labels->roots();
    v->children = labels->children();
    v->max_depth = static_cast<size_t>(labels->max_depth());
    v->max_empty = labels->max_empty_nodes();
  }
  v->tokens.resize(static_cast<size_t>(std::max(0, vocab_size)));
  auto set = [&](int id, TreeVocab::Token t) {
    if (id >= 0 && id < vocab_size) v->tokens[id] = t;
  };
  set(Tokenizer::kEos, {TreeVocab::Kind::Eos, 0, {}});
  for (int b = 0; b < 256; ++b) set(Tokenizer::kByteOffset + b, {TreeVocab::Kind::Byte, static_cast<unsigned char>(b), {}});
  for (const auto& [text, id] : tokenizer.added_tokens()) {
    if (!tokenizer.is_added(id) || !text.starts_with("[")) continue;  // <extra_id_N> and other added tokens: never
    const std::string label = text.substr(1);
    if (!is_valid_label(label) || !v->label_ok(label)) continue;
    set(id, {label.starts_with("IN:") ? TreeVocab::Kind::Intent : TreeVocab::Kind::Slot, 0, label});
  }
  return [v](std::string_view input) -> std::unique_ptr<TokenConstraint> {
    std::string words;
    std::vector<bool> spaced;
    bool space = true;
    for (unsigned char c : input) {
      if (c == '[' || c == ']') return nullptr;
      if (is_space(c)) {
        space = true;
        continue;
      }
      words.push_back(static_cast<char>(c));
      spaced.push_back(space);
      space = false;
    }
    return std::make_unique<TreeConstraint>(v, std::move(words), std::move(spaced));
  };
}

ConstraintFactory tree_constraint_for_model(const Tokenizer& tokenizer, int vocab_size,
                                            const std::filesystem::path& model_dir) {
  std::optional<LabelInventory> labels;
  if (std::filesystem::exists(model_dir / "labels.json")) labels = LabelInventory::load(model_dir / "labels.json");
  return tree_constraint(tokenizer, vocab_size, labels);
}

}  // namespace byt5::top

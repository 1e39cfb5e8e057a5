#include "top/json.h"

#include <optional>
#include <vector>

#include "top/align.h"
#include "top/utf8.h"

namespace byt5::top {
namespace {

using nlohmann::json;

class JsonBuilder {
 public:
  JsonBuilder(std::string_view utterance, const Node& root)
      : utt_(utterance), chars_(char_offsets(utterance)) {
    std::vector<const Node*> toks = tokens_of(root);
    words_.reserve(toks.size());
    std::vector<std::string_view> texts;
    texts.reserve(toks.size());
    for (const Node* t : toks) {
      words_.push_back(t->label);
      texts.push_back(t->label);
    }
    spans_ = align_tokens(utterance, texts);
  }

  bool all_aligned() const {
    for (const auto& s : spans_)
      if (!s) return false;
    return true;
  }

  // Builds the JSON of `n`, consuming its tokens from the running token index.
  json node(const Node& n) {
    size_t first = next_;
    json children = json::array();
    for (const Node& c : n.children) {
      if (c.is_token()) {
        note_token();
      } else {
        children.push_back(node(c));
      }
    }
    json j;
    j["label"] = std::string(n.name());
    describe(j, first, next_);
    j[n.is_intent() ? "slots" : "intents"] = std::move(children);
    return j;
  }

 private:
  void note_token() {
    if (spans_[next_]) cursor_ = spans_[next_]->end;
    ++next_;
  }

  // Sets text/start/end for the node covering tokens [first, last).
  void describe(json& j, size_t first, size_t last) {
    if (first == last) {
      j["text"] = "";
      // No tokens consumed since the last one, so the cursor is where the node stands.
      j["start"] = chars_[cursor_];
      j["end"] = chars_[cursor_];
      return;
    }
    bool aligned = true;
    for (size_t i = first; i < last; ++i) aligned = aligned && spans_[i].has_value();
    if (aligned) {
      size_t b = spans_[first]->begin, e = spans_[last - 1]->end;
      j["text"] = valid_utf8(utt_.substr(b, e - b));
      j["start"] = chars_[b];
      j["end"] = chars_[e];
      return;
    }
    std::string text;
    for (size_t i = first; i < last; ++i) {
      if (i > first) text += ' ';
      text += words_[i];
    }
    j["text"] = valid_utf8(text);
    j["start"] = nullptr;
    j["end"] = nullptr;
  }

  std::string_view utt_;
  std::vector<size_t> chars_;
  std::vector<std::string_view> words_;
  std::vector<std::optional<ByteSpan>> spans_;
  size_t next_ = 0;    // index of the next token in tree order
  size_t cursor_ = 0;  // byte end of the last aligned token consumed
};

}  // namespace

json tree_to_json(std::string_view utterance, const Node& root) {
  JsonBuilder b(utterance, root);
  json j;
  j["valid"] = true;
  j["utterance"] = valid_utf8(utterance);
  j["parse"] = valid_utf8(to_string(root));
  j["aligned"] = b.all_aligned();
  j["intent"] = b.node(root);
  return j;
}

json tree_to_json(std::string_view utterance, std::string_view prediction) {
  ParseResult r = parse_tree(prediction);
  if (r.ok()) return tree_to_json(utterance, *r.root);
  json j;
  j["valid"] = false;
  j["utterance"] = valid_utf8(utterance);
  j["error"] = valid_utf8(r.error.message());
  j["error_offset"] = r.error.offset;
  j["raw"] = valid_utf8(prediction);
  return j;
}

}  // namespace byt5::top

// The TOP parser: one pass over whitespace-separated words with an explicit stack, so that input
// of any size or nesting costs linear time and bounded stack.
#include <cstdio>
#include <utility>

#include "core/error.h"
#include "top/tree.h"

namespace byt5::top {
namespace {

// A byte as it can be shown in a message: printable ASCII as itself, anything else as \xNN.
std::string show_byte(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return std::string(1, static_cast<char>(c));
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", c);
  return buf;
}

// A word shortened for messages, with unprintable bytes escaped.
std::string show_word(std::string_view w) {
  std::string out;
  size_t n = 0;
  for (unsigned char c : w) {
    if (++n > 40) {
      out += "...";
      break;
    }
    out += show_byte(c);
  }
  return out;
}

bool is_label_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  ParseResult run() {
    size_t i = 0;
    while (i < text_.size()) {
      if (is_space(static_cast<unsigned char>(text_[i]))) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < text_.size() && !is_space(static_cast<unsigned char>(text_[j]))) ++j;
      if (!word(text_.substr(i, j - i), i)) return fail();
      i = j;
    }
    if (!stack_.empty()) {
      const Node& open = stack_.back();
      error(text_.size(), "unclosed '[" + open.label + "' opened at byte " +
                              std::to_string(open.offset) + " (missing ']')");
      return fail();
    }
    if (!root_) {
      error(text_.size(), "empty parse (expected '[IN:LABEL ... ]')");
      return fail();
    }
    ParseResult r;
    r.root = std::move(root_);
    return r;
  }

 private:
  bool error(size_t offset, std::string reason) {
    err_.offset = offset;
    err_.reason = std::move(reason);
    return false;
  }

  ParseResult fail() {
    ParseResult r;
    r.error = std::move(err_);
    return r;
  }

  bool word(std::string_view w, size_t at) {
    if (w[0] == '[') return open(w, at);
    if (w == "]") return close(at);
    for (size_t k = 0; k < w.size(); ++k) {
      if (w[k] == '[' || w[k] == ']')
        return error(at + k, "bracket inside the word '" + show_word(w) +
                                 "' (brackets stand alone, separated by spaces)");
    }
    if (stack_.empty()) {
      if (root_) return error(at, "text '" + show_word(w) + "' after the root intent closed");
      return error(at, "text '" + show_word(w) + "' before the root intent (a parse starts with '[IN:')");
    }
    stack_.back().children.push_back(Node{NodeKind::Token, std::string(w), at, {}});
    return true;
  }

  bool open(std::string_view w, size_t at) {
    std::string_view body = w.substr(1);
    NodeKind kind;
    if (body.starts_with("IN:")) {
      kind = NodeKind::Intent;
    } else if (body.starts_with("SL:")) {
      kind = NodeKind::Slot;
    } else {
      return error(at, "unknown node '" + show_word(w) + "' (expected '[IN:LABEL' or '[SL:LABEL')");
    }
    if (body.size() == 3) return error(at, "empty label in '" + show_word(w) + "'");
    for (size_t k = 3; k < body.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(body[k]);
      if (c == '[' || c == ']')
        return error(at + 1 + k, "bracket inside the label '" + show_word(w) +
                                     "' (brackets stand alone, separated by spaces)");
      if (!is_label_char(c))
        return error(at + 1 + k, "invalid character '" + show_byte(c) + "' in label '" +
                                     show_word(w) + "' (labels use A-Z, 0-9 and _)");
    }
    std::string label(body);
    if (stack_.empty()) {
      if (root_) return error(at, "'[" + label + "' after the root intent closed (one root only)");
      if (kind != NodeKind::Intent)
        return error(at, "the root must be an intent, found '[" + label + "'");
    } else {
      const Node& parent = stack_.back();
      if (parent.kind == kind) {
        bool intent = kind == NodeKind::Intent;
        return error(at, std::string(intent ? "intent" : "slot") + " '" + label + "' directly inside " +
                             (intent ? "intent" : "slot") + " '" + parent.label + "' (" +
                             (intent ? "intents go inside slots" : "slots go inside intents") + ")");
      }
      if (static_cast<int>(stack_.size()) >= kMaxDepth)
        return error(at, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    stack_.push_back(Node{kind, std::move(label), at, {}});
    return true;
  }

  bool close(size_t at) {
    if (stack_.empty()) {
      if (root_) return error(at, "']' after the root intent closed (unbalanced brackets)");
      return error(at, "']' with nothing open (unbalanced brackets)");
    }
    Node done = std::move(stack_.back());
    stack_.pop_back();
    if (stack_.empty()) {
      root_ = std::move(done);
    } else {
      stack_.back().children.push_back(std::move(done));
    }
    return true;
  }

  std::string_view text_;
  std::vector<Node> stack_;  // open intents and slots, outermost first
  std::optional<Node> root_;
  ParseError err_;
};

}  // namespace

ParseResult parse_tree(std::string_view text) { return Parser(text).run(); }

Node parse_tree_or_throw(std::string_view text) {
  ParseResult r = parse_tree(text);
  if (!r.ok()) throw Error("invalid TOP parse: " + r.error.message());
  return std::move(*r.root);
}

}  // namespace byt5::top

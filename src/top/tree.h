// TOP trees: `[IN:LABEL tokens [SL:LABEL tokens [IN:...] ] ]` parsed into intents, slots and
// tokens. The parser takes any bytes (a model's output is untrusted): it never throws, never
// recurses on the input, and reports the first problem with its byte offset and a reason.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace byt5::top {

enum class NodeKind : uint8_t { Intent, Slot, Token };

struct Node {
  NodeKind kind = NodeKind::Token;
  // Intents and slots: the full label with its prefix ("IN:CREATE_ALARM"); tokens: the word.
  std::string label;
  size_t offset = 0;  // byte offset of the node's first byte in the parsed string
  std::vector<Node> children;

  bool is_token() const { return kind == NodeKind::Token; }
  bool is_intent() const { return kind == NodeKind::Intent; }
  bool is_slot() const { return kind == NodeKind::Slot; }
  // The label without its "IN:"/"SL:" prefix; a token's text.
  std::string_view name() const;
};

// Deeper nesting than this is rejected, so that every recursive walk over a tree is bounded.
// TOPv2's deepest parse has 8 levels.
inline constexpr int kMaxDepth = 100;

struct ParseError {
  size_t offset = 0;   // byte offset into the parsed string
  std::string reason;  // what is wrong, in words
  std::string message() const;  // "byte 12: reason"
};

struct ParseResult {
  std::optional<Node> root;  // set when the string is a valid tree
  ParseError error;          // set when it is not
  bool ok() const { return root.has_value(); }
};

// Parses and validates: one root intent, balanced brackets, labels `IN:`/`SL:` + [A-Z0-9_]+,
// slots only inside intents, intents only inside slots (or at the root), nothing outside the root.
ParseResult parse_tree(std::string_view text);

// As parse_tree, but throws byt5::Error("invalid TOP parse: byte N: reason") when invalid.
Node parse_tree_or_throw(std::string_view text);

// Canonical form: single spaces, `[IN:X a [SL:Y b ] ]`. parse_tree(to_string(t)) gives back t.
std::string to_string(const Node& root);

// The tokens under `node`, in order.
std::vector<const Node*> tokens_of(const Node& node);

// True for "IN:" or "SL:" followed by one or more of [A-Z0-9_].
bool is_valid_label(std::string_view label);

// True for ASCII whitespace, the only separator the TOP format knows.
inline bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace byt5::top

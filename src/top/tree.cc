// Canonical printing and small queries over parsed TOP trees. Walks recurse: the parser bounds
// depth at kMaxDepth.
#include "top/tree.h"

namespace byt5::top {
namespace {

void print(const Node& n, std::string& out) {
  if (n.is_token()) {
    out += n.label;
    return;
  }
  out += '[';
  out += n.label;
  for (const Node& c : n.children) {
    out += ' ';
    print(c, out);
  }
  out += " ]";
}

void collect_tokens(const Node& n, std::vector<const Node*>& out) {
  if (n.is_token()) {
    out.push_back(&n);
    return;
  }
  for (const Node& c : n.children) collect_tokens(c, out);
}

}  // namespace

std::string_view Node::name() const {
  std::string_view l = label;
  if (!is_token() && l.size() >= 3) l.remove_prefix(3);
  return l;
}

bool is_valid_label(std::string_view label) {
  if (label.size() <= 3 || !(label.starts_with("IN:") || label.starts_with("SL:"))) return false;
  for (unsigned char c : label.substr(3)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string ParseError::message() const { return "byte " + std::to_string(offset) + ": " + reason; }

std::string to_string(const Node& root) {
  std::string out;
  print(root, out);
  return out;
}

std::vector<const Node*> tokens_of(const Node& node) {
  std::vector<const Node*> out;
  collect_tokens(node, out);
  return out;
}

}  // namespace byt5::top

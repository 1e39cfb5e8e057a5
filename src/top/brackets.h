// Labeled brackets, as the TOP release's evaluate.py counts them (Gupta et al. 2018): every
// intent and slot, root included, becomes (label, token span), where the span is
// [first token index, last token index + 1) over the tree's tokens numbered left to right.
// A node without tokens has no span (all such nodes of one label compare equal). Token text is
// not compared, only positions.
#pragma once
#include <compare>
#include <cstddef>
#include <string>
#include <vector>

#include "top/tree.h"

namespace byt5::top {

struct Bracket {
  std::string label;  // with prefix: "IN:GET_WEATHER"
  long begin = -1;    // -1/-1: a node without tokens
  long end = -1;
  auto operator<=>(const Bracket&) const = default;
};

// All brackets of a tree, sorted.
std::vector<Bracket> labeled_brackets(const Node& root);

// Size of the multiset intersection of two sorted bracket lists (evaluate.py's Counter `&`).
size_t matching_brackets(const std::vector<Bracket>& a, const std::vector<Bracket>& b);

}  // namespace byt5::top

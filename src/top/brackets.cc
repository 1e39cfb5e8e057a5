#include "top/brackets.h"

#include <algorithm>

namespace byt5::top {
namespace {

// Appends the brackets under n (n included if it is an intent or slot); `next` is the index of
// the next token in tree order.
void collect(const Node& n, long& next, std::vector<Bracket>& out) {
  if (n.is_token()) {
    ++next;
    return;
  }
  size_t mine = out.size();
  out.push_back(Bracket{n.label, -1, -1});
  long first = next;
  for (const Node& c : n.children) collect(c, next, out);
  if (next > first) {
    out[mine].begin = first;
    out[mine].end = next;
  }
}

}  // namespace

std::vector<Bracket> labeled_brackets(const Node& root) {
  std::vector<Bracket> out;
  long next = 0;
  collect(root, next, out);
  std::sort(out.begin(), out.end());
  return out;
}

size_t matching_brackets(const std::vector<Bracket>& a, const std::vector<Bracket>& b) {
  size_t i = 0, j = 0, n = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++n, ++i, ++j;
    }
  }
  return n;
}

}  // namespace byt5::top

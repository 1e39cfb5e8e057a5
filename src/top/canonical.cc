#include "top/canonical.h"

#include <algorithm>
#include <vector>

namespace byt5::top {
namespace {

// ASCII lowercasing: labels are ASCII, and non-ASCII words compare byte for byte.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string canonical(const Node& n) {
  bool leaf_slot = n.is_slot();
  for (const Node& c : n.children) leaf_slot = leaf_slot && c.is_token();
  // Appending piecewise: `"[" + std::string&&` trips GCC 12's -Wrestrict false positive.
  std::string out = "[";
  out += lower(n.label);
  if (leaf_slot) {
    for (const Node& c : n.children) {
      out += ' ';
      out += lower(c.label);
    }
  } else {
    std::vector<std::string> kids;
    for (const Node& c : n.children)
      if (!c.is_token()) kids.push_back(canonical(c));
    std::sort(kids.begin(), kids.end());
    for (const std::string& k : kids) {
      out += ' ';
      out += k;
    }
  }
  return out + " ]";
}

}  // namespace

std::string topv2_canonical(const Node& root) { return canonical(root); }

}  // namespace byt5::top

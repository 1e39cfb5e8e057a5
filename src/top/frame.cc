#include "top/frame.h"

#include <algorithm>
#include <vector>

namespace byt5::top {
namespace {

// Key of the frame at n, whose first character is at `pos` in the space-joined tokens; returns
// with `pos` just past n's last token.
std::string key(const Node& n, size_t& pos) {
  size_t start = pos;
  bool any = false;  // tokens or children seen, so the next one is preceded by a space
  std::vector<std::string> kids;
  for (const Node& c : n.children) {
    if (c.is_token()) {
      pos += (any ? 1 : 0) + c.label.size();
      any = true;
      continue;
    }
    size_t before = pos;
    if (any) ++pos;
    size_t child_start = pos;
    kids.push_back(key(c, pos));
    if (pos == child_start) pos = before;  // an empty child takes no room
    else any = true;
  }
  std::sort(kids.begin(), kids.end());
  std::string out = n.label + "@" + std::to_string(start) + ":" + std::to_string(pos) + "{";
  for (const std::string& k : kids) out += k + ",";
  out += "}";
  return out;
}

}  // namespace

std::string frame_key(const Node& root) {
  size_t pos = 0;
  return key(root, pos);
}

}  // namespace byt5::top

// libFuzzer target for the TOP tree parser and everything that reads its trees (-DBYT5_FUZZ=ON
// with clang). A bounded run:
//   ./top_tree_fuzz -max_len=4096 -runs=2000000
// The input is split at its first newline into an utterance and a prediction, so the JSON
// alignment sees arbitrary pairs too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "top/json.h"
#include "top/metrics.h"
#include "top/tree.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view utterance = nl == std::string_view::npos ? input : input.substr(0, nl);
  std::string_view prediction = nl == std::string_view::npos ? input : input.substr(nl + 1);

  using namespace byt5::top;
  ParseResult r = parse_tree(prediction);
  nlohmann::json j = tree_to_json(utterance, prediction);
  (void)j.dump();  // must not throw: strings are made valid UTF-8
  check(j["valid"].get<bool>() == r.ok());
  if (!r.ok()) {
    check(r.error.offset <= prediction.size() && !r.error.reason.empty());
    return 0;
  }
  // Canonical printing is a fixed point, and a valid tree scores perfectly against itself.
  std::string canon = to_string(*r.root);
  ParseResult again = parse_tree(canon);
  check(again.ok() && to_string(*again.root) == canon);
  RowScore self = score_row(*r.root, canon, canon);
  check(self.exact_match && self.valid && self.frame && self.exact_match_canonical &&
        self.brackets_matched == self.brackets_gold);
  // Against a fixed gold, bracket counts stay consistent.
  Node gold = parse_tree_or_throw("[IN:GET_WEATHER will it rain [SL:LOCATION in Paris ] ]");
  RowScore other = score_row(gold, "", prediction);
  check(other.brackets_matched <= other.brackets_predicted &&
        other.brackets_matched <= other.brackets_gold);
  return 0;
}

#include "decode/token_constraint.h"

#include <algorithm>

namespace byt5 {

int pick_token(const float* logits, int vocab_size, const TokenConstraint* c) {
  const int best = static_cast<int>(std::max_element(logits, logits + vocab_size) - logits);
  if (!c || c->allows(best)) return best;
  int pick = -1;
  for (int t = 0; t < vocab_size; ++t)
    if (c->allows(t) && (pick < 0 || logits[t] > logits[pick])) pick = t;
  return pick < 0 ? best : pick;
}

}  // namespace byt5

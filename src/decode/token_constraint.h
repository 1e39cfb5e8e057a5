// Constrained greedy decoding: a per-row rule on which token may come next. The decoder then takes
// the highest-scoring allowed token instead of the plain argmax, so a row whose plain greedy path
// never breaks the rule decodes exactly as without it.
#pragma once
#include <functional>
#include <memory>
#include <string_view>

namespace byt5 {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  virtual bool allows(int token) const = 0;
  // Records the emitted token. A token the rule does not allow (emitted because it allowed
  // nothing) switches the rule off for the rest of the row.
  virtual void advance(int token) = 0;
  // An independent copy in the same state (beam search follows several continuations).
  virtual std::unique_ptr<TokenConstraint> clone() const = 0;
};

// Builds the rule for one input text; nullptr leaves that row unconstrained.
using ConstraintFactory = std::function<std::unique_ptr<TokenConstraint>(std::string_view input)>;

// The highest-scoring token that `c` allows (ties go to the lower id, as in argmax); the plain
// argmax when `c` is null or allows no token.
int pick_token(const float* logits, int vocab_size, const TokenConstraint* c);

}  // namespace byt5

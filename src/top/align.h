// Aligns a parse's tokens with the utterance they came from. TOP parses re-tokenise the
// utterance ("what's" -> "what 's", "7am." -> "7am ."), so tokens are matched left to right with
// whitespace ignored on both sides.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace byt5::top {

struct ByteSpan {
  size_t begin = 0;
  size_t end = 0;  // exclusive
};

// One entry per token: the bytes of `utterance` it covers. A token is first matched at the
// current position (skipping whitespace in the utterance, also inside the token); failing that,
// at its next exact occurrence; failing that (a model may change words) it gets nullopt and the
// position stays. Spans never go backwards. Cost: linear per token in the common case.
std::vector<std::optional<ByteSpan>> align_tokens(std::string_view utterance,
                                                  const std::vector<std::string_view>& tokens);

}  // namespace byt5::top

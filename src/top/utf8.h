// UTF-8 helpers for text that may be any bytes (model output, user input): JSON needs valid
// UTF-8, and spans are reported in characters (code points), not bytes.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace byt5::top {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is ill-formed
// (stray continuation byte, overlong form, surrogate, above U+10FFFF, truncated).
size_t utf8_sequence_length(std::string_view s, size_t i);

// s with every ill-formed byte replaced by U+FFFD, so that it can go into JSON.
std::string valid_utf8(std::string_view s);

// For every byte offset b in [0, s.size()], the number of characters in s[0, b): one per
// well-formed sequence, one per ill-formed byte (matching valid_utf8's output). An offset inside
// a sequence counts that sequence.
std::vector<size_t> char_offsets(std::string_view s);

}  // namespace byt5::top

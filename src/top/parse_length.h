// How long a TOP parse can be, given its utterance: the cap that `byt5 parse`, `eval` and `bench`
// put on generation (GenerateOptions::tokens_per_input_byte / tokens_base).
#pragma once

namespace byt5::top {

// Every parse in TOPv2 (all domains, train, eval and the low-resource splits) has at most
// 3 * (utterance bytes) + 162 bytes; label tokens only make it shorter in tokens. The base adds
// room above that (tests/top/parse_length_test.cc checks the data against it).
inline constexpr int kParseTokensPerUtteranceByte = 3;
inline constexpr int kParseTokensBase = 200;

}  // namespace byt5::top

#include "top/align.h"

#include "top/tree.h"

namespace byt5::top {
namespace {

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && is_space(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// Matches `token` at s[i...] where whitespace in s may appear between the token's bytes.
std::optional<ByteSpan> match_at(std::string_view s, size_t i, std::string_view token) {
  size_t begin = i;
  for (size_t k = 0; k < token.size(); ++k) {
    if (k > 0) i = skip_spaces(s, i);
    if (i >= s.size() || s[i] != token[k]) return std::nullopt;
    ++i;
  }
  return ByteSpan{begin, i};
}

}  // namespace

std::vector<std::optional<ByteSpan>> align_tokens(std::string_view utterance,
                                                  const std::vector<std::string_view>& tokens) {
  std::vector<std::optional<ByteSpan>> out;
  out.reserve(tokens.size());
  size_t cursor = 0;
  for (std::string_view t : tokens) {
    std::optional<ByteSpan> span;
    if (!t.empty()) {
      span = match_at(utterance, skip_spaces(utterance, cursor), t);
      if (!span) {
        size_t pos = utterance.find(t, cursor);
        if (pos != std::string_view::npos) span = ByteSpan{pos, pos + t.size()};
      }
    }
    if (span) cursor = span->end;
    out.push_back(span);
  }
  return out;
}

}  // namespace byt5::top

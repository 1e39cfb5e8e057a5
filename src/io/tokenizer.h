// ByT5 tokenizer, exact to transformers 4.24: byte b -> id b + 3, pad 0 / eos 1 / unk 2,
// <extra_id_N> -> 259 + N, plus added tokens from a checkpoint's added_tokens.json (e.g. TOP labels
// "[IN:CREATE_ALARM"), matched leftmost-longest and case-sensitively, with the whitespace on both
// sides of each added token stripped, as the slow tokenizer does.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace byt5 {

class Tokenizer {
 public:
  static constexpr int kPad = 0, kEos = 1, kUnk = 2, kByteOffset = 3, kNumExtraIds = 125;
  static constexpr int kBaseVocab = 256 + kByteOffset + kNumExtraIds;  // 384

  Tokenizer();
  // Reads dir/added_tokens.json when present ({"token": id, ...}).
  static Tokenizer load(const std::filesystem::path& model_dir);
  // Added tokens must have ids >= 384, unique, and non-empty text.
  void add_tokens(const std::map<std::string, int>& tokens, const std::string& source = "added tokens");
  void save_added_tokens(const std::filesystem::path& file) const;

  // Encodes UTF-8 (or any bytes) and appends EOS.
  std::vector<int> encode(std::string_view text) const;
  // Drops pad/eos/unk/extra ids and invalid UTF-8 (as HF's errors="ignore"); writes added tokens
  // back with one space on each side, so TOP strings come back well-formed.
  std::string decode(const std::vector<int>& ids) const;

  int vocab_size() const;  // 384 + number of added tokens (the model's vocab may be larger)
  const std::map<std::string, int>& added_tokens() const { return added_; }
  bool is_added(int id) const { return by_id_.count(id) != 0; }

 private:
  std::map<std::string, int> added_;       // text -> id, including <extra_id_N>
  std::map<int, std::string> by_id_;       // id -> text, user-added tokens only
  std::map<std::string, int> matchable_;   // every text matched in input (extra ids + added)
};

// Python's str.isspace on one code point.
bool is_python_space(char32_t c);
// Drops bytes that are not part of a valid UTF-8 sequence.
std::string drop_invalid_utf8(std::string_view bytes);

}  // namespace byt5

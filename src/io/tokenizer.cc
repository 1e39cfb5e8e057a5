#include "io/tokenizer.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace byt5 {
namespace {

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 when the bytes there are not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
size_t utf8_next(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len;
  if (c < 0x80) { cp = c; return 1; }
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

// Length of the valid UTF-8 code point ending at s[end-1] if it is whitespace, else 0.
size_t trailing_space_len(std::string_view s, size_t end) {
  for (size_t len = 1; len <= 4 && len <= end; ++len) {
    char32_t cp;
    if (utf8_next(s, end - len, cp) == len) return is_python_space(cp) ? len : 0;
  }
  return 0;
}

std::string_view strip_left(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp;
    size_t n = utf8_next(s, i, cp);
    if (n == 0 || !is_python_space(cp)) break;
    i += n;
  }
  return s.substr(i);
}

std::string_view strip_right(std::string_view s) {
  size_t end = s.size();
  while (size_t n = trailing_space_len(s, end)) end -= n;
  return s.substr(0, end);
}

void append_bytes(std::vector<int>& ids, std::string_view s) {
  for (unsigned char c : s) ids.push_back(c + Tokenizer::kByteOffset);
}

}  // namespace

bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string drop_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    char32_t cp;
    size_t n = utf8_next(bytes, i, cp);
    if (n == 0) { ++i; continue; }
    out.append(bytes.substr(i, n));
    i += n;
  }
  return out;
}

Tokenizer::Tokenizer() { add_tokens({}); }

Tokenizer Tokenizer::load(const std::filesystem::path& model_dir) {
  Tokenizer t;
  auto file = model_dir / "added_tokens.json";
  if (!std::filesystem::exists(file)) return t;
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": invalid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw Error(file.string() + ": expected an object {\"token\": id, ...}");
  std::map<std::string, int> tokens;
  for (auto& [k, v] : j.items()) {
    if (!v.is_number_integer()) throw Error(file.string() + ": id of '" + k + "' is not an integer");
    tokens[k] = v.get<int>();
  }
  t.add_tokens(tokens, file.string());
  return t;
}

void Tokenizer::add_tokens(const std::map<std::string, int>& tokens, const std::string& source) {
  for (auto& [text, id] : tokens) {
    if (text.empty()) throw Error(source + ": an added token is empty");
    // HF lists <extra_id_N> in added_tokens.json of some checkpoints: accept them at their own ids.
    if (text.rfind("<extra_id_", 0) == 0 && id >= 259 && id < kBaseVocab) continue;
    if (id < kBaseVocab)
      throw Error(source + ": added token '" + text + "' has id " + std::to_string(id) +
                  ", inside the byte vocabulary (ids below 384)");
    if (by_id_.count(id) && by_id_[id] != text)
      throw Error(source + ": id " + std::to_string(id) + " is given to both '" + by_id_[id] + "' and '" + text + "'");
    by_id_[id] = text;
    added_[text] = id;
  }
  matchable_ = added_;
  for (int n = 0; n < kNumExtraIds; ++n) matchable_["<extra_id_" + std::to_string(n) + ">"] = 259 + n;
}

void Tokenizer::save_added_tokens(const std::filesystem::path& file) const {
  nlohmann::json j = nlohmann::json::object();
  for (auto& [text, id] : added_) j[text] = id;
  std::ofstream out(file);
  if (!out) throw Error(file.string() + ": cannot write");
  out << j.dump(2) << "\n";
}

int Tokenizer::vocab_size() const { return kBaseVocab + static_cast<int>(by_id_.size()); }

std::vector<int> Tokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  ids.reserve(text.size() + 1);
  // Leftmost-longest split into text pieces and special tokens; the whitespace next to a special
  // token is stripped on both sides.
  std::string_view pending;  // text since the last special token
  size_t start = 0;
  bool after_special = false;
  size_t i = 0;
  while (i < text.size()) {
    const std::string* best = nullptr;
    int best_id = 0;
    // Longest match starting at i: scan candidates sharing the first byte.
    for (auto it = matchable_.lower_bound(std::string(1, text[i])); it != matchable_.end() && it->first[0] == text[i]; ++it) {
      if (text.compare(i, it->first.size(), it->first) == 0 && (!best || it->first.size() > best->size())) {
        best = &it->first;
        best_id = it->second;
      }
    }
    if (!best) { ++i; continue; }
    pending = text.substr(start, i - start);
    if (after_special) pending = strip_left(pending);
    append_bytes(ids, strip_right(pending));
    ids.push_back(best_id);
    i += best->size();
    start = i;
    after_special = true;
  }
  pending = text.substr(start);
  if (after_special) pending = strip_left(pending);
  append_bytes(ids, pending);
  ids.push_back(kEos);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  // Pieces alternate between byte runs and added tokens; a byte run loses the whitespace that
  // touches a token, and each token gets exactly one space on each side inside the string.
  struct Piece { bool token; std::string text; };
  std::vector<Piece> pieces;
  std::string bytes;
  auto flush = [&] {
    if (!bytes.empty()) pieces.push_back({false, drop_invalid_utf8(bytes)});
    bytes.clear();
  };
  for (int id : ids) {
    if (id >= kByteOffset && id < kByteOffset + 256) {
      bytes.push_back(static_cast<char>(id - kByteOffset));
    } else if (auto it = by_id_.find(id); it != by_id_.end()) {
      flush();
      pieces.push_back({true, it->second});
    }  // else: pad, eos, unk, extra ids, ids outside the vocabulary are dropped
  }
  flush();
  std::string out;
  bool last_token = false;
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::string_view v = pieces[i].text;
    if (!pieces[i].token) {
      if (i > 0 && pieces[i - 1].token) v = strip_left(v);
      if (i + 1 < pieces.size() && pieces[i + 1].token) v = strip_right(v);
      if (v.empty()) continue;
    }
    if (!out.empty() && (last_token || pieces[i].token)) out.push_back(' ');
    out.append(v);
    last_token = pieces[i].token;
  }
  return out;
}

}  // namespace byt5

#include "data/tsv.h"

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace byt5::data {
namespace {

std::vector<std::string> split_tabs(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      out.emplace_back(line.substr(start));
      return out;
    }
    out.emplace_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "<TAB>" : "") + v[i];
  return out;
}

}  // namespace

int TsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::string TsvTable::where(size_t line) const { return path.string() + ":" + std::to_string(line); }

TsvTable read_tsv(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(path.string() + ": is a directory, expected a .tsv file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open for reading");
  TsvTable t;
  t.path = path;
  std::string line;
  size_t lineno = 0;
  std::vector<std::string> problems;
  size_t bad = 0;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (lineno == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (!have_header) {
      if (line.empty()) throw Error(t.where(lineno) + ": expected a header line, found a blank line");
      t.header = split_tabs(line);
      have_header = true;
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> fields = split_tabs(line);
    if (fields.size() != t.header.size()) {
      if (++bad <= 5)
        problems.push_back(t.where(lineno) + ": expected " + std::to_string(t.header.size()) +
                           " tab-separated fields (" + join(t.header) + "), found " +
                           std::to_string(fields.size()));
      continue;
    }
    t.rows.push_back(TsvRow{lineno, std::move(fields)});
  }
  if (in.bad()) throw Error(path.string() + ": read error");
  if (!have_header) throw Error(path.string() + ": empty file (expected a header line)");
  if (bad) {
    std::ostringstream msg;
    msg << bad << " malformed row" << (bad > 1 ? "s" : "") << " in " << path.string() << ":";
    for (const std::string& p : problems) msg << "\n  " << p;
    if (bad > problems.size()) msg << "\n  ... and " << bad - problems.size() << " more";
    throw Error(msg.str());
  }
  return t;
}

std::string escape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      char r = n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n == '\\' ? '\\' : 0;
      if (r) {
        out += r;
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace byt5::data

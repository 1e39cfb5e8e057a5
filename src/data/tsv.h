// Tab-separated files with a header line, split on tabs only: TOPv2 has no quoting, and some
// utterances contain `"`, so CSV readers would mangle them.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace byt5::data {

struct TsvRow {
  size_t line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

struct TsvTable {
  std::filesystem::path path;
  std::vector<std::string> header;
  std::vector<TsvRow> rows;

  // Index of the named column, or -1.
  int column(std::string_view name) const;
  // "path:line", for messages.
  std::string where(size_t line) const;
};

// Reads `path`: the first line is the header, every other non-blank line must have as many
// fields as the header. A trailing "\r" and a leading UTF-8 byte order mark are dropped.
// Throws byt5::Error naming file:line for malformed rows (up to 5 listed) or unreadable files.
TsvTable read_tsv(const std::filesystem::path& path);

// Fields written by this project escape the bytes that would break a row: tab -> "\t",
// newline -> "\n", carriage return -> "\r", backslash -> "\\". unescape_field reverses it and
// leaves any other backslash as it is.
std::string escape_field(std::string_view s);
std::string unescape_field(std::string_view s);

}  // namespace byt5::data

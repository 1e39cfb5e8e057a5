// Small helpers shared by the subcommands: reading stdin lines, UTF-8 checks.
#pragma once
#include <iostream>
#include <string>
#include <vector>

namespace byt5::cli {

// Lines of `in` without their "\n" (and without a "\r" before it).
inline std::vector<std::string> read_lines(std::istream& in) {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

// Output is one line per input: a newline or carriage return inside a decoded text is written as
// the two characters \n or \r.
inline std::string one_line(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

}  // namespace byt5::cli

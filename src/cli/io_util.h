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

}  // namespace byt5::cli

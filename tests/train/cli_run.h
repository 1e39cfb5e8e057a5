// Runs the byt5 binary from a test (one OpenMP thread: the test models are tiny and CI shares
// two cores between test processes), capturing stderr for failure messages.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace byt5::test {

struct CliResult {
  int status = -1;
  std::string out, err;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline CliResult run_byt5(const std::string& args, const std::filesystem::path& scratch) {
  const auto out = scratch / "cli.stdout", err = scratch / "cli.stderr";
  const std::string cmd = "OMP_NUM_THREADS=1 '" + std::string(BYT5_BINARY) + "' " + args + " --no-progress > '" +
                          out.string() + "' 2> '" + err.string() + "'";
  CliResult r;
  const int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

}  // namespace byt5::test

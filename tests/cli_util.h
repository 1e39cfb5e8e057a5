// Runs the byt5 binary as a user would, capturing stdout and the exit status.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "test_util.h"

namespace byt5::test {

struct CmdResult {
  int status = -1;  // exit code
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `BYT5_BINARY args` with `input` on stdin, capturing stdout and stderr; `env` is a prefix of
// VAR=value assignments for the command.
inline CmdResult run_byt5(const std::string& args, const std::string& input = "", const std::string& env = "") {
  TempDir tmp;
  write_file(tmp.path() / "in", input);
  std::string cmd = env + (env.empty() ? "" : " ") + "'" + BYT5_BINARY + "' " + args + " < '" + (tmp.path() / "in").string() + "' 2> '" +
                    (tmp.path() / "err").string() + "'";
  CmdResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream in(tmp.path() / "err");
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

// `byt5 train ...` from a test: one OpenMP thread (the test models are tiny and CI shares two
// cores between test processes) and plain log lines.
inline CmdResult run_train(const std::string& args) { return run_byt5(args + " --no-progress", "", "OMP_NUM_THREADS=1"); }

inline std::string quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace byt5::test

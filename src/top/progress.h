// Progress of a long run over rows (e.g. `byt5 eval --model`): a redrawn bar with rate and ETA
// on a terminal, plain lines now and then otherwise (logs, CI), so output stays readable both
// ways.
#pragma once
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace byt5::top {

class Progress {
 public:
  // `terminal`: redraw one line with '\r' (pass isatty(fileno(stderr))).
  Progress(std::ostream& out, size_t total, bool terminal, std::string what = "rows");
  // Reports `done` of `total` rows.
  void update(size_t done);
  // Ends the display with a final line.
  void finish();

  // "1h02m", "3m05s", "12s": durations as the bar shows them.
  static std::string format_duration(double seconds);

 private:
  std::string status(size_t done, double elapsed) const;

  std::ostream& out_;
  size_t total_;
  bool terminal_;
  std::string what_;
  size_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_line_;
};

}  // namespace byt5::top

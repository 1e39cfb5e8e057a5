#include "top/progress.h"

#include <cstdio>

namespace byt5::top {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBarWidth = 30;
constexpr double kPlainEverySeconds = 10;  // plain mode: at most one line per this many seconds

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

Progress::Progress(std::ostream& out, size_t total, bool terminal, std::string what)
    : out_(out), total_(total), terminal_(terminal), what_(std::move(what)),
      start_(Clock::now()), last_line_(start_) {}

std::string Progress::format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

std::string Progress::status(size_t done, double elapsed) const {
  double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  double pct = total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  std::string eta = rate > 0 ? format_duration(static_cast<double>(total_ - done) / rate) : "?";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%zu/%zu %s (%.1f%%), %.1f %s/s, %s %s", done, total_,
                what_.c_str(), pct, rate, what_.c_str(), done >= total_ ? "took" : "ETA",
                done >= total_ ? format_duration(elapsed).c_str() : eta.c_str());
  return buf;
}

void Progress::update(size_t done) {
  done_ = done > total_ ? total_ : done;
  Clock::time_point now = Clock::now();
  double elapsed = seconds_between(start_, now);
  if (terminal_) {
    int filled = total_ ? static_cast<int>(kBarWidth * done_ / total_) : kBarWidth;
    std::string bar(filled, '#');
    bar.resize(kBarWidth, '.');
    out_ << "\r[" << bar << "] " << status(done_, elapsed) << "\x1b[K" << std::flush;
    return;
  }
  if (done_ < total_ && seconds_between(last_line_, now) < kPlainEverySeconds) return;
  last_line_ = now;
  out_ << status(done_, elapsed) << "\n" << std::flush;
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    update(done_);
    out_ << "\n" << std::flush;
  } else if (done_ < total_) {
    out_ << status(done_, seconds_between(start_, Clock::now())) << "\n" << std::flush;
  }
}

}  // namespace byt5::top

#include "train/train_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.h"

namespace byt5 {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string duration(double s) {
  if (!(s >= 0) || s > 1e8) return "?";
  const long t = std::lround(s);
  if (t >= 3600) return std::to_string(t / 3600) + "h" + fmt("%02.0f", double((t % 3600) / 60)) + "m";
  if (t >= 60) return std::to_string(t / 60) + "m" + fmt("%02.0f", double(t % 60)) + "s";
  return std::to_string(t) + "s";
}

}  // namespace

TrainReport::TrainReport(const std::filesystem::path& log_file, nlohmann::json history, int64_t total_steps,
                         bool terminal, std::ostream& err)
    : history_(std::move(history)), total_(total_steps), terminal_(terminal), err_(err) {
  log_.open(log_file, std::ios::trunc);
  if (!log_) throw Error(log_file.string() + ": cannot write the training log");
  for (const auto& r : history_) log_ << r.dump() << "\n";
  log_.flush();
}

void TrainReport::append(const nlohmann::json& record) {
  history_.push_back(record);
  log_ << record.dump() << "\n";
  log_.flush();
  if (!log_) throw Error("cannot append to the training log (disk full?)");
}

void TrainReport::step(int64_t step, double loss, double lr, double grad_norm, double tokens_per_s, double epoch) {
  append({{"step", step}, {"loss", loss}, {"lr", lr}, {"grad_norm", grad_norm}, {"tokens_per_s", tokens_per_s},
          {"epoch", epoch}});
  if (first_step_ < 0) first_step_ = step - 1;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = elapsed / double(step - first_step_) * double(total_ - step);
  std::string stats = "step " + std::to_string(step) + "/" + std::to_string(total_) + "  loss " + fmt("%.4f", loss) +
                      "  lr " + fmt("%.3g", lr) + "  grad_norm " + fmt("%.3g", grad_norm) + "  " +
                      fmt("%.0f", tokens_per_s) + " tok/s  eta " + duration(eta);
  if (terminal_) {
    const int width = 24, filled = static_cast<int>(width * double(step) / double(total_));
    err_ << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << stats << "\x1b[K"
         << std::flush;
    bar_shown_ = true;
  } else {
    err_ << stats << "\n";
  }
}

void TrainReport::eval(int64_t step, double eval_loss, double exact_match, int rows, double epoch) {
  append({{"step", step}, {"eval_loss", eval_loss}, {"exact_match", exact_match}, {"eval_rows", rows},
          {"epoch", epoch}});
  note("eval at step " + std::to_string(step) + ": loss " + fmt("%.4f", eval_loss) + ", exact match " +
       fmt("%.4f", exact_match) + " (" + std::to_string(rows) + " rows)");
}

void TrainReport::note(const std::string& text) {
  if (bar_shown_) err_ << "\r\x1b[K";
  err_ << text << "\n";
  bar_shown_ = false;
}

void TrainReport::finish() {
  if (bar_shown_) err_ << "\n";
  bar_shown_ = false;
}

std::string TrainReport::table() const {
  std::ostringstream t;
  t << "| Training Loss | Epoch | Step | Validation Loss | Exact Match |\n"
    << "|:-------------:|:-----:|:----:|:---------------:|:-----------:|\n";
  bool any_eval = false;
  for (const auto& r : history_) any_eval |= r.contains("eval_loss");
  const int64_t every = std::max<int64_t>(1, total_ / 10);
  double loss_sum = 0;
  int loss_n = 0;
  for (const auto& r : history_) {
    const int64_t step = r.value("step", int64_t{0});
    if (r.contains("loss")) {
      loss_sum += r["loss"].get<double>();
      ++loss_n;
      if (any_eval || (step % every != 0 && step != total_)) continue;
    } else if (!r.contains("eval_loss")) {
      continue;
    }
    const std::string train = loss_n ? fmt("%.4f", loss_sum / loss_n) : "No log";
    const double epoch = r.value("epoch", 0.0);
    t << "| " << train << " | " << fmt("%.2f", epoch) << " | " << step << " | "
      << (r.contains("eval_loss") ? fmt("%.4f", r["eval_loss"].get<double>()) : "-") << " | "
      << (r.contains("exact_match") ? fmt("%.4f", r["exact_match"].get<double>()) : "-") << " |\n";
    loss_sum = 0;
    loss_n = 0;
  }
  return t.str();
}

}  // namespace byt5

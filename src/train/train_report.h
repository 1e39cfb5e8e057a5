// What a training run tells its user: OUT/log.jsonl (one JSON object per optimizer step and per
// evaluation), a progress bar on a terminal or plain lines otherwise, and at the end a table in
// the model card's format (Training Loss, Epoch, Step, Validation Loss, Exact Match).
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace byt5 {

class TrainReport {
 public:
  // history: the records of the run so far (a resumed run's checkpoint); log.jsonl is rewritten
  // to hold exactly them before new records are appended.
  TrainReport(const std::filesystem::path& log_file, nlohmann::json history, int64_t total_steps, bool terminal,
              std::ostream& err);

  // {step, loss, lr, grad_norm, tokens_per_s} plus epoch.
  void step(int64_t step, double loss, double lr, double grad_norm, double tokens_per_s, double epoch);
  // {step, eval_loss, exact_match} plus epoch and eval_rows.
  void eval(int64_t step, double eval_loss, double exact_match, int rows, double epoch);
  // A line that must not be overwritten by the bar.
  void note(const std::string& text);
  void finish();

  const nlohmann::json& history() const { return history_; }
  // The card's table from the history: one row per evaluation (or per 10% of the run without one).
  std::string table() const;

 private:
  void append(const nlohmann::json& record);

  std::ofstream log_;
  nlohmann::json history_;
  int64_t total_;
  bool terminal_;
  std::ostream& err_;
  bool bar_shown_ = false;
  int64_t first_step_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace byt5

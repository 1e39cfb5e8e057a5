// Evaluation of predicted parses against TOPv2 rows: scoring, reading a predictions file,
// writing metrics.json / predictions.tsv, and the per-domain table `byt5 eval` prints. Running
// a model lives in the CLI, so that this part needs no weights.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/topv2.h"
#include "top/metrics.h"

namespace byt5::top {

// Throws byt5::Error naming file:line for the first gold parse that is not a valid tree.
void check_gold(const std::vector<data::Example>& data);

struct Evaluation {
  Scoreboard board;
  std::vector<RowScore> rows;  // one per data row
};

// Scores predictions[i] against data[i] (sizes must match).
Evaluation evaluate(const std::vector<data::Example>& data, const std::vector<std::string>& predictions);

// Reads a predictions TSV: a header with a `prediction` column (escapes as in data/tsv.h), one
// row per data row, in data order. Extra rows are an error unless `allow_extra` (the data was
// cut with --limit). When the file has `utterance` or `domain` columns they must agree with the
// data row, which catches files written in another order.
std::vector<std::string> read_predictions(const std::filesystem::path& file,
                                          const std::vector<data::Example>& data,
                                          bool allow_extra);

// predictions.tsv: header `domain utterance gold prediction correct`, fields escaped,
// correct = 1 when the prediction equals gold byte for byte.
void write_predictions(const std::filesystem::path& file, const std::vector<data::Example>& data,
                       const std::vector<std::string>& predictions,
                       const std::vector<RowScore>& rows);

void write_json(const std::filesystem::path& file, const nlohmann::json& j);

// The table `byt5 eval` prints: one line per domain (alphabetical), then overall.
std::string format_table(const Scoreboard& board);

}  // namespace byt5::top

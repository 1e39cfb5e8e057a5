// Evaluation over data rows: the hand-made example (numbers in handmade/README.md), reading
// predictions files, and the files `byt5 eval --out` writes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "data/topv2.h"
#include "test_paths.h"
#include "top/evaluate.h"

namespace byt5::top {
namespace {

using byt5::testing::handmade_dir;
using byt5::testing::TempDir;

std::vector<data::Example> handmade_data() { return data::read_topv2(handmade_dir() / "data.tsv"); }

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TopEvaluate, HandmadeNumbers) {
  auto rows = handmade_data();
  auto preds = read_predictions(handmade_dir() / "predictions.tsv", rows, false);
  Evaluation ev = evaluate(rows, preds);
  const MetricTotals& o = ev.board.overall();
  EXPECT_EQ(o.rows, 8u);
  EXPECT_DOUBLE_EQ(o.rate(o.exact_match), 1.0 / 8);
  EXPECT_DOUBLE_EQ(o.rate(o.exact_match_ws), 2.0 / 8);
  EXPECT_DOUBLE_EQ(o.rate(o.valid), 7.0 / 8);
  EXPECT_DOUBLE_EQ(o.rate(o.top_intent), 6.0 / 8);
  EXPECT_DOUBLE_EQ(o.bracket_precision(), 17.0 / 20);
  EXPECT_DOUBLE_EQ(o.bracket_recall(), 17.0 / 27);
  EXPECT_NEAR(o.bracket_f1(), 34.0 / 47, 1e-12);
  EXPECT_DOUBLE_EQ(o.rate(o.frame), 3.0 / 8);
  EXPECT_DOUBLE_EQ(o.rate(o.exact_match_canonical), 3.0 / 8);

  ASSERT_EQ(ev.board.domains().size(), 2u);
  const MetricTotals& r = ev.board.domains().at("reminder");
  EXPECT_EQ(r.rows, 2u);
  EXPECT_DOUBLE_EQ(r.rate(r.valid), 1.0);
  EXPECT_DOUBLE_EQ(r.bracket_precision(), 1.0);
  EXPECT_DOUBLE_EQ(r.bracket_recall(), 5.0 / 9);
  EXPECT_NEAR(r.bracket_f1(), 10.0 / 14, 1e-12);
  const MetricTotals& w = ev.board.domains().at("weather");
  EXPECT_EQ(w.rows, 6u);
  EXPECT_DOUBLE_EQ(w.rate(w.exact_match), 1.0 / 6);
  EXPECT_DOUBLE_EQ(w.rate(w.top_intent), 4.0 / 6);
  EXPECT_DOUBLE_EQ(w.bracket_precision(), 0.8);
  EXPECT_NEAR(w.bracket_f1(), 24.0 / 33, 1e-12);
  EXPECT_DOUBLE_EQ(w.rate(w.frame), 0.5);

  std::string table = format_table(ev.board);
  EXPECT_NE(table.find("reminder           2  0.0000  0.0000  1.0000  1.0000  1.0000  0.5556  0.7143  0.0000  0.0000"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("overall            8  0.1250  0.2500  0.8750  0.7500  0.8500  0.6296  0.7234  0.3750  0.3750"),
            std::string::npos)
      << table;
  EXPECT_LT(table.find("reminder"), table.find("weather"));
}

TEST(TopEvaluate, WritesPredictionsThatReadBack) {
  TempDir tmp;
  auto rows = handmade_data();
  auto preds = read_predictions(handmade_dir() / "predictions.tsv", rows, false);
  preds[3] = "tab\there\nnewline \\ backslash";  // any bytes must survive the round trip
  Evaluation ev = evaluate(rows, preds);
  write_predictions(tmp.path() / "predictions.tsv", rows, preds, ev.rows);
  std::string text = read_file(tmp.path() / "predictions.tsv");
  EXPECT_TRUE(text.starts_with("domain\tutterance\tgold\tprediction\tcorrect\nweather\twill it rain"));
  EXPECT_NE(text.find("tab\\there\\nnewline \\\\ backslash\t0\n"), std::string::npos);
  auto back = read_predictions(tmp.path() / "predictions.tsv", rows, false);
  EXPECT_EQ(back, preds);
}

TEST(TopEvaluate, PredictionFileErrors) {
  TempDir tmp;
  auto rows = handmade_data();
  auto expect_error = [&](const std::string& content, const std::string& part, bool extra = false) {
    auto p = tmp.write("p.tsv", content);
    try {
      read_predictions(p, rows, extra);
      ADD_FAILURE() << "no error for: " << content;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error("pred\n[IN:A ]\n", "no 'prediction' column");
  expect_error("prediction\n[IN:A ]\n", "1 predictions for 8 data rows");
  std::string nine = "prediction\n";
  for (int i = 0; i < 9; ++i) nine += "[IN:A ]\n";
  expect_error(nine, "9 predictions for 8 data rows");
  EXPECT_EQ(read_predictions(tmp.write("p.tsv", nine), rows, true).size(), 8u);
  std::vector<data::Example> other = rows;
  std::swap(other[0], other[5]);  // "remind me laundry" first
  std::string swapped = "utterance\tprediction\n";
  for (const auto& e : other) swapped += e.utterance + "\tx\n";
  expect_error(swapped, "p.tsv:2: utterance 'remind me laundry' differs from");
  expect_error(swapped, "data.tsv:2 'will it rain in Paris today'");
}

TEST(TopEvaluate, InvalidGoldNamesFileAndLine) {
  TempDir tmp;
  auto p = tmp.write("x_eval.tsv", "domain\tutterance\tsemantic_parse\nd\ta\t[IN:A a ]\nd\tb\t[IN:B b\n");
  auto rows = data::read_topv2(p);
  try {
    check_gold(rows);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ":3: invalid gold parse: byte 7: unclosed '[IN:B' "
                                                  "opened at byte 0 (missing ']')");
  }
  EXPECT_THROW(evaluate(rows, {"[IN:A a ]", "[IN:B b ]"}), Error);
}

TEST(TopEvaluate, MetricsJsonShape) {
  auto rows = handmade_data();
  Evaluation ev = evaluate(rows, read_predictions(handmade_dir() / "predictions.tsv", rows, false));
  nlohmann::json j = ev.board.to_json();
  EXPECT_DOUBLE_EQ(j["overall"]["exact_match"].get<double>(), 0.125);
  EXPECT_DOUBLE_EQ(j["domains"]["weather"]["frame_accuracy"].get<double>(), 0.5);
  for (const char* key : {"rows", "exact_match", "exact_match_ws", "tree_validity",
                          "top_intent_accuracy", "bracket_precision", "bracket_recall",
                          "bracket_f1", "frame_accuracy", "exact_match_canonical"})
    EXPECT_TRUE(j["overall"].contains(key)) << key;
}

}  // namespace
}  // namespace byt5::top

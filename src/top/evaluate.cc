#include "top/evaluate.h"

#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "data/tsv.h"

namespace byt5::top {
namespace fs = std::filesystem;

void check_gold(const std::vector<data::Example>& data) {
  for (const data::Example& e : data) {
    ParseResult r = parse_tree(e.parse);
    if (!r.ok()) throw Error(e.where() + ": invalid gold parse: " + r.error.message());
  }
}

Evaluation evaluate(const std::vector<data::Example>& data,
                    const std::vector<std::string>& predictions) {
  if (data.size() != predictions.size())
    throw Error("internal: " + std::to_string(predictions.size()) + " predictions for " +
                std::to_string(data.size()) + " data rows");
  Evaluation ev;
  ev.rows.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    const data::Example& e = data[i];
    ParseResult gold = parse_tree(e.parse);
    if (!gold.ok()) throw Error(e.where() + ": invalid gold parse: " + gold.error.message());
    ev.rows.push_back(score_row(*gold.root, e.parse, predictions[i]));
    ev.board.add(e.domain, ev.rows.back());
  }
  return ev;
}

std::vector<std::string> read_predictions(const fs::path& file,
                                          const std::vector<data::Example>& data,
                                          bool allow_extra) {
  data::TsvTable t = data::read_tsv(file);
  int pred = t.column("prediction");
  if (pred < 0)
    throw Error(t.where(1) + ": header has no 'prediction' column (expected e.g. "
                "domain<TAB>utterance<TAB>gold<TAB>prediction<TAB>correct)");
  if (t.rows.size() < data.size() || (!allow_extra && t.rows.size() > data.size()))
    throw Error(file.string() + ": " + std::to_string(t.rows.size()) + " predictions for " +
                std::to_string(data.size()) +
                " data rows (one prediction per data row, in data order)");
  int utt = t.column("utterance");
  int dom = t.column("domain");
  std::vector<std::string> out;
  out.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    const data::TsvRow& r = t.rows[i];
    if (utt >= 0 && data::unescape_field(r.fields[utt]) != data[i].utterance)
      throw Error(t.where(r.line) + ": utterance '" + r.fields[utt] + "' differs from " +
                  data[i].where() + " '" + data[i].utterance +
                  "' (predictions must be in data order)");
    if (dom >= 0 && r.fields[dom] != data[i].domain)
      throw Error(t.where(r.line) + ": domain '" + r.fields[dom] + "' differs from " +
                  data[i].where() + " '" + data[i].domain + "' (predictions must be in data order)");
    out.push_back(data::unescape_field(r.fields[pred]));
  }
  return out;
}

void write_predictions(const fs::path& file, const std::vector<data::Example>& data,
                       const std::vector<std::string>& predictions,
                       const std::vector<RowScore>& rows) {
  std::ofstream out(file, std::ios::binary);
  if (!out) throw Error(file.string() + ": cannot open for writing");
  out << "domain\tutterance\tgold\tprediction\tcorrect\n";
  for (size_t i = 0; i < data.size(); ++i) {
    out << data::escape_field(data[i].domain) << '\t' << data::escape_field(data[i].utterance)
        << '\t' << data::escape_field(data[i].parse) << '\t'
        << data::escape_field(predictions[i]) << '\t' << (rows[i].exact_match ? 1 : 0) << '\n';
  }
  if (!out) throw Error(file.string() + ": write failed");
}

void write_json(const fs::path& file, const nlohmann::json& j) {
  std::ofstream out(file, std::ios::binary);
  if (!out) throw Error(file.string() + ": cannot open for writing");
  out << j.dump(2) << "\n";
  if (!out) throw Error(file.string() + ": write failed");
}

std::string format_table(const Scoreboard& board) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-12s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n", "domain",
                "rows", "EM", "EM_ws", "valid", "intent", "brk_P", "brk_R", "brk_F1", "frame",
                "EM_can");
  out += buf;
  auto line = [&](const std::string& name, const MetricTotals& t) {
    std::snprintf(buf, sizeof buf, "%-12s %7zu %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f\n",
                  name.c_str(), t.rows, t.rate(t.exact_match), t.rate(t.exact_match_ws),
                  t.rate(t.valid), t.rate(t.top_intent), t.bracket_precision(),
                  t.bracket_recall(), t.bracket_f1(), t.rate(t.frame),
                  t.rate(t.exact_match_canonical));
    out += buf;
  };
  for (const auto& [name, t] : board.domains()) line(name.size() > 12 ? name.substr(0, 12) : name, t);
  line("overall", board.overall());
  out +=
      "EM: exact match of the raw string; EM_ws: with whitespace collapsed; valid: tree validity;\n"
      "intent: top intent; brk_P/R/F1: labeled brackets; frame: frame accuracy; EM_can: TOPv2\n"
      "canonical exact match. Definitions: docs/METRICS.md\n";
  return out;
}

}  // namespace byt5::top

// `byt5 export` (ship a checkpoint as a model directory) and `byt5 bench` (parse latency), run as
// a user runs them.
#include <algorithm>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace byt5::test {
namespace {

namespace fs = std::filesystem;

const std::string kPairs =
    "set an alarm for 7am\t[IN:CREATE_ALARM [SL:DATE_TIME for 7am ] ]\n"
    "wie wird das Wetter morgen?\t[IN:GET_WEATHER ]\n";

fs::path tiny() { return fixtures() / "hf-tiny"; }
fs::path handmade() { return fs::path(BYT5_TEST_FIXTURES).parent_path() / "top" / "handmade" / "data.tsv"; }

std::vector<double> losses(const std::string& text) {
  std::vector<double> v;
  std::istringstream in(text);
  for (double x; in >> x;) v.push_back(x);
  return v;
}

TEST(ExportCli, F32ExportScoresBitIdentically) {
  TempDir tmp;
  const fs::path out = tmp / "m";
  auto ex = run_byt5("export --dtype f32 --model " + quote(tiny().string()) + " --out " + quote(out.string()));
  ASSERT_EQ(ex.status, 0) << ex.err;
  EXPECT_TRUE(fs::exists(out / "config.json"));
  EXPECT_FALSE(fs::exists(out / "added_tokens.json"));  // no labels were added to this vocabulary
  auto a = run_byt5("score --model " + quote(tiny().string()), kPairs);
  auto b = run_byt5("score --model " + quote(out.string()), kPairs);
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(losses(a.out).size(), 2u);
}

TEST(ExportCli, Bf16ExportHalvesTheWeightsAndKeepsLossesClose) {
  TempDir tmp;
  const fs::path out = tmp / "m";
  auto ex = run_byt5("export --model " + quote(tiny().string()) + " --out " + quote(out.string()) +
                     " --labels-from " + quote(handmade().string()));
  ASSERT_EQ(ex.status, 0) << ex.err;
  const auto f32 = fs::file_size(tiny() / "model.safetensors");
  const auto bf16 = fs::file_size(out / "model.safetensors");
  EXPECT_LT(bf16, f32 * 0.55);
  EXPECT_GT(bf16, f32 * 0.45);
  auto labels = read_json(out / "labels.json");
  EXPECT_EQ(labels["format"], "byt5-top-labels");
  const auto& intents = labels["intents"];
  EXPECT_NE(std::find(intents.begin(), intents.end(), "IN:GET_WEATHER"), intents.end());
  auto a = losses(run_byt5("score --model " + quote(tiny().string()), kPairs).out);
  auto b = losses(run_byt5("score --model " + quote(out.string()), kPairs).out);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i], b[i], 0.02 * a[i]);  // bf16 keeps ~3 significant digits per weight
    EXPECT_NE(a[i], b[i]);                 // and it did round them
  }
}

TEST(ExportCli, KeepsAddedTokens) {
  TempDir tmp;
  // One training step with --label-tokens gives a checkpoint whose vocabulary ends with the labels.
  auto tr = run_byt5("train --config " + quote((tiny() / "config.json").string()) + " --train " +
                     quote(handmade().string()) + " --out " + quote((tmp / "run").string()) +
                     " --steps 1 --batch-size 2 --grad-accum 1 --label-tokens --eval-every 0 --no-progress");
  ASSERT_EQ(tr.status, 0) << tr.err;
  auto ex = run_byt5("export --model " + quote((tmp / "run" / "final").string()) + " --out " +
                     quote((tmp / "m").string()));
  ASSERT_EQ(ex.status, 0) << ex.err;
  auto added = read_json(tmp / "m" / "added_tokens.json");
  EXPECT_EQ(added, read_json(tmp / "run" / "final" / "added_tokens.json"));
  EXPECT_GE(added["[IN:GET_WEATHER"].get<int>(), 384);
  EXPECT_EQ(read_json(tmp / "m" / "config.json")["vocab_size"], read_json(tmp / "run" / "final" / "config.json")["vocab_size"]);
  auto p = run_byt5("parse --model " + quote((tmp / "m").string()) + " --max-new-tokens 8 'will it rain'");
  EXPECT_EQ(p.status, 0) << p.err;
}

TEST(ExportCli, AveragesModelsOfOneConfigOnly) {
  TempDir tmp;
  // The mean of a model with itself is the model, bit for bit (model/param_average_test.cc
  // checks the arithmetic on distinct weights).
  auto ex = run_byt5("export --dtype f32 --model " + quote(tiny().string()) + " --average " + quote(tiny().string()) +
                     " --out " + quote((tmp / "m").string()));
  ASSERT_EQ(ex.status, 0) << ex.err;
  EXPECT_NE(ex.err.find("mean of 2 models"), std::string::npos) << ex.err;
  auto a = run_byt5("score --model " + quote(tiny().string()), kPairs);
  auto b = run_byt5("score --model " + quote((tmp / "m").string()), kPairs);
  EXPECT_EQ(a.out, b.out);
  // Another shape: a runtime error naming the config, and --out left unwritten.
  auto bad = run_byt5("export --model " + quote(tiny().string()) + " --average " +
                      quote((fixtures() / "hf-tiny-asym").string()) + " --out " + quote((tmp / "m2").string()));
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("config.json differs"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(tmp / "m2"));
}

TEST(ExportCli, RefusesToOverwriteAndBadArguments) {
  TempDir tmp;
  write_file(tmp / "keep.txt", "x");
  auto r = run_byt5("export --model " + quote(tiny().string()) + " --out " + quote(tmp.path().string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "model.safetensors"));
  r = run_byt5("export --model " + quote(tiny().string()) + " --out " + quote((tmp / "m").string()) + " --dtype f8");
  EXPECT_EQ(r.status, 2);
  // A broken input leaves --out unwritten.
  fs::create_directory(tmp / "broken");
  write_file(tmp / "broken" / "config.json", "{not json");
  r = run_byt5("export --model " + quote((tmp / "broken").string()) + " --out " + quote((tmp / "m2").string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("config.json"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "m2"));
}

TEST(BenchCli, ReportsLatencyPercentiles) {
  auto r = run_byt5("bench --json --warmup 1 --limit 3 --model " + quote(tiny().string()) + " --data " +
                    quote(handmade().string()));
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["utterances"], 3);
  EXPECT_GT(j["median_ms"].get<double>(), 0.0);
  EXPECT_LE(j["median_ms"].get<double>(), j["p90_ms"].get<double>());
  EXPECT_LE(j["p90_ms"].get<double>(), j["max_ms"].get<double>());
  EXPECT_EQ(j["beams"], 4);  // parse's default: beam search, which does not draft
  EXPECT_FALSE(j["draft"].get<bool>());
  r = run_byt5("bench --json --warmup 0 --limit 2 --beams 1 --model " + quote(tiny().string()) + " --data " +
               quote(handmade().string()));
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["beams"], 1);
  EXPECT_TRUE(j["draft"].get<bool>());
  TempDir tmp;
  write_file(tmp / "empty.tsv", "domain\tutterance\tsemantic_parse\n");
  r = run_byt5("bench --model " + quote(tiny().string()) + " --data " + quote((tmp / "empty.tsv").string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no utterances"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace byt5::test

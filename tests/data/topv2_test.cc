// TOPv2 files: columns by name, domain from the file name, directories by split, domain filter.
#include <gtest/gtest.h>

#include <set>

#include "../top/test_paths.h"
#include "core/error.h"
#include "data/topv2.h"

namespace byt5::data {
namespace {

using byt5::testing::TempDir;

const char* kHeader = "domain\tutterance\tsemantic_parse\n";

TEST(DataTopv2, FileNames) {
  EXPECT_EQ(parse_file_name("x/alarm_eval.tsv").domain, "alarm");
  EXPECT_EQ(parse_file_name("x/alarm_eval.tsv").split, "eval");
  EXPECT_EQ(parse_file_name("weather_train_10spis.tsv").split, "train_10spis");
  EXPECT_EQ(parse_file_name("eval.tsv").domain, "");
  EXPECT_EQ(parse_file_name("alarm_eval.csv").domain, "");
}

TEST(DataTopv2, ColumnsByNameAndSeqlogical) {
  TempDir tmp;
  auto p = tmp.write("weather_train_10spis.tsv",
                     "domain\tutterance\tseqlogical\nweather\tis it hot\t[IN:GET_WEATHER is it hot ]\n");
  auto rows = read_topv2(p);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].domain, "weather");
  EXPECT_EQ(rows[0].parse, "[IN:GET_WEATHER is it hot ]");
  EXPECT_EQ(rows[0].where(), p.string() + ":2");
  // Other order, no domain column: the file name gives it.
  auto q = tmp.write("music_test.tsv", "semantic_parse\tutterance\n[IN:PLAY_MUSIC play ]\tplay\n");
  auto r = read_topv2(q);
  EXPECT_EQ(r[0].domain, "music");
  EXPECT_EQ(r[0].utterance, "play");
}

TEST(DataTopv2, HeaderErrors) {
  TempDir tmp;
  EXPECT_THROW(read_topv2(tmp.write("a_eval.tsv", "domain\ttext\tparse\nx\ty\tz\n")), Error);
  EXPECT_THROW(read_topv2(tmp.write("noname.tsv", "utterance\tsemantic_parse\nx\t[IN:A x ]\n")), Error);
}

TEST(DataTopv2, DirectorySplitAndDomainFilter) {
  TempDir tmp;
  tmp.write("timer_eval.tsv", std::string(kHeader) + "timer\tstop\t[IN:STOP stop ]\n");
  tmp.write("alarm_eval.tsv", std::string(kHeader) + "alarm\twake\t[IN:A wake ]\nalarm\tx\t[IN:A x ]\n");
  tmp.write("alarm_train.tsv", std::string(kHeader) + "alarm\tt\t[IN:A t ]\n");
  tmp.write("README", "not data");
  auto rows = load_examples({tmp.path()}, Selection{});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].domain, "alarm");  // alphabetical, whatever the directory order
  EXPECT_EQ(rows[2].domain, "timer");
  EXPECT_EQ(load_examples({tmp.path()}, Selection{"train", {}}).size(), 1u);
  auto timer = load_examples({tmp.path()}, Selection{"eval", {"timer"}});
  ASSERT_EQ(timer.size(), 1u);
  EXPECT_EQ(timer[0].utterance, "stop");
  // A list of a file and a directory.
  EXPECT_EQ(load_examples({tmp.path() / "alarm_train.tsv", tmp.path()}, Selection{}).size(), 4u);
  try {
    load_examples({tmp.path()}, Selection{"test", {}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no <domain>_test.tsv files (splits found: eval, train)"),
              std::string::npos) << e.what();
  }
  try {
    load_examples({tmp.path()}, Selection{"eval", {"music"}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no rows for domain 'music' (domains present: alarm, timer)"),
              std::string::npos) << e.what();
  }
  EXPECT_THROW(load_examples({tmp.path() / "nope"}, Selection{}), Error);
}

TEST(DataTopv2, ReleaseFiles) {
  BYT5_REQUIRE_TOPV2();
  auto eval = load_examples({byt5::testing::topv2_dir()}, Selection{});
  EXPECT_EQ(eval.size(), 17160u);
  std::vector<std::string> order;
  for (const Example& e : eval)
    if (order.empty() || order.back() != e.domain) order.push_back(e.domain);
  EXPECT_EQ(order, (std::vector<std::string>{"alarm", "event", "messaging", "music", "navigation",
                                             "reminder", "timer", "weather"}));
  EXPECT_EQ(load_examples({byt5::testing::topv2_dir()}, Selection{"train", {}}).size(), 124597u);
  auto low = load_examples({byt5::testing::topv2_dir() / "low_resource_splits"},
                           Selection{"train_10spis", {}});
  EXPECT_EQ(low.size(), 219u + 86u);
  // Utterances with '"' survive as they are (no CSV quoting).
  size_t quotes = 0;
  for (const Example& e : eval) quotes += e.utterance.find('"') != std::string::npos;
  EXPECT_GT(quotes, 0u);
}

}  // namespace
}  // namespace byt5::data

// Tab-separated reading: tabs only, header by name, malformed rows with file:line.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/tsv.h"
#include "../top/test_paths.h"

namespace byt5::data {
namespace {

using byt5::testing::TempDir;

TEST(DataTsv, SplitsOnTabsOnly) {
  TempDir tmp;
  auto p = tmp.write("a.tsv",
                     "\xEF\xBB\xBF" "domain\tutterance\tsemantic_parse\r\n"
                     "music\tplay \"Hey Jude\", loud\t[IN:PLAY_MUSIC play \" Hey Jude \" , loud ]\r\n"
                     "\n"
                     "music\t\t[IN:A ]\n");
  TsvTable t = read_tsv(p);
  EXPECT_EQ(t.header, (std::vector<std::string>{"domain", "utterance", "semantic_parse"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields[1], "play \"Hey Jude\", loud");
  EXPECT_EQ(t.rows[0].line, 2u);
  EXPECT_EQ(t.rows[1].fields[1], "");
  EXPECT_EQ(t.rows[1].line, 4u);
  EXPECT_EQ(t.column("semantic_parse"), 2);
  EXPECT_EQ(t.column("nope"), -1);
}

TEST(DataTsv, MalformedRowsNamed) {
  TempDir tmp;
  auto p = tmp.write("bad.tsv", "a\tb\tc\n1\t2\t3\n1\t2\n1\t2\t3\t4\n");
  try {
    read_tsv(p);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("2 malformed rows in " + p.string()), std::string::npos) << m;
    EXPECT_NE(m.find(p.string() + ":3: expected 3 tab-separated fields (a<TAB>b<TAB>c), found 2"),
              std::string::npos) << m;
    EXPECT_NE(m.find(p.string() + ":4: expected 3 tab-separated fields"), std::string::npos) << m;
  }
}

TEST(DataTsv, UnreadableFiles) {
  TempDir tmp;
  EXPECT_THROW(read_tsv(tmp.path() / "missing.tsv"), Error);
  EXPECT_THROW(read_tsv(tmp.path()), Error);
  EXPECT_THROW(read_tsv(tmp.write("empty.tsv", "")), Error);
}

TEST(DataTsv, EscapesRoundTrip) {
  std::string s = "a\tb\nc\rd\\e \\x";
  EXPECT_EQ(escape_field(s), "a\\tb\\nc\\rd\\\\e \\\\x");
  EXPECT_EQ(unescape_field(escape_field(s)), s);
  EXPECT_EQ(unescape_field("C:\\x \\"), "C:\\x \\");  // unknown escapes stay as they are
}

}  // namespace
}  // namespace byt5::data

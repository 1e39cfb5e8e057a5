// The progress display: redrawn bar on a terminal, plain lines otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "top/progress.h"

namespace byt5::top {
namespace {

TEST(TopProgress, TerminalRedrawsOneLine) {
  std::ostringstream out;
  Progress p(out, 100, true);
  p.update(50);
  p.update(100);
  p.finish();
  std::string s = out.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_NE(s.find("[###############...............] 50/100 rows (50.0%)"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA"), std::string::npos);
  EXPECT_NE(s.find("rows/s"), std::string::npos);
  EXPECT_NE(s.find("100/100 rows (100.0%)"), std::string::npos);
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
}

TEST(TopProgress, PlainLinesWithoutControlCharacters) {
  std::ostringstream out;
  Progress p(out, 10, false);
  for (size_t i = 1; i <= 10; ++i) p.update(i);  // fast: only the final line
  p.finish();
  std::string s = out.str();
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.find('\x1b'), std::string::npos);
  EXPECT_TRUE(s.starts_with("10/10 rows (100.0%)")) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
}

TEST(TopProgress, Durations) {
  EXPECT_EQ(Progress::format_duration(12.4), "12s");
  EXPECT_EQ(Progress::format_duration(185), "3m05s");
  EXPECT_EQ(Progress::format_duration(3720), "1h02m");
  EXPECT_EQ(Progress::format_duration(-1), "?");
}

}  // namespace
}  // namespace byt5::top

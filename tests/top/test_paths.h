// Paths the TOP and data tests share: the hand-made fixtures next to these tests, the shared
// TOPv2 data (absent in a user's clone: tests skip), and scratch directories.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace byt5::testing {

inline std::filesystem::path handmade_dir() {
  return std::filesystem::path(BYT5_TEST_FIXTURES) / ".." / "top" / "handmade";
}

inline std::filesystem::path topv2_dir() {
  return std::filesystem::path(BYT5_SHARED_DATA) / "topv2";
}

inline bool have_topv2() { return std::filesystem::exists(topv2_dir() / "alarm_eval.tsv"); }

#define BYT5_REQUIRE_TOPV2()                                                              \
  do {                                                                                    \
    if (!::byt5::testing::have_topv2())                                                   \
      GTEST_SKIP() << "TOPv2 data not found at " << ::byt5::testing::topv2_dir().string() \
                   << " (only CI and the project machines have it)";                     \
  } while (0)

using TempDir = ::byt5::test::TempDir;

}  // namespace byt5::testing
